/* Configuration parsing and validation (no DPDK calls in here). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "param.h"

struct parse {
	struct mbox_config *cfg;
	struct mbox_diag *d;
	const char *text; /* the text being parsed */
};

static const char *line_start(const char *text, int line)
{
	for (int l = 1; text && l < line; l++) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	return text;
}

static bool line_holds(const char *text, int line, const char *quoted)
{
	const char *at = line_start(text, line), *end;

	if (!at || line < 1)
		return false;
	end = strchr(at, '\n');
	at = strstr(at, quoted);
	return at && (!end || at < end);
}

/* libconfig dates a scalar inside a list by the token after it, so the last
 * item of a multi-line list is placed on the line of the closing ')'.  Find
 * the string on the reported line or the one before. */
static int string_item_line(struct parse *p, const config_setting_t *s)
{
	int line = config_setting_source_line(s);
	char quoted[512];

	snprintf(quoted, sizeof(quoted), "\"%s\"", config_setting_get_string(s));
	if (!line_holds(p->text, line, quoted) && line_holds(p->text, line - 1, quoted))
		return line - 1;
	return line;
}

static const char *file_of(const struct parse *p, const config_setting_t *s)
{
	const char *f = s ? config_setting_source_file(s) : NULL;

	return f ? f : p->cfg->file;
}

static int line_of(struct parse *p, const config_setting_t *s)
{
	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING && !config_setting_name(s))
		return string_item_line(p, s);
	return config_setting_source_line(s);
}

#define ERR(p, s, ...) mbox_diag_error((p)->d, file_of(p, s), line_of(p, s), __VA_ARGS__)

static const struct mbox_param dpdk_schema[] = {
	{ .name = "lcores", .type = MBOX_P_STRING, .def = "0,1",
	  .help = "EAL lcore list: the main (control) lcore and the workers" },
	{ .name = "main_lcore", .type = MBOX_P_UINT, .def = "0", .max = MBOX_MAX_LCORES - 1,
	  .help = "lcore of the control thread; every other lcore is a worker" },
	{ .name = "memory_mb", .type = MBOX_P_UINT, .def = "256", .min = 32, .max = 1 << 20,
	  .help = "hugepage memory reserved at start, in MiB" },
	{ .name = "mbufs", .type = MBOX_P_UINT, .def = "16383", .min = 1023, .max = 1 << 24,
	  .help = "packet buffers in the pool" },
	{ .name = "file_prefix", .type = MBOX_P_STRING, .def = "mbox",
	  .help = "EAL --file-prefix, unique per DPDK process on a host" },
	{ .name = "eal_args", .type = MBOX_P_STRLIST, .optional = true,
	  .help = "extra EAL arguments, appended as given" },
	{ .name = "element_cycles", .type = MBOX_P_BOOL, .def = "false",
	  .help = "time every element's bursts with the TSC (cycles in the statistics and the MIB); "
		  "costs two TSC reads per element and walk" },
	{ 0 }
};

static const struct mbox_param port_schema[] = {
	{ .name = "name", .type = MBOX_P_STRING, .help = "port name used by port_rx/port_tx" },
	{ .name = "device", .type = MBOX_P_STRING,
	  .help = "PCI address (0000:00:04.0) or vdev string (net_tap0,iface=mbox0)" },
	{ .name = "rx_queues", .type = MBOX_P_UINT, .optional = true, .min = 1, .max = MBOX_MAX_LCORES,
	  .help = "RSS receive queues (default: one per worker)" },
	{ .name = "rx_desc", .type = MBOX_P_UINT, .def = "1024", .min = 64, .max = 16384,
	  .help = "receive ring size" },
	{ .name = "tx_desc", .type = MBOX_P_UINT, .def = "1024", .min = 64, .max = 16384,
	  .help = "transmit ring size" },
	{ .name = "mtu", .type = MBOX_P_UINT, .optional = true, .min = 68, .max = 9600,
	  .help = "MTU in bytes (default: the device's)" },
	{ .name = "promiscuous", .type = MBOX_P_BOOL, .def = "true",
	  .help = "receive every frame, not only those for the port's MAC" },
	{ 0 }
};

static const char *const element_keys[] = { "name", "kind", NULL };

static bool valid_identifier(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MBOX_NAME_MAX || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static bool key_known(const char *key, const struct mbox_param *schema,
		      const char *const *extra)
{
	for (const struct mbox_param *q = schema; q->name; q++)
		if (!strcmp(q->name, key))
			return true;
	for (; extra && *extra; extra++)
		if (!strcmp(*extra, key))
			return true;
	return false;
}

static void list_keys(char *buf, size_t size, const struct mbox_param *schema,
		      const char *const *extra)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; extra && *extra; extra++)
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? ", " : "", *extra);
	for (const struct mbox_param *q = schema; q->name; q++)
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? ", " : "", q->name);
}

static int parse_group(struct parse *p, const config_setting_t *group,
		       const struct mbox_param *schema, const char *const *extra,
		       const char *what, struct mbox_value *out);

static int parse_value(struct parse *p, const config_setting_t *s,
		       const struct mbox_param *q, const char *what,
		       struct mbox_value *v)
{
	char msg[256];
	int type = config_setting_type(s);

