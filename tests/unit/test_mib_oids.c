/* The subagent's OIDs against the MIB files: every arc agent/mib_oids.h
 * names, and every column of every table in agent/tables.c (its OID, type
 * and access), as smidump reads them from mib/MBOX-MIB.txt and the IETF
 * MIBs beside the repository; and every readable column of a served
 * MBOX-MIB table is served.  Run from the repository root (tests/run.sh). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "mib.h"

#define SMIDUMP "SMIPATH=../shared/mibs:mib smidump -q -f %s MBOX-MIB IF-MIB SNMPv2-MIB 2>/dev/null"
#define MAX_DEFS 2048

/* One definition of the MIBs, by name. */
struct def {
	char module[32], name[64], oid[128];
	char access[8], syntax[48]; /* objects only: "r-n", "rwn", "rcn", "---"...; the type's name */
};
static struct def defs[MAX_DEFS];
static unsigned n_defs;

static struct def *def(const char *name)
{
	for (unsigned i = 0; i < n_defs; i++)
		if (!strcmp(defs[i].name, name))
			return &defs[i];
	return NULL;
}

/* smidump -f identifiers: "MODULE name kind oid"; -f tree: "+-- r-n Type name(arc)". */
static void read_mibs(void)
{
	char cmd[256], line[512];
	FILE *f;

	snprintf(cmd, sizeof(cmd), SMIDUMP, "identifiers");
	if ((f = popen(cmd, "r"))) {
		while (n_defs < MAX_DEFS && fgets(line, sizeof(line), f)) {
			struct def *d = &defs[n_defs];

			if (line[0] != '#' && sscanf(line, "%31s %63s %*s %127s", d->module, d->name, d->oid) == 3)
				n_defs++;
		}
		pclose(f);
	}
	snprintf(cmd, sizeof(cmd), SMIDUMP, "tree");
	if ((f = popen(cmd, "r"))) {
		while (fgets(line, sizeof(line), f)) {
			char access[8], syntax[48], name[64];
			const char *at = strstr(line, "-- ");
			struct def *d;

			if (at && sscanf(at + 3, "%7s %47s %63[^(]", access, syntax, name) == 3 && (d = def(name))) {
				snprintf(d->access, sizeof(d->access), "%s", access);
				snprintf(d->syntax, sizeof(d->syntax), "%s", syntax);
			}
		}
		pclose(f);
	}
}

static void oid_text(char *buf, size_t size, const oid *o, size_t len, long arc)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < len && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, i ? ".%lu" : "%lu", (unsigned long)o[i]);
	if (arc >= 0 && n < size)
		snprintf(buf + n, size - n, ".%ld", arc);
}

/* The ASN.1 type a value of this MIB syntax is sent as. */
static int asn_type(const char *syntax)
{
	static const struct {
		const char *syntax;
		int type;
	} types[] = {
		{ "DisplayString", ASN_OCTET_STR }, { "MboxName", ASN_OCTET_STR }, { "PhysAddress", ASN_OCTET_STR },
		{ "SnmpAdminString", ASN_OCTET_STR }, { "OctetString", ASN_OCTET_STR },
		{ "Enumeration", ASN_INTEGER }, { "Integer32", ASN_INTEGER }, { "InterfaceIndex", ASN_INTEGER },
		{ "RowStatus", ASN_INTEGER }, { "TruthValue", ASN_INTEGER }, { "IANAifType", ASN_INTEGER },
		{ "Unsigned32", ASN_UNSIGNED }, { "Gauge32", ASN_GAUGE }, { "Counter32", ASN_COUNTER },
		{ "Counter64", ASN_COUNTER64 }, { "TimeTicks", ASN_TIMETICKS }, { "TimeStamp", ASN_TIMETICKS },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].syntax, syntax))
			return types[i].type;
	return -1;
}

static void append(char *why, size_t size, const char *fmt, const char *a, const char *b, const char *c)
{
	size_t n = strlen(why);

	if (n < size)
		snprintf(why + n, size - n, fmt, a, b, c);
}

