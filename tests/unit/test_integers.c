/* Integers read exactly: every integer field of every section, element kind
 * and list-of-groups item is range-checked on the value its literal denotes,
 * in the file and in a manager's SET text.  libconfig 1.5 alone keeps 32 bits
 * (4294967297 reads as 1), so the values just past 2^32 are the ones that
 * would slip through as small numbers. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf_internal.h"
#include "param.h"
#include "sections.h"

#define BASE "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n" \
	"ports = ( { name = \"p0\"; device = \"net_null0\"; }, { name = \"p1\"; device = \"net_null1\"; } );\n" \
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; },\n" \
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; } );\n" \
	"links = ( \"rx0 -> tx1\" );\n"

typedef unsigned __int128 u128;

/* One literal and the value it denotes (negative: below zero). */
struct literal {
	char text[64];
	u128 value;
	bool negative;
};

static void u128_text(u128 x, char *buf, size_t size)
{
	char digits[48];
	int n = 0;

	do {
		digits[n++] = (char)('0' + (int)(x % 10));
		x /= 10;
	} while (x);
	for (int i = 0; i < n && (size_t)i + 1 < size; i++)
		buf[i] = digits[n - 1 - i];
	buf[(size_t)n < size ? (size_t)n : size - 1] = '\0';
}

static unsigned boundary_literals(uint64_t min, uint64_t max, struct literal *out)
{
	const u128 two32 = (u128)1 << 32, two63 = (u128)1 << 63, two64 = (u128)1 << 64;
	const u128 values[] = { min, max, (u128)max + 1, two32 + min, two32 + max, (u128)1 << 31,
				two63, two63 + min, two64 + min, two64 * 1000 + min };
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		out[n].negative = false;
		out[n].value = values[i];
		u128_text(values[i], out[n].text, sizeof(out[n].text));
		n++;
	}
	/* Hex and leading zeros: the same values written otherwise. */
	out[n] = (struct literal){ .value = two32 + min };
	snprintf(out[n++].text, sizeof(out[0].text), "0x1%08" PRIX64, min);
	out[n] = (struct literal){ .value = max };
	snprintf(out[n++].text, sizeof(out[0].text), "0x%" PRIx64, max);
	out[n] = (struct literal){ .value = max };
	snprintf(out[n++].text, sizeof(out[0].text), "000%" PRIu64, max);
	out[n] = (struct literal){ .value = max };
	snprintf(out[n++].text, sizeof(out[0].text), "%" PRIu64 "L", max);
	out[n] = (struct literal){ .value = 1, .negative = true };
	snprintf(out[n++].text, sizeof(out[0].text), "-1");
	out[n] = (struct literal){ .value = two32 - min, .negative = true };
	u128_text(two32 - min, out[n].text + 1, sizeof(out[0].text) - 1);
	out[n++].text[0] = '-';
	return n;
}

static bool in_range(const struct literal *l, uint64_t min, uint64_t max)
{
	return !l->negative && l->value >= min && l->value <= max;
}

/* Check `text` (a value, or one list row when `row`) for q; the errors
 * reported into *out. */
static int check_text(const struct mbox_config *cfg, const struct mbox_param *q, bool row,
		      const char *text, char **out)
{
	size_t len = 0;
	struct mbox_diag d = { 0 };
	int rc;

	d.out = open_memstream(out, &len);
	rc = row ? mbox_config_check_row(cfg, q, "t", text, &d) : mbox_config_check_value(cfg, q, "t", text, &d);
	fclose(d.out);
	return rc;
}

/* Every boundary literal for integer field f, given as a SET value of q
 * (q == f) or in a list row of q (f one of its fields). */