	v->line = config_setting_source_line(s);
	switch (q->type) {
	case MBOX_P_UINT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		{
			long long x = config_setting_get_int64(s);

			if (x < 0 || (uint64_t)x < q->min || (uint64_t)x > q->max) {
				ERR(p, s, "%s: field '%s': %lld is out of range, expected %s",
				    what, q->name, x, mbox_ptype_text(q));
				return -1;
			}
			v->u = (uint64_t)x;
		}
		break;
	case MBOX_P_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		v->b = config_setting_get_bool(s);
		break;
	case MBOX_P_STRING:
	case MBOX_P_MAC:
	case MBOX_P_PORT:
	case MBOX_P_IPV4:
	case MBOX_P_PREFIX:
	case MBOX_P_RANGE:
	case MBOX_P_ENUM:
		if (type != CONFIG_TYPE_STRING) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		if (q->type == MBOX_P_PORT) {
			const char *name = config_setting_get_string(s);
			int idx = mbox_config_port_index(p->cfg, name);

			if (idx < 0) {
				ERR(p, s, "%s: field '%s': unknown port '%s', expected the name of a port in 'ports'",
				    what, q->name, name);
				return -1;
			}
			v->port = (unsigned)idx;
			break;
		}
		if (mbox_value_from_text(q, config_setting_get_string(s), v, msg, sizeof(msg)) < 0) {
			ERR(p, s, "%s: field '%s': %s", what, q->name, msg);
			return -1;
		}
		break;
	case MBOX_P_STRLIST:
	case MBOX_P_LIST: {
		unsigned n = (unsigned)config_setting_length(s);
		bool strings = q->type == MBOX_P_STRLIST;
		unsigned nf = strings ? 1 : mbox_params_count(q->fields);
		int bad = 0;

		if (type != CONFIG_TYPE_LIST && !(strings && type == CONFIG_TYPE_ARRAY)) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		if (q->max && (n < q->min || n > q->max)) {
			ERR(p, s, "%s: field '%s': %u items, expected %" PRIu64 " to %" PRIu64,
			    what, q->name, n, q->min, q->max);
			return -1;
		}
		v->list.n = n;
		v->list.items = mbox_config_alloc(p->cfg, (n ? n : 1) * nf * sizeof(*v->list.items));
		for (unsigned i = 0; i < n; i++) {
			const config_setting_t *item = config_setting_get_elem(s, i);
			char item_what[128];

			snprintf(item_what, sizeof(item_what), "%s: %s[%u]", what, q->name, i);
			if (strings) {
				if (config_setting_type(item) != CONFIG_TYPE_STRING) {
					ERR(p, item, "%s: expected a string", item_what);
					bad = -1;
					continue;
				}
				v->list.items[i].present = true;
				v->list.items[i].line = line_of(p, item);
				v->list.items[i].s = config_setting_get_string(item);
			} else if (config_setting_type(item) != CONFIG_TYPE_GROUP) {
				ERR(p, item, "%s: expected a group { ... }", item_what);
				bad = -1;
			} else if (parse_group(p, item, q->fields, NULL, item_what,
					       &v->list.items[i * nf]) < 0) {
				bad = -1;
			}
		}
		if (bad)
			return -1;
		break;
	}
	}
	v->present = true;
	return 0;
}

/* Read every field of `schema` from `group` into out[], applying defaults and
 * rejecting unknown keys.  Keys in `extra` are allowed and read by the caller.
 * A NULL group (an absent section) yields the defaults. */
static int parse_group(struct parse *p, const config_setting_t *group,
		       const struct mbox_param *schema, const char *const *extra,
		       const char *what, struct mbox_value *out)
{
	int rc = 0;
	char keys[512], msg[256];

	for (int i = 0; group && i < config_setting_length(group); i++) {
		const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
		const char *key = config_setting_name(m);

		if (!key_known(key, schema, extra)) {
			list_keys(keys, sizeof(keys), schema, extra);
			ERR(p, m, "%s: unknown field '%s', expected one of: %s", what, key, keys);
			rc = -1;
		}
	}
	for (unsigned i = 0; schema[i].name; i++) {
		const struct mbox_param *q = &schema[i];
		const config_setting_t *m = group ? config_setting_get_member(group, q->name) : NULL;

		memset(&out[i], 0, sizeof(out[i]));
		if (m) {
			if (parse_value(p, m, q, what, &out[i]) < 0)
				rc = -1;
		} else if (q->def) {
			if (mbox_value_from_text(q, q->def, &out[i], msg, sizeof(msg)) < 0) {
				ERR(p, group, "%s: default of '%s': %s", what, q->name, msg);
				rc = -1;
			}
		} else if (!q->optional) {
			ERR(p, group, "%s: missing field '%s' (%s)", what, q->name, mbox_ptype_text(q));
			rc = -1;
		}
	}
	return rc;
}

/* "0,1,4-6" -> lcore set. */
static int parse_lcores(const char *text, bool set[MBOX_MAX_LCORES])
{
	const char *s = text;

	memset(set, 0, MBOX_MAX_LCORES * sizeof(bool));
	while (*s) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s || lo >= MBOX_MAX_LCORES)
			return -1;
		s = end;
		if (*s == '-') {
			s++;
			hi = strtoul(s, &end, 10);
			if (end == s || hi >= MBOX_MAX_LCORES || hi < lo)
				return -1;
			s = end;
		}
		for (unsigned long c = lo; c <= hi; c++)
			set[c] = true;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

static int parse_dpdk(struct parse *p, const config_setting_t *root)
{
	struct mbox_dpdk_cfg *dc = &p->cfg->dpdk;
	const config_setting_t *s = config_setting_get_member(root, "dpdk");
	struct mbox_value v[RTE_DIM(dpdk_schema)];
	bool set[MBOX_MAX_LCORES];
	const config_setting_t *at = s ? s : root;

	if (s && config_setting_type(s) != CONFIG_TYPE_GROUP) {
		ERR(p, s, "'dpdk': expected a group { ... }");
		return -1;
	}
	if (parse_group(p, s, dpdk_schema, NULL, "dpdk", v) < 0)
		return -1;
	dc->lcores = v[0].s;
	dc->main_lcore = (unsigned)v[1].u;
	dc->memory_mb = (unsigned)v[2].u;
	dc->mbufs = (unsigned)v[3].u;
	dc->file_prefix = v[4].s;
	dc->n_eal_args = v[5].present ? v[5].list.n : 0;
	dc->eal_args = mbox_config_alloc(p->cfg, (dc->n_eal_args + 1) * sizeof(char *));
	for (unsigned i = 0; i < dc->n_eal_args; i++)
		dc->eal_args[i] = v[5].list.items[i].s;
	dc->element_cycles = v[6].b;

	if (parse_lcores(dc->lcores, set) < 0) {
		ERR(p, at, "dpdk: field 'lcores': \"%s\" is not an lcore list, expected e.g. \"0,1\" or \"0-3\" (lcores below %d)",
		    dc->lcores, MBOX_MAX_LCORES);
		return -1;
	}
	if (!set[dc->main_lcore]) {
		ERR(p, at, "dpdk: field 'main_lcore': lcore %u is not in lcores \"%s\"",
		    dc->main_lcore, dc->lcores);
		return -1;
	}
	dc->workers = 0;
	for (unsigned c = 0; c < MBOX_MAX_LCORES; c++)
		if (set[c] && c != dc->main_lcore)
			dc->worker_lcores[dc->workers++] = c;
	if (dc->workers == 0) {
		ERR(p, at, "dpdk: field 'lcores': \"%s\" has no worker lcore besides main_lcore %u, expected at least two lcores",
		    dc->lcores, dc->main_lcore);
		return -1;
	}
	return 0;
}

static bool device_is_pci(const char *dev)
{
	unsigned dom, bus, slot, fn;
	char tail;

	return sscanf(dev, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &tail) == 4 ||
	       sscanf(dev, "%x:%x.%x%c", &bus, &slot, &fn, &tail) == 3;
}

