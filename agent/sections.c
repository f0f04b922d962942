/* The snmp and thresholds sections of the configuration: read with the
 * core's schema engine, registered from the management side. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "sections.h"

static struct mbox_section snmp_section;

const char *const mbox_snmp_view_names[] = { "full", "monitor", NULL };

static const struct mbox_param snmp_user_fields[] = {
	{ .name = "name", .type = MBOX_P_STRING, .help = "SNMPv3 user name (1 to 32 characters, no spaces)" },
	{ .name = "auth_pass", .type = MBOX_P_STRING, .help = "SHA authentication passphrase, 8 characters or more" },
	{ .name = "priv_pass", .type = MBOX_P_STRING, .help = "AES privacy passphrase, 8 characters or more" },
	{ .name = "write", .type = MBOX_P_BOOL, .def = "false", .help = "may SET (always with authPriv)" },
	{ .name = "view", .type = MBOX_P_ENUM, .choices = mbox_snmp_view_names, .def = "full",
	  .help = "what the user sees: full, or monitor (no element parameter or row values)" },
	{ 0 }
};

static const struct mbox_param snmp_community_fields[] = {
	{ .name = "name", .type = MBOX_P_STRING, .help = "SNMPv2c community, read-only (1 to 32 characters, no spaces)" },
	{ .name = "source", .type = MBOX_P_STRING, .def = "127.0.0.1",
	  .help = "host or prefix allowed to use it, or \"default\" for any" },
	{ .name = "view", .type = MBOX_P_ENUM, .choices = mbox_snmp_view_names, .def = "full",
	  .help = "what the community sees: full, or monitor (no element parameter or row values)" },
	{ 0 }
};

static const struct mbox_param trap_sink_fields[] = {
	{ .name = "address", .type = MBOX_P_STRING, .help = "where snmpd sends traps, e.g. \"udp:192.0.2.1:162\"" },
	{ .name = "community", .type = MBOX_P_STRING, .def = "public", .help = "SNMPv2c community of the traps" },
	{ 0 }
};

static const struct mbox_param snmp_schema[] = {
	{ .name = "enabled", .type = MBOX_P_BOOL, .def = "true", .help = "run the AgentX subagent" },
	{ .name = "agentx_socket", .type = MBOX_P_STRING, .def = "/var/agentx/master",
	  .help = "snmpd's AgentX socket: a path, or \"tcp:HOST:PORT\"" },
	{ .name = "ping_interval", .type = MBOX_P_UINT, .def = "5", .min = 1, .max = 3600,
	  .help = "seconds between AgentX pings; a lost snmpd is reconnected within this" },
	{ .name = "listen", .type = MBOX_P_STRING, .def = "udp:161",
	  .help = "snmpd agentaddress written by mboxd --snmpd-conf" },
	{ .name = "sys_name", .type = MBOX_P_STRING, .optional = true,
	  .help = "SNMPv2-MIB sysName (snmpd's default, the host name, when absent)" },
	{ .name = "if_index_base", .type = MBOX_P_UINT, .def = "1000", .min = 1, .max = 2147483647 - MBOX_MAX_PORTS,
	  .help = "ports appear in IF-MIB at ifIndex if_index_base + 1, + 2, ..." },
	{ .name = "users", .type = MBOX_P_LIST, .optional = true, .max = MBOX_MAX_SNMP_ENTRIES,
	  .fields = snmp_user_fields, .help = "SNMPv3 users (authPriv only)" },
	{ .name = "communities", .type = MBOX_P_LIST, .optional = true, .max = MBOX_MAX_SNMP_ENTRIES,
	  .fields = snmp_community_fields, .help = "read-only SNMPv2c communities (none by default)" },
	{ .name = "trap_sinks", .type = MBOX_P_LIST, .optional = true, .max = MBOX_MAX_SNMP_ENTRIES,
	  .fields = trap_sink_fields, .help = "SNMPv2c trap destinations" },
	{ 0 }
};

const struct mbox_param mbox_threshold_params[] = {
	{ .name = "drop_rate", .type = MBOX_P_UINT, .def = "0", .max = UINT32_MAX, .writable = true,
	  .help = "drops per second of an element or port that raise mboxThresholdCrossed (0: off)" },
	{ .name = "core_busy", .type = MBOX_P_UINT, .def = "0", .max = 100, .writable = true,
	  .help = "busy percentage of a worker that raises mboxThresholdCrossed (0: off)" },
	{ .name = "pool_usage", .type = MBOX_P_UINT, .def = "0", .max = 100, .writable = true,
	  .help = "mbuf pool usage in percent that raises mboxThresholdCrossed (0: off)" },
	{ .name = "table_fill", .type = MBOX_P_UINT, .def = "90", .max = 100, .writable = true,
	  .help = "fill of an element's table (NAT sessions) in percent that raises mboxThresholdCrossed (0: off)" },
	{ 0 }
};

static int check_passphrase(struct mbox_parse *p, const struct mbox_value *v, const char *what,
			    const char *field)
{
	if (strlen(v->s) >= 8)
		return 0;
	mbox_parse_error_at(p, v->line,
			"%s: field '%s': passphrase too short, expected 8 characters or more", what, field);
	return -1;
}

/* Values written into snmpd.conf: names and addresses as single words (a
 * space, quote or '#' would let a value add or cut snmpd directives), and
 * with inner_spaces a value snmpd takes as the rest of its line (sysName). */