static void check_field(const struct mbox_config *cfg, const char *owner, const struct mbox_param *q,
			const struct mbox_param *f)
{
	struct literal lits[24];
	unsigned n = boundary_literals(f->min, f->max, lits), bad = 0;
	char name[128], first[512] = "";

	for (unsigned i = 0; i < n; i++) {
		char text[256], want[256], *out = NULL;
		bool ok = in_range(&lits[i], f->min, f->max), good;
		int rc;

		if (q == f)
			snprintf(text, sizeof(text), "%.63s", lits[i].text);
		else
			snprintf(text, sizeof(text), "{ %.32s = %.63s; }", f->name, lits[i].text);
		rc = check_text(cfg, q, q != f, text, &out);
		snprintf(want, sizeof(want), "field '%.32s': %.63s is out of range, expected an integer from %" PRIu64
			 " to %" PRIu64, f->name, lits[i].text, f->min, f->max);
		if (ok) { /* a row may miss other required fields: only f's verdict counts */
			snprintf(want, sizeof(want), "field '%s': ", f->name);
			good = q == f ? rc == 0 : !strstr(out, want);
		} else
			good = rc < 0 && strstr(out, want);
		if (!good && bad++ == 0)
			snprintf(first, sizeof(first), "%s %s: rc %d, %s", text, ok ? "should pass" : "should fail", rc,
				 out);
		free(out);
	}
	snprintf(name, sizeof(name), "integers_%s_%s%s%s", owner, q->name, q == f ? "" : "_", q == f ? "" : f->name);
	check(bad == 0, name, "%u of %u literals misread; first: %s", bad, n, first);
}

static void check_schema(const struct mbox_config *cfg, const char *owner, const struct mbox_param *schema)
{
	for (const struct mbox_param *q = schema; q && q->name; q++) {
		if (q->type == MBOX_P_UINT)
			check_field(cfg, owner, q, q);
		if (q->type == MBOX_P_LIST)
			for (const struct mbox_param *f = q->fields; f->name; f++)
				if (f->type == MBOX_P_UINT)
					check_field(cfg, owner, q, f);
	}
}

/* SET text: every kind's integer parameters and list-of-groups fields,
 * and the integer fields of the group sections. */
static void run_set_texts(const struct mbox_config *cfg)
{
	static const char *const sections[] = { "dpdk", "snmp", "thresholds" };

	for (const struct mbox_kind *k = mbox_kind_first(); k; k = k->next)
		check_schema(cfg, k->name, k->params);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		check_schema(cfg, sections[i], mbox_section_find(sections[i])->schema);
}

/* A whole file: `line` (1-based) of text holds the literal. */
static void file_case(const char *name, const char *text, int line, const char *expect)
{
	struct mbox_diag d = { 0 };
	char *out = NULL, want[64];
	size_t len = 0;
	struct mbox_config *cfg;

	d.out = open_memstream(&out, &len);
	cfg = mbox_config_parse("t.cfg", text, &d);
	fclose(d.out);
	snprintf(want, sizeof(want), "t.cfg:%d: error: ", line);
	if (!expect)
		check(cfg != NULL, name, "rejected:\n%s", out);
	else
		check(!cfg && strstr(out, want) && strstr(out, expect) && d.errors == 1, name,
		      "expected \"%s%s\" once, got:\n%s", want, expect, out);
	mbox_config_free(cfg);
	free(out);
}

/* The file: each section's integers, an element's, one inside a list of
 * groups; the values that wrap to a valid one in 32 bits. */