static bool device_is_vdev(const char *dev)
{
	size_t n = strcspn(dev, ",");

	if (strncmp(dev, "net_", 4) || n <= 4 || !isdigit((unsigned char)dev[n - 1]))
		return false;
	for (size_t i = 4; i < n; i++)
		if (!isalnum((unsigned char)dev[i]) && dev[i] != '_')
			return false;
	return true;
}

static int parse_ports(struct parse *p, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "ports");
	struct mbox_config *cfg = p->cfg;
	int rc = 0;

	if (!s) {
		ERR(p, root, "missing section 'ports', expected a list of port groups ( { name = ...; device = ...; }, ... )");
		return -1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_LIST || config_setting_length(s) == 0) {
		ERR(p, s, "'ports': expected a non-empty list of groups ( { name = ...; device = ...; }, ... )");
		return -1;
	}
	if (config_setting_length(s) > MBOX_MAX_PORTS) {
		ERR(p, s, "'ports': %d ports, expected at most %d", config_setting_length(s), MBOX_MAX_PORTS);
		return -1;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct mbox_value v[RTE_DIM(port_schema)];
		struct mbox_port_cfg *pc = &cfg->ports[cfg->n_ports];
		char what[64];

		snprintf(what, sizeof(what), "ports[%d]", i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			ERR(p, g, "%s: expected a group { name = ...; device = ...; }", what);
			rc = -1;
			continue;
		}
		if (parse_group(p, g, port_schema, NULL, what, v) < 0) {
			rc = -1;
			continue;
		}
		if (!valid_identifier(v[0].s)) {
			ERR(p, g, "%s: field 'name': \"%s\" is not a name, expected letters, digits and '_' (at most %d, not starting with a digit)",
			    what, v[0].s, MBOX_NAME_MAX);
			rc = -1;
			continue;
		}
		if (mbox_config_port_index(cfg, v[0].s) >= 0) {
			ERR(p, g, "%s: field 'name': port '%s' is defined twice", what, v[0].s);
			rc = -1;
			continue;
		}
		snprintf(pc->name, sizeof(pc->name), "%s", v[0].s);
		pc->device = v[1].s;
		pc->is_pci = device_is_pci(pc->device);
		if (!pc->is_pci && !device_is_vdev(pc->device)) {
			ERR(p, g, "%s: field 'device': \"%s\" is neither a PCI address (0000:00:04.0) nor a DPDK vdev (net_<driver><n>[,args])",
			    what, pc->device);
			rc = -1;
		}
		for (unsigned j = 0; j < cfg->n_ports; j++)
			if (strcspn(cfg->ports[j].device, ",") == strcspn(pc->device, ",") &&
			    !strncmp(cfg->ports[j].device, pc->device, strcspn(pc->device, ","))) {
				ERR(p, g, "%s: field 'device': device \"%.*s\" is already used by port '%s'",
				    what, (int)strcspn(pc->device, ","), pc->device, cfg->ports[j].name);
				rc = -1;
			}
		pc->rx_queues = v[2].present ? (unsigned)v[2].u : cfg->dpdk.workers;
		if (pc->rx_queues > cfg->dpdk.workers) {
			ERR(p, g, "%s: field 'rx_queues': %u queues, expected at most %u (one per worker lcore)",
			    what, pc->rx_queues, cfg->dpdk.workers);
			rc = -1;
		}
		pc->rx_desc = (unsigned)v[3].u;
		pc->tx_desc = (unsigned)v[4].u;
		pc->mtu = v[5].present ? (unsigned)v[5].u : 0;
		pc->promiscuous = v[6].b;
		pc->line = config_setting_source_line(g);
		cfg->n_ports++;
	}
	return rc;
}

static int parse_element(struct parse *p, const config_setting_t *g, int i)
{
	struct mbox_config *cfg = p->cfg;
	struct mbox_element *e = &cfg->elements[cfg->n_elements];
	const char *name = NULL, *kind = NULL;
	char what[80];

	snprintf(what, sizeof(what), "elements[%d]", i);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		ERR(p, g, "%s: expected a group { name = ...; kind = ...; }", what);
		return -1;
	}
	if (!config_setting_lookup_string(g, "name", &name)) {
		ERR(p, g, "%s: missing field 'name' (a string)", what);
		return -1;
	}
	snprintf(what, sizeof(what), "element '%s'", name);
	if (!valid_identifier(name)) {
		ERR(p, g, "%s: field 'name': not a name, expected letters, digits and '_' (at most %d, not starting with a digit)",
		    what, MBOX_NAME_MAX);
		return -1;
	}
	if (mbox_config_element_index(cfg, name) >= 0) {
		ERR(p, g, "%s: defined twice", what);
		return -1;
	}
	if (!config_setting_lookup_string(g, "kind", &kind)) {
		ERR(p, g, "%s: missing field 'kind' (a string naming an element kind; see mboxd --list-elements)", what);
		return -1;
	}
	e->kind = mbox_kind_find(kind);
	if (!e->kind) {
		char known[512];
		size_t len = 0;

		known[0] = '\0';
		for (const struct mbox_kind *k = mbox_kind_first(); k; k = k->next)
			len += snprintf(known + len, len < sizeof(known) ? sizeof(known) - len : 0,
					"%s%s", len ? ", " : "", k->name);
		ERR(p, config_setting_get_member(g, "kind"), "%s: unknown element kind '%s', expected one of: %s",
		    what, kind, known);
		return -1;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->file = file_of(p, g);
	e->line = config_setting_source_line(g);
	e->values = mbox_config_alloc(cfg, (mbox_kind_n_params(e->kind) + 1) * sizeof(*e->values));
	if (parse_group(p, g, e->kind->params, element_keys, what, e->values) < 0)
		return -1;
	e->n_outputs = 0;
	for (const char *const *o = e->kind->outputs; o && *o; o++)
		e->output_names[e->n_outputs++] = *o;
	if (e->kind->setup && e->kind->setup(e, cfg, p->d) < 0)
		return -1;
	for (unsigned o = 0; o < e->n_outputs; o++)
		e->output_target[o] = -1;
	cfg->n_elements++;
	return 0;
}

