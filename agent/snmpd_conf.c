/* `mboxd --snmpd-conf FILE`: the master snmpd's configuration, derived from
 * the snmp section so that one file configures the whole box. */
#include <stdio.h>

#include "agent.h"
#include "config.h"
#include "mib.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Passphrases go into snmpd.conf quoted; the configuration parser already
 * refused control characters, so only quotes and backslashes matter. */
static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void mbox_snmpd_conf_write(const struct mbox_config *cfg, FILE *out)
{
	const struct mbox_snmp_cfg *sc = &cfg->snmp;

	fprintf(out, "# snmpd.conf for mbox, written by mboxd --snmpd-conf from %s.\n"
		     "# Writes need an SNMPv3 user with authPriv; communities are read-only.\n"
		     "master agentx\n"
		     "agentXSocket %s\n"
		     "agentXPerms 0600 0700\n"
		     "agentaddress %s\n"
		     "# What managers see: system, interfaces (IF-MIB), snmpTrap and MBOX-MIB.\n"
		     "view mbox included .1.3.6.1.2.1.1\n"
		     "view mbox included .1.3.6.1.2.1.2\n"
		     "view mbox included .1.3.6.1.2.1.31\n"
		     "view mbox included .1.3.6.1.6.3.1.1.4\n"
		     "view mbox included .1.3.6.1.4.1." STR(MBOX_ENTERPRISE) "\n",
		cfg->file, sc->agentx_socket, sc->listen);
	for (unsigned i = 0; i < sc->n_users; i++) {
		const struct mbox_snmp_user *u = &sc->users[i];

		fprintf(out, "createUser %s SHA ", u->name);
		quoted(out, u->auth_pass);
		fprintf(out, " AES ");
		quoted(out, u->priv_pass);
		fprintf(out, "\n%s %s priv -V mbox\n", u->write ? "rwuser" : "rouser", u->name);
	}
	for (unsigned i = 0; i < sc->n_communities; i++)
		fprintf(out, "rocommunity %s %s -V mbox\n", sc->communities[i].name, sc->communities[i].source);
	for (unsigned i = 0; i < sc->n_trap_sinks; i++)
		fprintf(out, "trap2sink %s %s\n", sc->trap_sinks[i].address, sc->trap_sinks[i].community);
}
