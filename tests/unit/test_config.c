/* Configuration validation: every error class is reported with file:line,
 * the field, and what was expected.  The line a case expects is the one
 * holding the marker comment "#!". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "sections.h"
#include "param.h"

#define DPDK "dpdk = { lcores = \"0,1\"; main_lcore = 1; };\n"
#define PORTS "ports = (\n { name = \"p0\"; device = \"net_null0\"; },\n { name = \"p1\"; device = \"net_null1\"; }\n);\n"
#define RX_TX "{ name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; },\n{ name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; }\n"
#define PASS_LINKS "links = ( \"rx0 -> tx1\" );\n"

struct config_case {
	const char *name;
	const char *text;
	const char *expect; /* substring of the error; NULL: valid */
};

static const struct config_case cases[] = {
	{ "valid_minimal", DPDK PORTS "elements = (\n" RX_TX ");\n" PASS_LINKS, NULL },
	{ "valid_chain", DPDK PORTS "elements = (\n" RX_TX ",\n"
	  "{ name = \"cls\"; kind = \"classifier\"; rules = ( { name = \"dns\"; proto = 17; dst_port = 53; }, { vlan = 7; } ); },\n"
	  "{ name = \"rw\"; kind = \"ether_rewrite\"; swap = true; src = \"02:00:00:00:00:01\"; },\n"
	  "{ name = \"d\"; kind = \"drop\"; }\n);\n"
	  "links = ( \"rx0 -> cls[dns] -> rw -> tx1\", \"cls[1] -> d\", \"cls[default] -> rw\" );\n", NULL },
	/* libconfig's words once, and the line they are about. */
	{ "syntax_error", DPDK "ports = ( { name = \"p0\"; device = ; } ); #!\n",
	  "error: syntax error in: ports = ( { name = \"p0\"; device = ; } ); #!\n" },
	{ "duplicate_setting", DPDK "ports = ( { name = \"p0\";\n name = \"p1\"; } ); #!\n",
	  "error: duplicate setting name in: name = \"p1\"; } ); #!\n" },
	/* Errors about a field point at the field, not at its section. */
	{ "main_lcore_at_its_line", "dpdk = { lcores = \"0,1\";\n main_lcore = 5; }; #!\n" PORTS,
	  "dpdk: field 'main_lcore': lcore 5 is not in lcores \"0,1\"" },
	{ "lcores_at_their_line", "dpdk = {\n lcores = \"0,x\"; #!\n main_lcore = 0; };\n" PORTS,
	  "dpdk: field 'lcores': \"0,x\" is not an lcore list" },
	{ "cpus_at_their_line", "dpdk = { lcores = \"0-3\";\n cpus = \"0-\"; #!\n main_lcore = 0; };\n" PORTS,
	  "dpdk: field 'cpus': \"0-\" is not a CPU list" },
	{ "port_device_at_its_line", DPDK "ports = (\n { name = \"p0\";\n device = \"eth0\"; } #!\n);\n",
	  "ports[0]: field 'device': \"eth0\" is neither a PCI address" },
	{ "port_name_at_its_line", DPDK "ports = (\n { device = \"net_null0\";\n name = \"0p\"; } #!\n);\n",
	  "ports[0]: field 'name': \"0p\" is not a name" },
	{ "port_rx_queues_at_its_line", DPDK "ports = (\n { name = \"p0\"; device = \"net_null0\";\n rx_queues = 2; #!\n"
	  " }\n);\n", "field 'rx_queues': 2 queues, expected at most 1" },
	{ "unknown_section", DPDK PORTS "frobnicate = 1; #!\n", "unknown section 'frobnicate', expected one of" },
	{ "unknown_port_field", DPDK "ports = (\n { name = \"p0\"; device = \"net_null0\";\n bogus = 1; } #!\n);\n",
	  "ports[0]: unknown field 'bogus', expected one of: name, device" },
	{ "wrong_type", DPDK "ports = (\n { name = \"p0\"; device = \"net_null0\";\n mtu = \"big\"; } #!\n);\n",
	  "ports[0]: field 'mtu': expected an integer from 68 to 9600" },
	{ "out_of_range", DPDK "ports = (\n { name = \"p0\"; device = \"net_null0\";\n mtu = 20; } #!\n);\n",
	  "field 'mtu': 20 is out of range, expected an integer from 68 to 9600" },
	{ "bad_device", DPDK "ports = (\n { name = \"p0\"; device = \"eth0\"; } #!\n);\n",
	  "field 'device': \"eth0\" is neither a PCI address" },
	{ "duplicate_device", DPDK "ports = (\n { name = \"p0\"; device = \"net_null0\"; },\n { name = \"p1\"; device = \"net_null0,size=64\"; } #!\n);\n",
	  "device \"net_null0\" is already used by port 'p0'" },
	{ "no_worker", "dpdk = { lcores = \"1\"; main_lcore = 1; }; #!\n" PORTS,
	  "dpdk: field 'lcores': \"1\" has no worker lcore" },
	{ "bad_lcores", "dpdk = { lcores = \"0,x\"; main_lcore = 0; }; #!\n" PORTS,
	  "\"0,x\" is not an lcore list" },
	{ "lcores_wrapping_negative", "dpdk = { lcores = \"0,-18446744073709551615\"; main_lcore = 0; }; #!\n" PORTS,
	  "\"0,-18446744073709551615\" is not an lcore list" },
	{ "lcores_beyond_64_bits", "dpdk = { lcores = \"0,18446744073709551617\"; main_lcore = 0; }; #!\n" PORTS,
	  "\"0,18446744073709551617\" is not an lcore list" },
	{ "too_few_mbufs", "dpdk = { lcores = \"0,1\"; main_lcore = 1;\n mbufs = 1023; }; #!\n" PORTS,
	  "dpdk: field 'mbufs': 1023 mbufs cannot fill the port rings and caches, expected at least" },
	{ "too_many_queues", DPDK "ports = (\n { name = \"p0\"; device = \"net_null0\"; rx_queues = 2; } #!\n);\n",
	  "field 'rx_queues': 2 queues, expected at most 1 (one per worker lcore)" },
	{ "unknown_kind", DPDK PORTS "elements = (\n{ name = \"x\";\n kind = \"teleporter\"; } #!\n);\n",
	  "element 'x': unknown element kind 'teleporter', expected one of: " },
	{ "missing_kind", DPDK PORTS "elements = (\n{ name = \"x\"; } #!\n);\n",
	  "element 'x': missing field 'kind'" },
	{ "unknown_element_param", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"c\"; kind = \"counter\";\n colour = 1; } #!\n);\n",
	  "element 'c': unknown field 'colour', expected one of: name, kind" },
	{ "missing_param", DPDK PORTS "elements = (\n{ name = \"rx0\"; kind = \"port_rx\"; } #!\n);\n",
	  "element 'rx0': missing field 'port' (the name of a port (a string))" },
	{ "unknown_port", DPDK PORTS "elements = (\n{ name = \"rx0\"; kind = \"port_rx\";\n port = \"nope\"; } #!\n);\n",
	  "element 'rx0': field 'port': unknown port 'nope', expected the name of a port in 'ports'" },
	{ "param_range", DPDK PORTS "elements = (\n{ name = \"rx0\"; kind = \"port_rx\"; port = \"p0\";\n burst = 1000; } #!\n);\n",
	  "element 'rx0': field 'burst': 1000 is out of range, expected an integer from 1 to 256" },
	{ "bad_mac", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"rw\"; kind = \"ether_rewrite\";\n src = \"zz:00\"; } #!\n);\n",
	  "element 'rw': field 'src': \"zz:00\" is not valid, expected a MAC address" },
	{ "nothing_to_rewrite", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"rw\"; kind = \"ether_rewrite\"; } #!\n);\n",
	  "element 'rw': nothing to rewrite" },
	{ "rule_matches_all", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"cls\"; kind = \"classifier\"; rules = (\n { name = \"all\"; } ); } #!\n);\n",
	  "element 'cls': rules[0] matches every packet" },
	{ "rule_port_without_proto", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"cls\"; kind = \"classifier\"; rules = (\n { dst_port = 53; } #!\n ); }\n);\n",
	  "element 'cls': rules[0] matches a port, expected proto = 6, 17 or 132" },
	{ "rule_field_type", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"cls\"; kind = \"classifier\"; rules = (\n { vlan = 5000; } #!\n ); }\n);\n",
	  "element 'cls': rules[0]: field 'vlan': 5000 is out of range, expected an integer from 0 to 4095" },
	{ "duplicate_element", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"rx0\"; kind = \"counter\"; } #!\n);\n",
	  "element 'rx0': defined twice" },
	{ "two_rx_one_port", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"rx0b\"; kind = \"port_rx\";\n port = \"p0\"; } #!\n);\n",
	  "port 'p0' is already received by element 'rx0'" },
	{ "link_missing_element", DPDK PORTS "elements = (\n" RX_TX ");\nlinks = (\n \"rx0 -> ghost -> tx1\" #!\n);\n",
	  "link \"rx0 -> ghost -> tx1\": unknown element 'ghost'" },
	{ "link_malformed", DPDK PORTS "elements = (\n" RX_TX ");\nlinks = (\n \"rx0 -> -> tx1\" #!\n);\n",
	  "is not an element reference, expected NAME or NAME[OUTPUT]" },
	{ "link_into_source", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"c\"; kind = \"counter\"; }\n);\nlinks = ( \"rx0 -> c -> tx1\",\n \"c -> rx0\" #!\n);\n",
	  "element 'rx0' (port_rx) is a source and takes no input" },
	{ "link_from_sink", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"c\"; kind = \"counter\"; }\n);\nlinks = ( \"rx0 -> c\",\n \"tx1 -> c\" #!\n);\n",
	  "element 'tx1' (port_tx) has no outputs" },
	{ "output_twice", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"d\"; kind = \"drop\"; }\n);\nlinks = ( \"rx0 -> tx1\",\n \"rx0 -> d\" #!\n);\n",
	  "output rx0[out] is already connected to 'tx1' at line" },
	{ "unnamed_output", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"cls\"; kind = \"classifier\"; rules = ( { proto = 1; } ); }\n);\nlinks = ( \"rx0 -> cls\",\n \"cls -> tx1\" #!\n);\n",
	  "element 'cls' (classifier) has 2 outputs, name one as cls[NAME] or cls[N]: [0] rule0, [1] default" },
	{ "output_number_wrapping_negative", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"cls\"; kind = \"classifier\"; rules = ( { proto = 1; } ); }\n);\n"
	  "links = ( \"rx0 -> cls\",\n \"cls[-18446744073709551615] -> tx1\", \"cls[0] -> tx1\" #!\n);\n",
	  "element 'cls' has no output '-18446744073709551615', expected one of: [0] rule0, [1] default" },
	{ "unknown_output", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"cls\"; kind = \"classifier\"; rules = ( { proto = 1; } ); }\n);\nlinks = ( \"rx0 -> cls\",\n \"cls[7] -> tx1\" #!\n);\n",
	  "element 'cls' has no output '7', expected one of: [0] rule0, [1] default" },
	{ "unconnected_output", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"cls\"; kind = \"classifier\"; rules = ( { proto = 1; } ); } #!\n);\nlinks = ( \"rx0 -> cls[0] -> tx1\" );\n",
	  "element 'cls': output [1] default is not connected" },
	{ "no_input", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"lonely\"; kind = \"counter\"; } #!\n);\nlinks = ( \"rx0 -> tx1\", \"lonely -> tx1\" );\n",
	  "element 'lonely': nothing links into it" },
	{ "cycle", DPDK PORTS "elements = (\n" RX_TX ",\n{ name = \"a\"; kind = \"counter\"; },\n{ name = \"b\"; kind = \"classifier\"; rules = ( { proto = 1; } ); }\n);\n"
	  "links = ( \"rx0 -> a -> b[default] -> tx1\",\n \"b[rule0] -> a\" #!\n);\n",
	  "links form a cycle (a -> b -> a), expected an acyclic graph" },
	{ "no_links", DPDK PORTS "elements = (\n" RX_TX ");\n",
	  "'links': expected a list of strings" },
	{ "snmp_unknown_field", DPDK PORTS "elements = (\n" RX_TX ");\n" PASS_LINKS
	  "snmp = {\n agentx = \"/x\"; }; #!\n", "snmp: unknown field 'agentx', expected one of: enabled, agentx_socket" },
	{ "snmp_short_passphrase", DPDK PORTS "elements = (\n" RX_TX ");\n" PASS_LINKS
	  "snmp = { users = ( { name = \"u\"; auth_pass = \"long enough\";\n priv_pass = \"short\"; } ); }; #!\n",
	  "snmp: users[0]: field 'priv_pass': passphrase too short, expected 8 characters or more" },
	{ "snmp_unknown_view", DPDK PORTS "elements = (\n" RX_TX ");\n" PASS_LINKS
	  "snmp = { users = ( { name = \"u\"; auth_pass = \"long enough\"; priv_pass = \"long enough\";\n view = \"admin\"; } ); }; #!\n",
	  "snmp: users[0]: field 'view': \"admin\" is not valid, expected one of \"full\", \"monitor\"" },
	{ "snmp_community_not_one_word", DPDK PORTS "elements = (\n" RX_TX ");\n" PASS_LINKS
	  "snmp = { communities = ( { name = \"public default\"; } ); }; #!\n",
	  "snmp: communities[0]: field 'name': \"public default\" is not one word, expected 1 to 32 printable characters" },
	{ "snmp_duplicate_user", DPDK PORTS "elements = (\n" RX_TX ");\n" PASS_LINKS
	  "snmp = { users = ( { name = \"u\"; auth_pass = \"long enough\"; priv_pass = \"long enough\"; },\n"
	  " { name = \"u\"; auth_pass = \"long enough\"; priv_pass = \"long enough\"; } ); }; #!\n",
	  "snmp: users[1]: field 'name': user 'u' is already users[0], expected unique names" },
	{ "threshold_range", DPDK PORTS "elements = (\n" RX_TX ");\n" PASS_LINKS
	  "thresholds = {\n core_busy = 150; }; #!\n",
	  "thresholds: field 'core_busy': 150 is out of range, expected an integer from 0 to 100" },
};