static int parse_elements(struct parse *p, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "elements");
	int rc = 0;

	if (!s || config_setting_type(s) != CONFIG_TYPE_LIST || config_setting_length(s) == 0) {
		ERR(p, s ? s : root, "'elements': expected a non-empty list of groups ( { name = ...; kind = ...; }, ... )");
		return -1;
	}
	if (config_setting_length(s) > MBOX_MAX_ELEMENTS) {
		ERR(p, s, "'elements': %d elements, expected at most %d", config_setting_length(s), MBOX_MAX_ELEMENTS);
		return -1;
	}
	for (int i = 0; i < config_setting_length(s); i++)
		if (parse_element(p, config_setting_get_elem(s, (unsigned)i), i) < 0)
			rc = -1;
	return rc;
}

/* One "name" or "name[output]" token of a link chain. */
struct link_token {
	char name[MBOX_NAME_MAX + 2];
	char output[MBOX_NAME_MAX + 2];
	bool has_output;
};

static int split_token(const char *s, size_t n, struct link_token *t)
{
	const char *open;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	memset(t, 0, sizeof(*t));
	open = memchr(s, '[', n);
	if (open) {
		size_t name_len = (size_t)(open - s), out_len = n - name_len - 2;

		if (s[n - 1] != ']' || name_len == 0 || out_len == 0 ||
		    name_len > MBOX_NAME_MAX || out_len > MBOX_NAME_MAX)
			return -1;
		memcpy(t->name, s, name_len);
		memcpy(t->output, open + 1, out_len);
		t->has_output = true;
	} else {
		if (n == 0 || n > MBOX_NAME_MAX)
			return -1;
		memcpy(t->name, s, n);
	}
	return valid_identifier(t->name) ? 0 : -1;
}

static int resolve_output(struct parse *p, const config_setting_t *s,
			  const struct mbox_element *e, const struct link_token *t)
{
	char outs[512];
	size_t len = 0;

	if (t->has_output) {
		char *end;
		unsigned long idx = strtoul(t->output, &end, 10);

		if (*end == '\0' && end != t->output && idx < e->n_outputs)
			return (int)idx;
		for (unsigned o = 0; o < e->n_outputs; o++)
			if (!strcmp(e->output_names[o], t->output))
				return (int)o;
	} else if (e->n_outputs == 1) {
		return 0;
	}
	outs[0] = '\0';
	for (unsigned o = 0; o < e->n_outputs; o++)
		len += snprintf(outs + len, len < sizeof(outs) ? sizeof(outs) - len : 0,
				"%s[%u] %s", o ? ", " : "", o, e->output_names[o]);
	if (t->has_output)
		ERR(p, s, "link: element '%s' has no output '%s', expected one of: %s", e->name, t->output, outs);
	else
		ERR(p, s, "link: element '%s' (%s) has %u outputs, name one as %s[NAME] or %s[N]: %s",
		    e->name, e->kind->name, e->n_outputs, e->name, e->name, outs);
	return -1;
}

static int parse_link(struct parse *p, const config_setting_t *s)
{
	struct mbox_config *cfg = p->cfg;
	const char *text = config_setting_get_string(s);
	struct link_token prev, cur;
	int prev_idx = -1, rc = 0;
	bool first = true;

	for (const char *at = text;;) {
		const char *arrow = strstr(at, "->");
		size_t n = arrow ? (size_t)(arrow - at) : strlen(at);
		int idx;

		if (split_token(at, n, &cur) < 0) {
			ERR(p, s, "link \"%s\": \"%.*s\" is not an element reference, expected NAME or NAME[OUTPUT] between '->'",
			    text, (int)n, at);
			return -1;
		}
		idx = mbox_config_element_index(cfg, cur.name);
		if (idx < 0) {
			ERR(p, s, "link \"%s\": unknown element '%s'", text, cur.name);
			return -1;
		}
		if (!first) {
			struct mbox_element *src = &cfg->elements[prev_idx];
			struct mbox_element *dst = &cfg->elements[idx];
			int out;

			if (src->n_outputs == 0) {
				ERR(p, s, "link \"%s\": element '%s' (%s) has no outputs", text, src->name, src->kind->name);
				return -1;
			}
			if (dst->kind->source) {
				ERR(p, s, "link \"%s\": element '%s' (%s) is a source and takes no input",
				    text, dst->name, dst->kind->name);
				return -1;
			}
			out = resolve_output(p, s, src, &prev);
			if (out < 0)
				return -1;
			if (src->output_target[out] >= 0) {
				ERR(p, s, "link \"%s\": output %s[%s] is already connected to '%s' at line %d, expected one link per output",
				    text, src->name, src->output_names[out],
				    cfg->elements[src->output_target[out]].name, src->output_line[out]);
				rc = -1;
			} else {
				src->output_target[out] = idx;
				src->output_line[out] = line_of(p, s);
				dst->n_inputs++;
			}
		}
		prev = cur;
		prev_idx = idx;
		first = false;
		if (!arrow)
			break;
		at = arrow + 2;
	}
	if (prev.has_output) {
		ERR(p, s, "link \"%s\": the last element '%s' names an output but links to nothing", text, prev.name);
		return -1;
	}
	if (!strstr(text, "->")) {
		ERR(p, s, "link \"%s\": expected at least two elements joined by '->'", text);
		return -1;
	}
	return rc;
}

static int parse_links(struct parse *p, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "links");
	int rc = 0;

	if (!s || (config_setting_type(s) != CONFIG_TYPE_LIST && config_setting_type(s) != CONFIG_TYPE_ARRAY)) {
		ERR(p, s ? s : root, "'links': expected a list of strings like \"rx0 -> counter0 -> tx1\"");
		return -1;
	}
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *l = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(l) != CONFIG_TYPE_STRING) {
			ERR(p, l, "links[%d]: expected a string like \"rx0 -> counter0 -> tx1\"", i);
			rc = -1;
		} else if (parse_link(p, l) < 0) {
			rc = -1;
		}
	}
	return rc;
}

/* Depth-first search for a cycle; reports the first one found. */
static int find_cycle(struct parse *p, int v, int *state, int *stack, int depth)
{
	struct mbox_config *cfg = p->cfg;
	const struct mbox_element *e = &cfg->elements[v];

	state[v] = 1;
	stack[depth] = v;
	for (unsigned o = 0; o < e->n_outputs; o++) {
		int w = e->output_target[o];

		if (w < 0)
			continue;
		if (state[w] == 1) {
			char path[1024];
			size_t len = 0;
			int k = depth;

			/* state 1: w is on the stack, so this stops. */
			while (stack[k] != w) /* NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult) */
				k--;
			path[0] = '\0';
			for (; k <= depth; k++)
				len += snprintf(path + len, len < sizeof(path) ? sizeof(path) - len : 0,
						"%s -> ", cfg->elements[stack[k]].name);
			snprintf(path + len, len < sizeof(path) ? sizeof(path) - len : 0, "%s",
				 cfg->elements[w].name);
			mbox_diag_error(p->d, e->file, e->output_line[o],
					"links form a cycle (%s), expected an acyclic graph", path);
			return -1;
		}
		if (state[w] == 0 && find_cycle(p, w, state, stack, depth + 1) < 0)
			return -1;
	}
	state[v] = 2;
	return 0;
}