/* mib_oids.h: each node and each arc under it. */
static void check_arcs(void)
{
	const struct { /* not static: the compound literals are not constants */
		const char *node, *name;
		const oid *node_oid;
		size_t node_len;
		long arc;
	} arcs[] = {
#define MIB_ARC_ENTRY(node, name, arc) { #node, #name, (const oid[]){ OID_##node }, \
					 OID_LENGTH(((const oid[]){ OID_##node })), name },
		MIB_ARCS(MIB_ARC_ENTRY)
#undef MIB_ARC_ENTRY
	};
	char why[4096] = "", want[128];

	for (size_t i = 0; i < sizeof(arcs) / sizeof(arcs[0]); i++) {
		const struct def *node = def(arcs[i].node), *d = def(arcs[i].name);

		oid_text(want, sizeof(want), arcs[i].node_oid, arcs[i].node_len, -1);
		if (!node || strcmp(node->oid, want))
			append(why, sizeof(why), "%s is %s in C, %s in the MIB; ", arcs[i].node, want, node ? node->oid : "absent");
		oid_text(want, sizeof(want), arcs[i].node_oid, arcs[i].node_len, arcs[i].arc);
		if (!d || strcmp(d->oid, want))
			append(why, sizeof(why), "%s is %s in C, %s in the MIB; ", arcs[i].name, want, d ? d->oid : "absent");
	}
	check(!why[0], "mib_oids_arcs_match_the_mibs", "%s", why);
}

static const char *type_name(int type)
{
	return type == ASN_OCTET_STR ? "OCTET STRING" : type == ASN_INTEGER ? "INTEGER" : type == ASN_GAUGE ? "Gauge32/Unsigned32" :
	       type == ASN_COUNTER ? "Counter32" : type == ASN_COUNTER64 ? "Counter64" : type == ASN_TIMETICKS ? "TimeTicks" : "?";
}

static void check_table(const struct mib_table *t)
{
	const struct def *entry = def(t->name);
	char why[4096] = "", entry_oid[128], want[128], name[96];

	oid_text(entry_oid, sizeof(entry_oid), t->entry, t->entry_len, -1);
	if (!entry || strcmp(entry->oid, entry_oid))
		append(why, sizeof(why), "%s is %s in C, %s in the MIB; ", t->name, entry_oid, entry ? entry->oid : "absent");
	for (size_t c = 0; c < t->n_columns; c++) {
		const struct mib_column *col = &t->columns[c];
		const struct def *d = def(col->name);
		bool writable = d && (d->access[1] == 'w' || d->access[1] == 'c');

		oid_text(want, sizeof(want), t->entry, t->entry_len, col->number);
		if (!d || strcmp(d->oid, want)) {
			append(why, sizeof(why), "%s is %s in C, %s in the MIB; ", col->name, want, d ? d->oid : "absent");
			continue;
		}
		if (asn_type(d->syntax) != col->type)
			append(why, sizeof(why), "%s is sent as %s, the MIB says %s; ", col->name, type_name(col->type), d->syntax);
		/* IF-MIB lets an agent serve its writable columns read-only. */
		if (d->access[0] != 'r' || (col->write != W_NONE && !writable) ||
		    (col->write == W_NONE && writable && !strcmp(d->module, "MBOX-MIB")))
			append(why, sizeof(why), "%s is %s in C, %s in the MIB; ", col->name,
			       col->write != W_NONE ? "writable" : "read-only", d->access);
	}
	/* Every readable column of an MBOX-MIB table is served. */
	for (unsigned i = 0; i < n_defs; i++) {
		const struct def *d = &defs[i];
		size_t n = strlen(entry_oid);
		bool served = false;
		long number;

		if (strcmp(d->module, "MBOX-MIB") || d->access[0] != 'r' || strncmp(d->oid, entry_oid, n) ||
		    d->oid[n] != '.' || strchr(d->oid + n + 1, '.'))
			continue;
		number = strtol(d->oid + n + 1, NULL, 10);
		for (size_t c = 0; c < t->n_columns; c++)
			served |= t->columns[c].number == (unsigned long)number;
		if (!served && strcmp(d->access, "r-n") == 0 && strncmp(d->name, "mboxThresholdCrossed", 20))
			append(why, sizeof(why), "%s (%s) is in the MIB, not served%s; ", d->name, d->oid, "");
	}
	snprintf(name, sizeof(name), "mib_oids_%s", t->name);
	check(!why[0], name, "%s", why);
}

int main(void)
{
	read_mibs();
	check(n_defs > 200 && def("mboxPortName") && def("ifOperStatus") && def("snmpTrapOID") &&
	      def("mboxPortName")->syntax[0], "mib_oids_smidump_reads_the_mibs",
	      "%u definitions from `" SMIDUMP "` run in the repository root", n_defs, "identifiers");
	check_arcs();
	for (unsigned t = 0; mib_tables[t]; t++)
		check_table(mib_tables[t]);
	return check_failures ? 1 : 0;
}
