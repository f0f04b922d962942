/* `mboxd --snmpd-conf FILE`: the master snmpd's configuration, derived from
 * the snmp section so that one file configures the whole box. */
#include <stdio.h>

#include "agent.h"
#include "sections.h"
#include "mib.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define MBOX_PREFIX ".1.3.6.1.4.1." STR(MBOX_ENTERPRISE)

/* The subtrees of the full view: what managers need to watch the box,
 * including the counters of refused requests. */
static const char *const full_view[][2] = {
	{ ".1.3.6.1.2.1.1", "system" },
	{ ".1.3.6.1.2.1.2", "interfaces (IF-MIB ifTable)" },
	{ ".1.3.6.1.2.1.11", "snmp: snmpInBadCommunityNames and the other SNMPv2-MIB counters" },
	{ ".1.3.6.1.2.1.31", "ifMIB (ifXTable)" },
	{ ".1.3.6.1.6.3.1.1.4", "snmpTrap" },
	{ ".1.3.6.1.6.3.15.1.1", "usmStats: wrong passphrases, unknown users" },
	{ MBOX_PREFIX, "MBOX-MIB" },
};

/* What the monitor view leaves out of the full one: the configuration's
 * values (ACL rules, addresses, routes), not its counters. */
static const char *const monitor_excluded[][2] = {
	{ MBOX_PREFIX ".1.3.4.1.3", "mboxElementParamValue" },
	{ MBOX_PREFIX ".1.3.5.1.2", "mboxElementRowValue" },
};

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

static void write_views(FILE *out)
{
	for (unsigned v = 0; mbox_snmp_view_names[v]; v++) {
		/* snmpd takes comments on lines of their own only. */
		for (size_t i = 0; i < sizeof(full_view) / sizeof(full_view[0]); i++)
			fprintf(out, "# %s\nview %s included %s\n", full_view[i][1], mbox_snmp_view_names[v],
				full_view[i][0]);
		for (size_t i = 0; v == MBOX_VIEW_MONITOR && i < sizeof(monitor_excluded) / sizeof(monitor_excluded[0]); i++)
			fprintf(out, "# not %s\nview %s excluded %s\n", monitor_excluded[i][1], mbox_snmp_view_names[v],
				monitor_excluded[i][0]);
	}
}

void mbox_snmpd_conf_write(const struct mbox_config *cfg, FILE *out)
{
	const struct mbox_snmp_cfg *sc = mbox_snmp_cfg(cfg);

	fprintf(out, "# snmpd.conf for mbox, written by mboxd --snmpd-conf from %s.\n"
		     "# Writes need an SNMPv3 user with authPriv; communities are read-only.\n"
		     "master agentx\n"
		     "agentXSocket %s\n"
		     "agentXPerms 0600 0700\n"
		     "agentaddress %s\n",
		cfg->file, sc->agentx_socket, sc->listen);
	if (sc->sys_name)
		fprintf(out, "sysName %s\n", sc->sys_name);
	write_views(out);
	if (!sc->n_users && !sc->n_communities)
		fprintf(out, "# No users and no communities in %s: snmpd answers nobody.\n", cfg->file);
	for (unsigned i = 0; i < sc->n_users; i++) {
		const struct mbox_snmp_user *u = &sc->users[i];

		fprintf(out, "createUser %s SHA ", u->name);
		quoted(out, u->auth_pass);
		fprintf(out, " AES ");
		quoted(out, u->priv_pass);
		fprintf(out, "\n%s %s priv -V %s\n", u->write ? "rwuser" : "rouser", u->name,
			mbox_snmp_view_names[u->view]);
	}
	for (unsigned i = 0; i < sc->n_communities; i++)
		fprintf(out, "rocommunity %s %s -V %s\n", sc->communities[i].name, sc->communities[i].source,
			mbox_snmp_view_names[sc->communities[i].view]);
	for (unsigned i = 0; i < sc->n_trap_sinks; i++)
		fprintf(out, "trap2sink %s %s\n", sc->trap_sinks[i].address, sc->trap_sinks[i].community);
}