static int check_graph(struct parse *p)
{
	struct mbox_config *cfg = p->cfg;
	int state[MBOX_MAX_ELEMENTS] = { 0 }, stack[MBOX_MAX_ELEMENTS];
	int rc = 0;

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		const struct mbox_element *e = &cfg->elements[i];

		for (unsigned o = 0; o < e->n_outputs; o++)
			if (e->output_target[o] < 0) {
				mbox_diag_error(p->d, e->file, e->line,
						"element '%s': output [%u] %s is not connected, expected a link \"%s[%s] -> ...\" (use a drop element to discard)",
						e->name, o, e->output_names[o], e->name, e->output_names[o]);
				rc = -1;
			}
		if (!e->kind->source && e->n_inputs == 0) {
			mbox_diag_error(p->d, e->file, e->line,
					"element '%s': nothing links into it, expected it on the right of a '->'", e->name);
			rc = -1;
		}
	}
	for (unsigned i = 0; i < cfg->n_elements && rc == 0; i++)
		if (state[i] == 0 && find_cycle(p, (int)i, state, stack, 0) < 0)
			rc = -1;
	if (rc == 0) {
		bool any_source = false;

		for (unsigned i = 0; i < cfg->n_elements; i++)
			any_source |= cfg->elements[i].kind->source;
		if (!any_source) {
			mbox_diag_error(p->d, cfg->file, 0,
					"no source element (such as port_rx), expected at least one");
			rc = -1;
		}
	}
	return rc;
}

/* The pool must cover every ring plus the per-lcore caches and a burst in
 * flight per worker, or ports start and then starve. */
static int check_mbufs(struct parse *p, const config_setting_t *root)
{
	const struct mbox_config *cfg = p->cfg;
	const config_setting_t *dpdk = config_setting_get_member(root, "dpdk");
	const config_setting_t *at = dpdk ? config_setting_get_member(dpdk, "mbufs") : NULL;
	unsigned long need = (cfg->dpdk.workers + 1) * 256UL + cfg->dpdk.workers * 256UL;

	for (unsigned i = 0; i < cfg->n_ports; i++)
		need += cfg->ports[i].rx_queues * (unsigned long)cfg->ports[i].rx_desc +
			cfg->dpdk.workers * (unsigned long)cfg->ports[i].tx_desc;
	if (cfg->dpdk.mbufs < need) {
		ERR(p, at ? at : (dpdk ? dpdk : root),
		    "dpdk: field 'mbufs': %u mbufs cannot fill the port rings and caches, expected at least %lu",
		    cfg->dpdk.mbufs, need);
		return -1;
	}
	return 0;
}

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

/* A section that must be a group if present; NULL when absent. */
static int optional_group(struct parse *p, const config_setting_t *root, const char *name,
			  const config_setting_t **out)
{
	*out = config_setting_get_member(root, name);
	if (*out && config_setting_type(*out) != CONFIG_TYPE_GROUP) {
		ERR(p, *out, "'%s': expected a group { ... }", name);
		return -1;
	}
	return 0;
}

static int check_passphrase(struct parse *p, const struct mbox_value *v, const char *what,
			    const char *field)
{
	if (strlen(v->s) >= 8)
		return 0;
	mbox_diag_error(p->d, p->cfg->file, v->line,
			"%s: field '%s': passphrase too short, expected 8 characters or more", what, field);
	return -1;
}

/* Names and addresses are written into snmpd.conf as single words: a space,
 * quote or '#' would let a value add or cut snmpd directives. */
static int check_word(struct parse *p, const struct mbox_value *v, const char *what, const char *field,
		      size_t max)
{
	size_t n = strlen(v->s);
	bool ok = n >= 1 && n <= max;

	for (size_t i = 0; ok && i < n; i++)
		ok = isgraph((unsigned char)v->s[i]) && !strchr("\"'#\\", v->s[i]);
	if (ok)
		return 0;
	mbox_diag_error(p->d, p->cfg->file, v->line,
			"%s: field '%s': \"%s\" is not one word, expected 1 to %zu printable characters without "
			"spaces, quotes, '\\' or '#'", what, field, v->s, max);
	return -1;
}

static int parse_snmp_users(struct parse *p, const struct mbox_value *list)
{
	struct mbox_snmp_cfg *sc = &p->cfg->snmp;
	int rc = 0;

	sc->n_users = list->present ? list->list.n : 0;
	for (unsigned i = 0; i < sc->n_users; i++) {
		const struct mbox_value *f = &list->list.items[i * 5];
		char what[64];

		snprintf(what, sizeof(what), "snmp: users[%u]", i);
		sc->users[i] = (struct mbox_snmp_user){ f[0].s, f[1].s, f[2].s, f[3].b, (enum mbox_snmp_view)f[4].u };
		rc |= check_word(p, &f[0], what, "name", 32) | check_passphrase(p, &f[1], what, "auth_pass") |
		      check_passphrase(p, &f[2], what, "priv_pass");
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(sc->users[j].name, f[0].s)) {
				mbox_diag_error(p->d, p->cfg->file, f[0].line,
						"%s: field 'name': user '%s' is already users[%u], expected unique names",
						what, f[0].s, j);
				rc = -1;
			}
	}
	return rc;
}