/* Row edits (mboxElementRowTable): replace, delete and append one item of
 * a list, as an SNMP SET of a row does. */
static void run_row_cases(const struct mbox_config *cfg)
{
	int cls = mbox_config_element_index(cfg, "cls");
	const struct mbox_param *rules = &cfg->elements[cls].kind->params[0];
	static const struct {
		const char *name;
		struct mbox_edit edit;
		const char *expect_row0, *expect_row1; /* substrings; NULL: row absent */
	} cases[] = {
		{ "row_set_replaces", { .op = EDIT_ROW_SET, .row = 0, .text = "name = \"udp\"; proto = 6;" },
		  "proto = 6", NULL },
		{ "row_insert_appends", { .op = EDIT_ROW_INSERT, .row = 1, .text = "{ name = \"icmp\"; proto = 1; }" },
		  NULL, NULL },
		{ "row_delete_removes", { .op = EDIT_ROW_DELETE, .row = 0 }, NULL, NULL },
	};
	struct mbox_diag d = { 0 };
	char row[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mbox_edit e = cases[i].edit;
		struct mbox_diag ed = { 0 };
		char *edited;
		struct mbox_config *next;
		int ncls;
		unsigned n;

		e.element = cls;
		e.param = rules;
		edited = mbox_config_edit(cfg, &e, 1, &ed);
		next = edited ? mbox_config_parse("set.cfg", edited, &ed) : NULL;
		/* The appended rule adds an output no link uses yet. */
		if (e.op == EDIT_ROW_INSERT) {
			const char *old = edited ? strstr(edited, "proto = 17") : NULL;
			const char *new = edited ? strstr(edited, "proto = 1;") : NULL;

			check(old && new && old < new && !next && strstr(ed.first, "output [1] icmp is not connected"),
			      cases[i].name, "got \"%s\" / %s", ed.first, edited ? edited : "(null)");
			free(edited);
			continue;
		}
		/* Deleting the only rule leaves an empty list: the kind needs one. */
		if (e.op == EDIT_ROW_DELETE) {
			check(edited && !next && strstr(ed.first, "0 items, expected 1 to"), cases[i].name, "got \"%s\"", ed.first);
			free(edited);
			continue;
		}
		ncls = next ? mbox_config_element_index(next, "cls") : -1;
		n = next ? mbox_param(&next->elements[ncls], "rules")->list.n : 0;
		check(next && n == (cases[i].expect_row1 ? 2u : 1u) &&
		      strstr(mbox_config_row_text(next, (unsigned)ncls, rules, 0, row, sizeof(row)), cases[i].expect_row0) &&
		      (!cases[i].expect_row1 ||
		       strstr(mbox_config_row_text(next, (unsigned)ncls, rules, 1, row, sizeof(row)), cases[i].expect_row1)),
		      cases[i].name, "%u rows, row text \"%s\", error \"%s\"", n, row, ed.first);
		free(edited);
		mbox_config_free(next);
	}
	check(mbox_config_check_row(cfg, rules, "element 'cls': rules row 2", "proto = 300;", &d) < 0 &&
	      strstr(d.first, "field 'proto': 300 is out of range"), "row_check_rejects_bad_item", "got \"%s\"", d.first);
	d = (struct mbox_diag){ 0 };
	check(mbox_config_check_row(cfg, rules, "element 'cls': rules row 2", "{ proto = 6; }", &d) == 0,
	      "row_check_accepts_item", "got \"%s\"", d.first);
}