static int check_conf_value(struct mbox_parse *p, const struct mbox_value *v, const char *what, const char *field,
			    size_t max, bool inner_spaces)
{
	size_t n = strlen(v->s);
	bool ok = n >= 1 && n <= max && v->s[0] != ' ' && v->s[n - 1] != ' ';

	for (size_t i = 0; ok && i < n; i++)
		ok = (isgraph((unsigned char)v->s[i]) || (inner_spaces && v->s[i] == ' ')) &&
		     !strchr("\"'#\\", v->s[i]);
	if (ok)
		return 0;
	mbox_parse_error_at(p, v->line,
			"%s: field '%s': \"%s\" is not %s, expected 1 to %zu printable characters without "
			"%s, quotes, '\\' or '#'", what, field, v->s, inner_spaces ? "valid" : "one word", max,
			inner_spaces ? "leading or trailing spaces" : "spaces");
	return -1;
}

static int check_word(struct mbox_parse *p, const struct mbox_value *v, const char *what, const char *field,
		      size_t max)
{
	return check_conf_value(p, v, what, field, max, false);
}

#define FIELD(fields, list, i, name) mbox_list_field(list, fields, i, name)

static int parse_snmp_users(struct mbox_parse *p, struct mbox_snmp_cfg *sc, const struct mbox_value *list)
{
	int rc = 0;

	sc->n_users = list->present ? list->list.n : 0;
	for (unsigned i = 0; i < sc->n_users; i++) {
		const struct mbox_value *name = FIELD(snmp_user_fields, list, i, "name");
		const struct mbox_value *auth = FIELD(snmp_user_fields, list, i, "auth_pass");
		const struct mbox_value *priv = FIELD(snmp_user_fields, list, i, "priv_pass");
		char what[64];

		snprintf(what, sizeof(what), "snmp: users[%u]", i);
		sc->users[i] = (struct mbox_snmp_user){
			name->s, auth->s, priv->s, FIELD(snmp_user_fields, list, i, "write")->b,
			(enum mbox_snmp_view)FIELD(snmp_user_fields, list, i, "view")->u };
		rc |= check_word(p, name, what, "name", 32) | check_passphrase(p, auth, what, "auth_pass") |
		      check_passphrase(p, priv, what, "priv_pass");
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(sc->users[j].name, name->s)) {
				mbox_parse_error_at(p, name->line,
						    "%s: field 'name': user '%s' is already users[%u], expected unique names",
						    what, name->s, j);
				rc = -1;
			}
	}
	return rc;
}

#define SNMP(name) mbox_values_get(snmp_schema, v, name)