static int parse_snmp(struct parse *p, const config_setting_t *root)
{
	struct mbox_snmp_cfg *sc = &p->cfg->snmp;
	const config_setting_t *s;
	struct mbox_value v[RTE_DIM(snmp_schema)];
	char what[64];
	int rc = 0;

	if (optional_group(p, root, "snmp", &s) < 0 || parse_group(p, s, snmp_schema, NULL, "snmp", v) < 0)
		return -1;
	sc->enabled = v[0].b;
	sc->agentx_socket = v[1].s;
	sc->ping_interval = (unsigned)v[2].u;
	sc->listen = v[3].s;
	sc->if_index_base = (unsigned)v[4].u;
	rc |= check_word(p, &v[1], "snmp", "agentx_socket", 255) | check_word(p, &v[3], "snmp", "listen", 255);
	rc |= parse_snmp_users(p, &v[5]);
	sc->n_communities = v[6].present ? v[6].list.n : 0;
	for (unsigned i = 0; i < sc->n_communities; i++) {
		const struct mbox_value *f = &v[6].list.items[3 * i];

		snprintf(what, sizeof(what), "snmp: communities[%u]", i);
		sc->communities[i] = (struct mbox_snmp_community){ f[0].s, f[1].s, (enum mbox_snmp_view)f[2].u };
		rc |= check_word(p, &f[0], what, "name", 32) | check_word(p, &f[1], what, "source", 64);
	}
	sc->n_trap_sinks = v[7].present ? v[7].list.n : 0;
	for (unsigned i = 0; i < sc->n_trap_sinks; i++) {
		const struct mbox_value *f = &v[7].list.items[2 * i];

		snprintf(what, sizeof(what), "snmp: trap_sinks[%u]", i);
		sc->trap_sinks[i] = (struct mbox_trap_sink){ f[0].s, f[1].s };
		rc |= check_word(p, &f[0], what, "address", 255) | check_word(p, &f[1], what, "community", 32);
	}
	return rc;
}

static int parse_thresholds(struct parse *p, const config_setting_t *root)
{
	const config_setting_t *s;
	struct mbox_value v[MBOX_THRESHOLDS];

	if (optional_group(p, root, "thresholds", &s) < 0 ||
	    parse_group(p, s, mbox_threshold_params, NULL, "thresholds", v) < 0)
		return -1;
	for (unsigned t = 0; t < MBOX_THRESHOLDS; t++)
		p->cfg->thresholds.limit[t] = (unsigned)v[t].u;
	return 0;
}

static const char *const top_keys[] = { "dpdk", "ports", "elements", "links", "snmp", "thresholds", NULL };

static void read_error(struct mbox_diag *d, const char *file, config_t *lc)
{
	mbox_diag_error(d, config_error_file(lc) ? config_error_file(lc) : file,
			config_error_line(lc), "syntax error: %s", config_error_text(lc));
}

struct mbox_config *mbox_config_parse(const char *file, const char *text, struct mbox_diag *d)
{
	struct mbox_config *cfg = calloc(1, sizeof(*cfg));
	struct parse p = { .cfg = cfg, .d = d, .text = text };
	const config_setting_t *root;
	unsigned before = d->errors;

	if (cfg)
		config_init(&cfg->lc);
	if (!cfg || !(cfg->file = strdup(file)) || !(cfg->text = strdup(text))) {
		mbox_diag_error(d, file, 0, "out of memory");
		mbox_config_free(cfg);
		return NULL;
	}
	if (!config_read_string(&cfg->lc, text)) {
		read_error(d, file, &cfg->lc);
		mbox_config_free(cfg);
		return NULL;
	}
	root = config_root_setting(&cfg->lc);
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *m = config_setting_get_elem(root, (unsigned)i);
		bool known = false;