/* SNMP SET values are checked by the same rules as the file, then applied
 * by editing the running text; check_value must refuse what the file would. */
static void run_set_cases(void)
{
	static const char text[] = DPDK PORTS "elements = (\n" RX_TX ",\n"
		"{ name = \"cls\"; kind = \"classifier\"; rules = ( { name = \"udp\"; proto = 17; } ); },\n"
		"{ name = \"rw\"; kind = \"ether_rewrite\"; swap = true; }\n);\n"
		"links = ( \"rx0 -> cls[udp] -> rw -> tx1\", \"cls[default] -> tx1\" );\n";
	static const struct { const char *name, *param, *value, *expect; } set_cases[] = {
		{ "set_bool_ok", "swap", "false", NULL },
		{ "set_bool_bad", "swap", "maybe", "field 'swap': \"maybe\" is not valid, expected true or false" },
		{ "set_mac_ok", "src", "02:00:00:00:00:0a", NULL },
		{ "set_mac_bad", "src", "02:00:00:00:00", "is not valid, expected a MAC address" },
		{ "set_list_ok", "rules", "( { name = \"udp\"; proto = 6; } )", NULL },
		{ "set_list_syntax", "rules", "( { name = ", "is not valid, expected a list of groups" },
		{ "set_list_field_range", "rules", "( { proto = 256; } )", "field 'proto': 256 is out of range" },
		{ "set_list_unknown_field", "rules", "( { port = 1; } )", "unknown field 'port'" },
		{ "set_control_char", "src", "02:00\n", "control character" },
	};
	struct mbox_diag d = { 0 };
	struct mbox_config *cfg = mbox_config_parse("set.cfg", text, &d);

	check(cfg != NULL, "set_base_config", "%s", d.first);
	if (!cfg)
		return;
	for (size_t i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
		int e = mbox_config_element_index(cfg, !strcmp(set_cases[i].param, "rules") ? "cls" : "rw");
		const struct mbox_kind *k = cfg->elements[e].kind;
		const struct mbox_param *q = &k->params[mbox_kind_param_index(k, set_cases[i].param)];
		struct mbox_diag sd = { 0 };
		int rc = mbox_config_check_value(cfg, q, "element", set_cases[i].value, &sd);

		if (!set_cases[i].expect)
			check(rc == 0, set_cases[i].name, "refused: %s", sd.first);
		else
			check(rc < 0 && strstr(sd.first, set_cases[i].expect), set_cases[i].name,
			      "expected \"%s\", got rc %d \"%s\"", set_cases[i].expect, rc, sd.first);
	}

	/* An edit that passes check_value can still break the graph: renaming
	 * the rule removes the output a link uses. */
	{
		int cls = mbox_config_element_index(cfg, "cls"), rw = mbox_config_element_index(cfg, "rw");
		struct mbox_edit ok[] = {
			{ .element = cls, .param = &cfg->elements[cls].kind->params[0], .text = "( { name = \"udp\"; proto = 6; } )" },
			{ .element = rw, .param = &cfg->elements[rw].kind->params[mbox_kind_param_index(cfg->elements[rw].kind, "src")],
			  .text = "02:00:00:00:00:0b" },
			{ .section = "thresholds", .param = mbox_threshold_param(THRESHOLD_DROP_RATE), .text = "500" },
		};
		struct mbox_edit broken[] = { { .element = cls, .param = &cfg->elements[cls].kind->params[0],
						.text = "( { name = \"tcp\"; proto = 6; } )" } };
		struct mbox_diag ed = { 0 };
		char *edited = mbox_config_edit(cfg, ok, 3, &ed);
		struct mbox_config *next = edited ? mbox_config_parse("set.cfg", edited, &ed) : NULL;
		char value[256];

		check(next && mbox_thresholds_cfg(next)->limit[THRESHOLD_DROP_RATE] == 500 &&
		      !strcmp(mbox_config_value_text(next, rw, ok[1].param, value, sizeof(value)), "02:00:00:00:00:0B") &&
		      strstr(mbox_config_value_text(next, cls, ok[0].param, value, sizeof(value)), "proto = 6"),
		      "set_edit_applies_all", "%s / %s", ed.first, edited ? edited : "(null)");
		free(edited);
		mbox_config_free(next);
		ed = (struct mbox_diag){ 0 };
		edited = mbox_config_edit(cfg, broken, 1, &ed);
		next = edited ? mbox_config_parse("set.cfg", edited, &ed) : NULL;
		check(!next && strstr(ed.first + ed.first_what, "no output 'udp'"), "set_edit_inconsistent",
		      "got \"%s\"", ed.first);
		free(edited);
		mbox_config_free(next);
	}
	run_row_cases(cfg);
	mbox_config_free(cfg);
}