static int parse_snmp(struct mbox_parse *p, const config_setting_t *s, const struct mbox_value *v)
{
	struct mbox_snmp_cfg *sc = mbox_config_alloc(p->cfg, sizeof(*sc));
	const struct mbox_value *communities = SNMP("communities"), *sinks = SNMP("trap_sinks");
	char what[64];
	int rc = 0;

	mbox_section_set_data(p, &snmp_section, sc);
	sc->configured = s != NULL;
	sc->enabled = SNMP("enabled")->b;
	sc->agentx_socket = SNMP("agentx_socket")->s;
	sc->ping_interval = (unsigned)SNMP("ping_interval")->u;
	sc->listen = SNMP("listen")->s;
	sc->if_index_base = (unsigned)SNMP("if_index_base")->u;
	rc |= check_word(p, SNMP("agentx_socket"), "snmp", "agentx_socket", 255) |
	      check_word(p, SNMP("listen"), "snmp", "listen", 255);
	if (SNMP("sys_name")->present) {
		sc->sys_name = SNMP("sys_name")->s;
		rc |= check_conf_value(p, SNMP("sys_name"), "snmp", "sys_name", 255, true);
	}
	rc |= parse_snmp_users(p, sc, SNMP("users"));
	sc->n_communities = communities->present ? communities->list.n : 0;
	for (unsigned i = 0; i < sc->n_communities; i++) {
		const struct mbox_value *name = FIELD(snmp_community_fields, communities, i, "name");
		const struct mbox_value *source = FIELD(snmp_community_fields, communities, i, "source");

		snprintf(what, sizeof(what), "snmp: communities[%u]", i);
		sc->communities[i] = (struct mbox_snmp_community){
			name->s, source->s, (enum mbox_snmp_view)FIELD(snmp_community_fields, communities, i, "view")->u };
		rc |= check_word(p, name, what, "name", 32) | check_word(p, source, what, "source", 64);
	}
	sc->n_trap_sinks = sinks->present ? sinks->list.n : 0;
	for (unsigned i = 0; i < sc->n_trap_sinks; i++) {
		const struct mbox_value *address = FIELD(trap_sink_fields, sinks, i, "address");
		const struct mbox_value *community = FIELD(trap_sink_fields, sinks, i, "community");

		snprintf(what, sizeof(what), "snmp: trap_sinks[%u]", i);
		sc->trap_sinks[i] = (struct mbox_trap_sink){ address->s, community->s };
		rc |= check_word(p, address, what, "address", 255) | check_word(p, community, what, "community", 32);
	}
	return rc;
}

/* The MIB's threshold objects follow enum mbox_threshold; bound by name. */
static const char *const threshold_names[MBOX_THRESHOLDS] = {
	[THRESHOLD_DROP_RATE] = "drop_rate",
	[THRESHOLD_CORE_BUSY] = "core_busy",
	[THRESHOLD_POOL_USAGE] = "pool_usage",
	[THRESHOLD_TABLE_FILL] = "table_fill",
};

static int parse_thresholds(struct mbox_parse *p, const config_setting_t *s, const struct mbox_value *v)
{
	struct mbox_thresholds *th = mbox_config_alloc(p->cfg, sizeof(*th));

	(void)s;
	for (unsigned t = 0; t < MBOX_THRESHOLDS; t++)
		th->limit[t] = (unsigned)mbox_values_get(mbox_threshold_params, v, threshold_names[t])->u;
	mbox_section_set_data(p, &mbox_thresholds_section, th);
	return 0;
}

const struct mbox_param *mbox_threshold_param(enum mbox_threshold t)
{
	for (const struct mbox_param *q = mbox_threshold_params; q->name; q++)
		if (!strcmp(q->name, threshold_names[t]))
			return q;
	return NULL;
}

static struct mbox_section snmp_section = {
	.name = "snmp", .order = 100, .schema = snmp_schema, .parse = parse_snmp,
};
struct mbox_section mbox_thresholds_section = {
	.name = "thresholds", .order = 110, .schema = mbox_threshold_params, .parse = parse_thresholds,
};
MBOX_SECTION_REGISTER(snmp_section)
MBOX_SECTION_REGISTER(mbox_thresholds_section)

const struct mbox_snmp_cfg *mbox_snmp_cfg(const struct mbox_config *cfg)
{
	return mbox_section_data(cfg, &snmp_section);
}

const struct mbox_thresholds *mbox_thresholds_cfg(const struct mbox_config *cfg)
{
	return mbox_section_data(cfg, &mbox_thresholds_section);
}

bool mbox_agent_enabled(const struct mbox_config *cfg)
{
	return mbox_snmp_cfg(cfg)->enabled;
}