static void run_files(void)
{
	static const struct { const char *name, *text; int line; const char *expect; } cases[] = {
		{ "file_main_lcore_2p32_plus_1", "dpdk = { lcores = \"0,1\";\n main_lcore = 4294967297; };\n", 2,
		  "dpdk: field 'main_lcore': 4294967297 is out of range, expected an integer from 0 to 127" },
		{ "file_memory_mb_wraps_to_256", "dpdk = {\n memory_mb = 4294967552; };\n", 2,
		  "dpdk: field 'memory_mb': 4294967552 is out of range, expected an integer from 32 to 1048576" },
		{ "file_mbufs_hex", "dpdk = {\n mbufs = 0x100003FFF; };\n", 2,
		  "dpdk: field 'mbufs': 0x100003FFF is out of range" },
		{ "file_port_rx_desc_2p64", "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_null0\";\n rx_desc = 18446744073709552640; } );\n", 3,
		  "ports[0]: field 'rx_desc': 18446744073709552640 is out of range, expected an integer from 64 to 16384" },
		{ "file_port_mtu_negative", "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_null0\";\n mtu = -4294965796; } );\n", 3,
		  "ports[0]: field 'mtu': -4294965796 is out of range" },
		{ "file_snmp_ping_interval_2p63", BASE "snmp = {\n ping_interval = 9223372036854775813; };\n", 7,
		  "snmp: field 'ping_interval': 9223372036854775813 is out of range, expected an integer from 1 to 3600" },
		{ "file_threshold_2p32_plus_50", BASE "thresholds = {\n core_busy = 4294967346; };\n", 7,
		  "thresholds: field 'core_busy': 4294967346 is out of range, expected an integer from 0 to 100" },
		{ "file_element_param_wraps_to_32", "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_null0\"; }, { name = \"p1\"; device = \"net_null1\"; } );\n"
		  "elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\";\n burst = 4294967328; },\n"
		  " { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; } );\n"
		  "links = ( \"rx0 -> tx1\" );\n", 4,
		  "element 'rx0': field 'burst': 4294967328 is out of range, expected an integer from 1 to 256" },
		{ "file_rule_proto_wraps_to_udp", "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_null0\"; }, { name = \"p1\"; device = \"net_null1\"; } );\n"
		  "elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; },\n"
		  " { name = \"cls\"; kind = \"classifier\"; rules = ( { name = \"udp\";\n proto = 4294967313; } ); },\n"
		  " { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; } );\n"
		  "links = ( \"rx0 -> cls[udp] -> tx1\", \"cls[default] -> tx1\" );\n", 5,
		  "element 'cls': rules[0]: field 'proto': 4294967313 is out of range, expected an integer from 0 to 255" },
		{ "file_burst_leading_zeros_is_decimal", "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
		  "ports = ( { name = \"p0\"; device = \"net_null0\"; }, { name = \"p1\"; device = \"net_null1\"; } );\n"
		  "elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\";\n burst = 0300; },\n"
		  " { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; } );\n"
		  "links = ( \"rx0 -> tx1\" );\n", 4,
		  "element 'rx0': field 'burst': 0300 is out of range, expected an integer from 1 to 256" },
		{ "file_threshold_above_2p31_exact", BASE "thresholds = {\n drop_rate = 4294967295; };\n", 0, NULL },
		{ "file_include_refused", BASE "@include \"/dev/null\"\n", 6, "@include is not supported" },
		{ "file_integer_in_string_and_comment", BASE "# 4294967297\nthresholds = { /* 0x1FFFFFFFF */\n"
		  " drop_rate = 7; }; // 99999999999999999999\n", 0, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		file_case(cases[i].name, cases[i].text, cases[i].line, cases[i].expect);
}

/* Values above 2^31 that a field allows arrive exact, in the file and
 * through an edit, and survive the text an edit writes. */
static void run_exact_values(void)
{
	struct mbox_diag d = { 0 };
	struct mbox_config *cfg = mbox_config_parse("t.cfg", BASE "thresholds = { drop_rate = 0xFFFFFFFF; };\n", &d);
	struct mbox_edit edit = { .section = "thresholds", .param = mbox_threshold_param(THRESHOLD_CORE_BUSY),
				  .text = "50" };
	char *edited;
	struct mbox_config *next;

	check(cfg && mbox_thresholds_cfg(cfg)->limit[THRESHOLD_DROP_RATE] == 4294967295u, "exact_hex_2p32_minus_1",
	      "%s", d.first);
	if (!cfg)
		return;
	/* Another field's edit rewrites the whole text: drop_rate stays. */
	edited = mbox_config_edit(cfg, &edit, 1, &d);
	next = edited ? mbox_config_parse("t.cfg", edited, &d) : NULL;
	check(next && mbox_thresholds_cfg(next)->limit[THRESHOLD_DROP_RATE] == 4294967295u &&
	      mbox_thresholds_cfg(next)->limit[THRESHOLD_CORE_BUSY] == 50, "exact_survives_edit", "%s / %s", d.first,
	      edited ? edited : "(null)");
	free(edited);
	mbox_config_free(next);
	edit = (struct mbox_edit){ .section = "thresholds", .param = mbox_threshold_param(THRESHOLD_DROP_RATE),
				   .text = "3000000000" };
	edited = mbox_config_edit(cfg, &edit, 1, &d);
	next = edited ? mbox_config_parse("t.cfg", edited, &d) : NULL;
	check(next && mbox_thresholds_cfg(next)->limit[THRESHOLD_DROP_RATE] == 3000000000u, "exact_edit_above_2p31",
	      "%s / %s", d.first, edited ? edited : "(null)");
	free(edited);
	mbox_config_free(next);
	/* An edit that skipped the check still cannot wrap: the re-read refuses. */
	edit.text = "4294967396";
	edited = mbox_config_edit(cfg, &edit, 1, &d);
	next = edited ? mbox_config_parse("t.cfg", edited, &d) : NULL;
	check(!next, "exact_unchecked_edit_refused", "%s", edited ? edited : "(null)");
	free(edited);
	mbox_config_free(next);
	mbox_config_free(cfg);
}

/* The SET text form of an integer: what a manager may type. */
static void run_set_forms(const struct mbox_config *cfg)
{
	static const struct { const char *text; bool ok; uint64_t value; } forms[] = {
		{ "100", true, 100 }, { "0100", true, 100 }, { "0x64", true, 100 }, { " 100 ", true, 100 },
		{ "100L", true, 100 }, { "+100", true, 100 },
		{ "2147483648", false, 0 }, { "4294967296", false, 0 }, { "4294967396", false, 0 },
		{ "9223372036854775808", false, 0 }, { "18446744073709551616", false, 0 }, { "-1", false, 0 },
		{ "-0x1", false, 0 }, { "100abc", false, 0 }, { "100;", false, 0 }, { "100; x = 1", false, 0 },
		{ "1e2", false, 0 }, { "100.0", false, 0 }, { "", false, 0 }, { "0x", false, 0 }, { "\"100\"", false, 0 },
	};
	const struct mbox_param *q = mbox_threshold_param(THRESHOLD_CORE_BUSY);

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *out = NULL, name[96];
		int rc = check_text(cfg, q, false, forms[i].text, &out);

		snprintf(name, sizeof(name), "set_form_%zu_%s_%s", i, forms[i].text, forms[i].ok ? "accepted" : "refused");
		for (char *c = name; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				*c = '_';
		check(forms[i].ok ? rc == 0 : rc < 0 && strstr(out, "field 'core_busy'") && strstr(out, "expected"),
		      name, "rc %d: %s", rc, out);
		free(out);
	}
}

/* The literal reader on its own: what each literal denotes. */
static void run_literals(void)
{
	static const struct { const char *text; bool ok, negative, huge; uint64_t magnitude; } cases[] = {
		{ "0", true, false, false, 0 }, { "-0", true, false, false, 0 }, { "007", true, false, false, 7 },
		{ "0x1F", true, false, false, 31 }, { "0XffffffffffffffffL", true, false, false, UINT64_MAX },
		{ "0x10000000000000000", true, false, true, 0 }, { "18446744073709551615", true, false, false, UINT64_MAX },
		{ "18446744073709551616", true, false, true, 0 }, { "-9223372036854775808L", true, true, false, 1ull << 63 },
		{ "+5LL", true, false, false, 5 }, { "5LLL", false, false, false, 0 }, { "", false, false, false, 0 },
		{ "-", false, false, false, 0 }, { "0x", false, false, false, 0 }, { "1.0", false, false, false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mbox_int v;
		bool ok = mbox_int_parse(cases[i].text, strlen(cases[i].text), &v);
		char name[64];

		snprintf(name, sizeof(name), "literal_%zu_%s", i, cases[i].ok ? "read" : "refused");
		check(ok == cases[i].ok && (!ok || (v.negative == cases[i].negative && v.huge == cases[i].huge &&
						    (v.huge || v.magnitude == cases[i].magnitude))),
		      name, "\"%s\": ok %d negative %d huge %d magnitude %" PRIu64, cases[i].text, ok, v.negative, v.huge,
		      v.magnitude);
	}
}

int main(void)
{
	struct mbox_diag d = { .out = stderr };
	struct mbox_config *cfg = mbox_config_parse("base.cfg", BASE, &d);

	run_literals();
	run_files();
	run_exact_values();
	check(cfg != NULL, "integers_base_config", "%s", d.first);
	if (cfg) {
		run_set_texts(cfg);
		run_set_forms(cfg);
	}
	mbox_config_free(cfg);
	return check_failures ? 1 : 0;
}