static int marker_line(const char *text)
{
	const char *m = strstr(text, "#!");
	int line = 1;

	for (const char *p = text; m && p < m; p++)
		line += *p == '\n';
	return m ? line : 0;
}

static void run_case(const struct config_case *c)
{
	char path[] = "/tmp/mbox-test-XXXXXX";
	int fd = mkstemp(path);
	char *out = NULL, want[128];
	size_t out_len = 0;
	struct mbox_diag d = { 0 };
	struct mbox_config *cfg;

	if (fd < 0 || write(fd, c->text, strlen(c->text)) != (ssize_t)strlen(c->text)) {
		check(0, c->name, "cannot write %s", path);
		return;
	}
	close(fd);
	d.out = open_memstream(&out, &out_len);
	cfg = mbox_config_load(path, &d);
	fclose(d.out);
	if (marker_line(c->text))
		snprintf(want, sizeof(want), "%s:%d: error: ", path, marker_line(c->text));
	else
		snprintf(want, sizeof(want), "%s: error: ", path);
	if (!c->expect)
		check(cfg != NULL && d.errors == 0, c->name, "valid config rejected:\n%s", out);
	else
		check(!cfg && strstr(out, want) && strstr(out, c->expect), c->name,
		      "expected \"%s%s\", got:\n%s", want, c->expect, out);
	mbox_config_free(cfg);
	free(out);
	unlink(path);
}