		for (const char *const *k = top_keys; *k; k++)
			known |= !strcmp(*k, config_setting_name(m));
		if (!known)
			ERR(&p, m, "unknown section '%s', expected one of: dpdk, ports, elements, links, snmp, thresholds",
			    config_setting_name(m));
	}
	if (parse_dpdk(&p, root) == 0 && parse_ports(&p, root) == 0 && check_mbufs(&p, root) == 0 &&
	    parse_elements(&p, root) == 0 && parse_links(&p, root) == 0)
		check_graph(&p);
	parse_snmp(&p, root);
	parse_thresholds(&p, root);
	if (d->errors != before) {
		mbox_config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct mbox_config *mbox_config_load(const char *file, struct mbox_diag *d)
{
	FILE *f = fopen(file, "r");
	char *text = NULL;
	size_t size = 0;
	struct mbox_config *cfg;

	if (!f || getdelim(&text, &size, '\0', f) < 0) {
		mbox_diag_error(d, file, 0, "cannot read: %s", f ? (ferror(f) ? strerror(errno) : "empty file") : strerror(errno));
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	cfg = mbox_config_parse(file, text, d);
	free(text);
	return cfg;
}

/* ---- values as SNMP managers read and write them ---- */

/* Deep copy of src as member `name` of parent (name ignored in lists). */
static int copy_setting(config_setting_t *parent, const char *name, const config_setting_t *src)
{
	int type = config_setting_type(src);
	config_setting_t *dst = config_setting_add(parent, name, type);

	if (!dst)
		return -1;
	config_setting_set_format(dst, config_setting_get_format(src));
	switch (type) {
	case CONFIG_TYPE_INT:
		return config_setting_set_int(dst, config_setting_get_int(src)) ? 0 : -1;
	case CONFIG_TYPE_INT64:
		return config_setting_set_int64(dst, config_setting_get_int64(src)) ? 0 : -1;
	case CONFIG_TYPE_FLOAT:
		return config_setting_set_float(dst, config_setting_get_float(src)) ? 0 : -1;
	case CONFIG_TYPE_STRING:
		return config_setting_set_string(dst, config_setting_get_string(src)) ? 0 : -1;
	case CONFIG_TYPE_BOOL:
		return config_setting_set_bool(dst, config_setting_get_bool(src)) ? 0 : -1;
	default:
		for (int i = 0; i < config_setting_length(src); i++) {
			const config_setting_t *m = config_setting_get_elem(src, (unsigned)i);

			if (copy_setting(dst, config_setting_name(m), m) < 0)
				return -1;
		}
		return 0;
	}
}

static bool textual(const struct mbox_param *q)
{
	return q->type != MBOX_P_UINT && q->type != MBOX_P_BOOL &&
	       q->type != MBOX_P_LIST && q->type != MBOX_P_STRLIST;
}

/* Parse a manager's text for q into lc as its only setting, "value".
 * Strings come without quotes; everything else in configuration syntax. */
static int read_value(config_t *lc, const struct mbox_param *q, const char *text,
		      struct mbox_diag *d, const char *what)
{
	size_t n = strlen(text);
	char *src = malloc(4 * n + 16), *o = src;
	int ok;

	if (!src) {
		mbox_diag_error(d, "SET", 0, "%s: out of memory", what);
		return -1;
	}
	o += sprintf(o, "value = %s", textual(q) ? "\"" : "");
	for (const char *c = text; *c; c++) {
		if (textual(q) && (*c == '"' || *c == '\\'))
			*o++ = '\\';
		if ((unsigned char)*c < ' ') {
			free(src);
			mbox_diag_error(d, "SET", 0, "%s: field '%s': control character in the value, expected %s",
					what, q->name, mbox_ptype_text(q));
			return -1;
		}
		*o++ = *c;
	}
	strcpy(o, textual(q) ? "\";" : ";");
	ok = config_read_string(lc, src) && config_setting_length(config_root_setting(lc)) == 1;
	free(src);
	if (!ok)
		mbox_diag_error(d, "SET", 0, "%s: field '%s': \"%s\" is not valid, expected %s", what, q->name,
				text, mbox_ptype_text(q));
	return ok ? 0 : -1;
}

int mbox_config_check_value(const struct mbox_config *cfg, const struct mbox_param *q,
			    const char *what, const char *text, struct mbox_diag *d)
{
	struct mbox_config *scratch = calloc(1, sizeof(*scratch));
	struct parse p = { .cfg = scratch, .d = d, .text = text };
	struct mbox_value v;
	int rc = -1;

	if (!scratch) {
		mbox_diag_error(d, "SET", 0, "out of memory");
		return -1;
	}
	config_init(&scratch->lc);
	scratch->file = strdup("SET");
	scratch->n_ports = cfg->n_ports;
	memcpy(scratch->ports, cfg->ports, sizeof(cfg->ports));
	if (read_value(&scratch->lc, q, text, d, what) == 0)
		rc = parse_value(&p, config_lookup(&scratch->lc, "value"), q, what, &v);
	mbox_config_free(scratch);
	return rc;
}

static config_setting_t *edit_group(config_t *lc, int element)
{
	config_setting_t *root = config_root_setting(lc), *g;

	if (element >= 0)
		return config_setting_get_elem(config_setting_get_member(root, "elements"), (unsigned)element);
	g = config_setting_get_member(root, "thresholds");
	return g ? g : config_setting_add(root, "thresholds", CONFIG_TYPE_GROUP);
}

/* "{ a = 1; }" for "a = 1;" or "{ a = 1; }": one list item as list text. */
static char *row_as_list(const char *text)
{
	const char *t = text + strspn(text, " \t");
	char *list = malloc(strlen(text) + sizeof("( {  } )"));

	if (list)
		sprintf(list, *t == '{' ? "( %s )" : "( { %s } )", text);
	return list;
}

int mbox_config_check_row(const struct mbox_config *cfg, const struct mbox_param *q,
			  const char *what, const char *text, struct mbox_diag *d)
{
	struct mbox_param one = *q;
	char *list = row_as_list(text);
	int rc;

	one.min = one.max = 1;
	if (!list) {
		mbox_diag_error(d, "SET", 0, "%s: out of memory", what);
		return -1;
	}
	rc = mbox_config_check_value(cfg, &one, what, list, d);
	free(list);
	return rc;
}

/* Replace, insert or delete item e->row of the list e->param in group g.
 * libconfig cannot insert in the middle of a list, so the list is
 * rebuilt: items before the row, the new item, the items after it. */
static int edit_row(config_setting_t *g, const struct mbox_edit *e, struct mbox_diag *d, const char *file)
{
	config_setting_t *list = config_setting_get_member(g, e->param->name), *rebuilt;
	unsigned n = list ? (unsigned)config_setting_length(list) : 0;
	unsigned skip = e->op == EDIT_ROW_INSERT ? 0 : 1; /* old items the row replaces */
	config_t old, item;
	char *text = e->op == EDIT_ROW_DELETE ? NULL : row_as_list(e->text);
	int rc = 0;

	if (e->row > n || (e->row == n && e->op != EDIT_ROW_INSERT)) {
		mbox_diag_error(d, file, 0, "field '%s': no row %u (%u rows)", e->param->name, e->row + 1, n);
		free(text);
		return -1;
	}
	config_init(&old);
	config_init(&item);
	if (text)
		rc = read_value(&item, e->param, text, d, file);
	free(text);
	if (rc == 0 && list)
		rc = copy_setting(config_root_setting(&old), "v", list);
	if (list)
		config_setting_remove(g, e->param->name);
	rebuilt = rc == 0 ? config_setting_add(g, e->param->name, CONFIG_TYPE_LIST) : NULL;
	for (unsigned i = 0; rebuilt && rc == 0 && i <= n; i++) {
		if (i == e->row && e->op != EDIT_ROW_DELETE)
			rc = copy_setting(rebuilt, NULL, config_setting_get_elem(config_lookup(&item, "value"), 0));
		if (rc == 0 && i < n && !(i == e->row && skip))
			rc = copy_setting(rebuilt, NULL, config_setting_get_elem(config_lookup(&old, "v"), i));
	}
	config_destroy(&old);
	config_destroy(&item);
	return rebuilt ? rc : -1;
}

char *mbox_config_edit(const struct mbox_config *cfg, const struct mbox_edit *edits,
		       unsigned n, struct mbox_diag *d)
{
	config_t lc;
	char *text = NULL;
	size_t size = 0;
	FILE *out;
	int rc = 0;

	config_init(&lc);
	if (!config_read_string(&lc, cfg->text)) {
		read_error(d, cfg->file, &lc);
		config_destroy(&lc);
		return NULL;
	}
	for (unsigned i = 0; i < n && rc == 0; i++) {
		const struct mbox_edit *e = &edits[i];
		config_setting_t *g = edit_group(&lc, e->element);
		config_t value;

		if (!g) {
			mbox_diag_error(d, cfg->file, 0, "no element %d", e->element);
			rc = -1;
			break;
		}
		if (e->op != EDIT_VALUE) {
			rc = edit_row(g, e, d, cfg->file);
			continue;
		}
		if (config_setting_get_member(g, e->param->name))
			config_setting_remove(g, e->param->name);
		if (*e->text == '\0' && e->param->optional)
			continue;
		config_init(&value);
		rc = read_value(&value, e->param, e->text, d, cfg->file);
		if (rc == 0)
			rc = copy_setting(g, e->param->name, config_lookup(&value, "value"));
		config_destroy(&value);
	}
	out = rc == 0 ? open_memstream(&text, &size) : NULL;
	if (out) {
		fprintf(out, "# Running configuration written by mboxd.\n");
		config_write(&lc, out);
		fclose(out);
	}
	config_destroy(&lc);
	return rc == 0 ? text : NULL;
}

static void setting_text(const config_setting_t *s, char *buf, size_t size)
{
	config_t lc;
	char *text = NULL, *o;
	size_t n = 0;
	FILE *out = open_memstream(&text, &n);

	buf[0] = '\0';
	config_init(&lc);
	if (out && copy_setting(config_root_setting(&lc), "v", s) == 0)
		config_write(&lc, out);
	if (out)
		fclose(out);
	config_destroy(&lc);
	if (!text)
		return;
	/* "v = VALUE;\n" on one line, its indentation collapsed. */
	o = buf;
	for (const char *c = text + strlen("v = "); *c && (size_t)(o - buf) + 1 < size; c++) {
		if (*c == '\n' || (*c == ' ' && o > buf && (o[-1] == ' ')))
			continue;
		*o++ = *c;
	}
	while (o > buf && (o[-1] == ';' || o[-1] == ' '))
		o--;
	*o = '\0';
	free(text);
}

char *mbox_config_value_text(const struct mbox_config *cfg, int element,
			     const struct mbox_param *q, char *buf, size_t size)
{
	const struct mbox_value *v;
	unsigned i = 0;

	buf[0] = '\0';
	if (element < 0) {
		const unsigned *t = cfg->thresholds.limit;

		while (&mbox_threshold_params[i] != q)
			i++;
		snprintf(buf, size, "%u", t[i]);
		return buf;
	}
	while (&cfg->elements[element].kind->params[i] != q)
		i++;
	v = &cfg->elements[element].values[i];
	if (!v->present)
		return buf;
	switch (q->type) {
	case MBOX_P_UINT:
		snprintf(buf, size, "%" PRIu64, v->u);
		break;
	case MBOX_P_BOOL:
		snprintf(buf, size, "%s", v->b ? "true" : "false");
		break;
	case MBOX_P_STRING:
		snprintf(buf, size, "%s", v->s);
		break;
	case MBOX_P_MAC:
		rte_ether_format_addr(buf, (uint16_t)RTE_MIN(size, 64u), &v->mac);
		break;
	case MBOX_P_PORT:
		snprintf(buf, size, "%s", cfg->ports[v->port].name);
		break;
	case MBOX_P_IPV4:
	case MBOX_P_PREFIX:
		mbox_prefix_text(v->ip.addr, q->type == MBOX_P_IPV4 ? 32 : v->ip.len, buf, size);
		break;
	case MBOX_P_RANGE:
		if (v->range.lo == v->range.hi)
			snprintf(buf, size, "%" PRIu64, v->range.lo);
		else
			snprintf(buf, size, "%" PRIu64 "-%" PRIu64, v->range.lo, v->range.hi);
		break;
	case MBOX_P_ENUM:
		snprintf(buf, size, "%s", q->choices[v->u]);
		break;
	case MBOX_P_LIST:
	case MBOX_P_STRLIST: {
		const config_setting_t *g = config_setting_get_elem(
			config_lookup(&cfg->lc, "elements"), (unsigned)element);

		setting_text(config_setting_get_member(g, q->name), buf, size);
		break;
	}
	}
	return buf;
}

char *mbox_config_row_text(const struct mbox_config *cfg, unsigned element,
			   const struct mbox_param *q, unsigned row, char *buf, size_t size)
{
	const config_setting_t *g = config_setting_get_elem(config_lookup(&cfg->lc, "elements"), element);
	const config_setting_t *list = g ? config_setting_get_member(g, q->name) : NULL;
	const config_setting_t *item = list ? config_setting_get_elem(list, row) : NULL;

	buf[0] = '\0';
	if (item)
		setting_text(item, buf, size);
	return buf;
}

int mbox_config_element_index(const struct mbox_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_elements; i++)
		if (!strcmp(cfg->elements[i].name, name))
			return (int)i;
	return -1;
}

int mbox_config_port_index(const struct mbox_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return (int)i;
	return -1;
}

struct arena_block {
	struct arena_block *next;
	max_align_t data[];
};

void *mbox_config_alloc(struct mbox_config *cfg, size_t size)
{
	struct arena_block *b = calloc(1, sizeof(*b) + size);

	if (!b) {
		fprintf(stderr, "mboxd: out of memory reading the configuration\n");
		abort();
	}
	b->next = cfg->arena;
	cfg->arena = b;
	return b->data;
}

void mbox_config_free(struct mbox_config *cfg)
{
	if (!cfg)
		return;
	for (struct arena_block *b = cfg->arena, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	config_destroy(&cfg->lc);
	free(cfg->text);
	free((void *)cfg->file);
	free(cfg);
}

#define DIFFER(field_text) do { snprintf(why, why_size, "a change of %s", field_text); return false; } while (0)

bool mbox_config_same_platform(const struct mbox_config *a, const struct mbox_config *b,
			       char *why, size_t why_size)
{
	const struct mbox_dpdk_cfg *x = &a->dpdk, *y = &b->dpdk;

	if (strcmp(x->lcores, y->lcores) || x->main_lcore != y->main_lcore)
		DIFFER("dpdk.lcores or dpdk.main_lcore");
	if (x->memory_mb != y->memory_mb || x->mbufs != y->mbufs || strcmp(x->file_prefix, y->file_prefix))
		DIFFER("dpdk.memory_mb, dpdk.mbufs or dpdk.file_prefix");
	if (x->n_eal_args != y->n_eal_args)
		DIFFER("dpdk.eal_args");
	if (x->element_cycles != y->element_cycles)
		DIFFER("dpdk.element_cycles");
	for (unsigned i = 0; i < x->n_eal_args; i++)
		if (strcmp(x->eal_args[i], y->eal_args[i]))
			DIFFER("dpdk.eal_args");
	if (a->n_ports != b->n_ports)
		DIFFER("the number of ports");
	for (unsigned i = 0; i < a->n_ports; i++) {
		const struct mbox_port_cfg *p = &a->ports[i], *q = &b->ports[i];

		if (strcmp(p->name, q->name) || strcmp(p->device, q->device) ||
		    p->rx_queues != q->rx_queues || p->rx_desc != q->rx_desc ||
		    p->tx_desc != q->tx_desc || p->mtu != q->mtu || p->promiscuous != q->promiscuous) {
			snprintf(why, why_size, "a change of port '%s'", p->name);
			return false;
		}
	}
	return true;
}

int mbox_config_write_file(const char *file, const char *text, char *err, size_t err_size)
{
	char tmp[4096], dir[4096];
	const char *slash = strrchr(file, '/');
	size_t len = strlen(text);
	int fd, dfd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) + 1 : 1, slash ? file : ".");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		snprintf(err, err_size, "%s: %s", fd < 0 ? tmp : file, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	close(fd);
	if (rename(tmp, file) < 0) {
		snprintf(err, err_size, "%s: %s", file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int mbox_config_save(const struct mbox_config *cfg, char *err, size_t err_size)
{
	return mbox_config_write_file(cfg->file, cfg->text, err, err_size);
}