/* The address, prefix, range and choice parameter types, as element
 * kinds declare them. */
static void run_value_type_cases(void)
{
	static const char *const actions[] = { "permit", "deny", NULL };
	static const struct {
		struct mbox_param q;
		const char *text;
		bool ok;
		uint64_t a, b; /* ip.addr/len or range lo/hi or enum index */
	} cases[] = {
		{ { .name = "ip", .type = MBOX_P_IPV4 }, "192.0.2.1", true, 0xc0000201, 32 },
		{ { .name = "ip", .type = MBOX_P_IPV4 }, "192.0.2", false, 0, 0 },
		{ { .name = "ip", .type = MBOX_P_IPV4 }, "192.0.2.256", false, 0, 0 },
		{ { .name = "pfx", .type = MBOX_P_PREFIX }, "10.0.0.0/8", true, 0x0a000000, 8 },
		{ { .name = "pfx", .type = MBOX_P_PREFIX }, "0.0.0.0/0", true, 0, 0 },
		{ { .name = "pfx", .type = MBOX_P_PREFIX }, "10.1.2.3", true, 0x0a010203, 32 },
		{ { .name = "pfx", .type = MBOX_P_PREFIX }, "10.1.0.0/8", false, 0, 0 },
		{ { .name = "pfx", .type = MBOX_P_PREFIX }, "10.0.0.0/33", false, 0, 0 },
		{ { .name = "pfx", .type = MBOX_P_PREFIX }, "10.0.0.0/", false, 0, 0 },
		{ { .name = "r", .type = MBOX_P_RANGE, .max = 65535 }, "1024-2047", true, 1024, 2047 },
		{ { .name = "r", .type = MBOX_P_RANGE, .max = 65535 }, "80", true, 80, 80 },
		{ { .name = "r", .type = MBOX_P_RANGE, .max = 65535 }, "2047-1024", false, 0, 0 },
		{ { .name = "r", .type = MBOX_P_RANGE, .max = 65535 }, "1-65536", false, 0, 0 },
		{ { .name = "r", .type = MBOX_P_RANGE, .max = 65535 }, "-5", false, 0, 0 },
		{ { .name = "a", .type = MBOX_P_ENUM, .choices = actions }, "deny", true, 1, 0 },
		{ { .name = "a", .type = MBOX_P_ENUM, .choices = actions }, "allow", false, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mbox_value v = { 0 };
		char msg[256] = "", name[64];
		bool ok = mbox_value_from_text(&cases[i].q, cases[i].text, &v, msg, sizeof(msg)) == 0;
		uint64_t a = cases[i].q.type == MBOX_P_RANGE ? v.range.lo : cases[i].q.type == MBOX_P_ENUM ? v.u : v.ip.addr;
		uint64_t b = cases[i].q.type == MBOX_P_RANGE ? v.range.hi : cases[i].q.type == MBOX_P_ENUM ? 0 : v.ip.len;

		snprintf(name, sizeof(name), "value_%s_%s_%s", cases[i].q.name, cases[i].text, ok ? "accepted" : "rejected");
		for (char *c = name; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '_')
				*c = '_';
		check(ok == cases[i].ok && (!ok ? strstr(msg, "expected") != NULL : a == cases[i].a && b == cases[i].b),
		      name, "got %s (%s) a=%lu b=%lu", ok ? "accepted" : "rejected", msg, a, b);
	}
}

int main(void)
{
	run_value_type_cases();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	run_set_cases();
	return check_failures ? 1 : 0;
}
