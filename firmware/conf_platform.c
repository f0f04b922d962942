/* The platform sections: dpdk (EAL settings, lcores, memory) and ports.
 * Changing either needs a restart of mboxd (mbox_config_same_platform). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"

static const struct mbox_param dpdk_schema[] = {
	{ .name = "lcores", .type = MBOX_P_STRING, .def = "0,1",
	  .help = "EAL lcore list: the main (control) lcore and the workers" },
	{ .name = "main_lcore", .type = MBOX_P_UINT, .def = "0", .max = MBOX_MAX_LCORES - 1,
	  .help = "lcore of the control thread; every other lcore is a worker" },
	{ .name = "cpus", .type = MBOX_P_STRING, .optional = true,
	  .help = "CPU list the lcores share (EAL --lcores \"(lcores)@(cpus)\"); default: lcore N on CPU N" },
	{ .name = "memory_mb", .type = MBOX_P_UINT, .def = "256", .min = 32, .max = 1 << 20,
	  .help = "hugepage memory reserved at start, in MiB" },
	{ .name = "mbufs", .type = MBOX_P_UINT, .def = "16383", .min = 1023, .max = 1 << 24,
	  .help = "packet buffers in the pool" },
	{ .name = "file_prefix", .type = MBOX_P_STRING, .def = "mbox",
	  .help = "EAL --file-prefix, unique per DPDK process on a host" },
	{ .name = "eal_args", .type = MBOX_P_STRLIST, .optional = true,
	  .help = "extra EAL arguments, appended as given" },
	{ .name = "element_cycles", .type = MBOX_P_BOOL, .def = "false",
	  .help = "kept so that older files still load: DPDK's graph walk times every element "
		  "(cycles per packet in the statistics) whatever its value" },
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
/* "0,1,4-6" -> lcore set. */
static int parse_lcores(const char *text, bool set[MBOX_MAX_LCORES])
{
	const char *s = text;

	memset(set, 0, MBOX_MAX_LCORES * sizeof(bool));
	while (*s) {
		char *end;
		unsigned long lo, hi;

		if (!mbox_parse_digits(s, &end, &lo) || lo >= MBOX_MAX_LCORES)
			return -1;
		hi = lo;
		s = end;
		if (*s == '-') {
			s++;
			if (!mbox_parse_digits(s, &end, &hi) || hi >= MBOX_MAX_LCORES || hi < lo)
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

#define DPDK(name) mbox_values_get(dpdk_schema, v, name)

/* The line of a field's value, or of its group when the field took its
 * default: errors point at what to edit. */
static int field_line(struct mbox_parse *p, const config_setting_t *group, const struct mbox_value *v)
{
	return v->line > 0 ? v->line : mbox_parse_line(p, group);
}

static int parse_dpdk(struct mbox_parse *p, const config_setting_t *s, const struct mbox_value *v)
{
	struct mbox_dpdk_cfg *dc = &p->cfg->dpdk;
	const struct mbox_value *eal = DPDK("eal_args");
	bool set[MBOX_MAX_LCORES], set_cpus[MBOX_MAX_LCORES];

	dc->lcores = DPDK("lcores")->s;
	dc->main_lcore = (unsigned)DPDK("main_lcore")->u;
	dc->cpus = DPDK("cpus")->present ? DPDK("cpus")->s : NULL;
	dc->memory_mb = (unsigned)DPDK("memory_mb")->u;
	dc->mbufs = (unsigned)DPDK("mbufs")->u;
	dc->file_prefix = DPDK("file_prefix")->s;
	dc->n_eal_args = eal->present ? eal->list.n : 0;
	dc->eal_args = mbox_config_alloc(p->cfg, (dc->n_eal_args + 1) * sizeof(char *));
	for (unsigned i = 0; i < dc->n_eal_args; i++)
		dc->eal_args[i] = eal->list.items[i].s;

	if (parse_lcores(dc->lcores, set) < 0) {
		mbox_parse_error_at(p, field_line(p, s, DPDK("lcores")), "dpdk: field 'lcores': \"%s\" is not an lcore list, expected e.g. \"0,1\" or \"0-3\" (lcores below %d)",
		    dc->lcores, MBOX_MAX_LCORES);
		return -1;
	}
	if (dc->cpus && parse_lcores(dc->cpus, set_cpus) < 0) {
		mbox_parse_error_at(p, field_line(p, s, DPDK("cpus")), "dpdk: field 'cpus': \"%s\" is not a CPU list, expected e.g. \"0,1\" or \"0-3\" (CPUs below %d)",
		    dc->cpus, MBOX_MAX_LCORES);
		return -1;
	}
	if (!set[dc->main_lcore]) {
		/* At main_lcore, or at lcores when main_lcore took its default. */
		mbox_parse_error_at(p, field_line(p, s, DPDK("main_lcore")->line ? DPDK("main_lcore") : DPDK("lcores")), "dpdk: field 'main_lcore': lcore %u is not in lcores \"%s\"",
		    dc->main_lcore, dc->lcores);
		return -1;
	}
	dc->workers = 0;
	for (unsigned c = 0; c < MBOX_MAX_LCORES; c++)
		if (set[c] && c != dc->main_lcore)
			dc->worker_lcores[dc->workers++] = c;
	if (dc->workers == 0) {
		mbox_parse_error_at(p, field_line(p, s, DPDK("lcores")), "dpdk: field 'lcores': \"%s\" has no worker lcore besides main_lcore %u, expected at least two lcores",
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

static int check_mbufs(struct mbox_parse *p);

static int parse_ports(struct mbox_parse *p, const config_setting_t *s, const struct mbox_value *unused)
{
	struct mbox_config *cfg = p->cfg;
	int rc = 0;

	(void)unused;
	if (!s) {
		ERR(p, p->root, "missing section 'ports', expected a list of port groups ( { name = ...; device = ...; }, ... )");
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
#define PORT(name) mbox_values_get(port_schema, v, name)
		struct mbox_port_cfg *pc = &cfg->ports[cfg->n_ports];
		char what[64];

		snprintf(what, sizeof(what), "ports[%d]", i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			ERR(p, g, "%s: expected a group { name = ...; device = ...; }", what);
			rc = -1;
			continue;
		}
		if (mbox_parse_group(p, g, port_schema, NULL, what, v) < 0) {
			rc = -1;
			continue;
		}
		if (!mbox_valid_identifier(PORT("name")->s)) {
			mbox_parse_error_at(p, field_line(p, g, PORT("name")), "%s: field 'name': \"%s\" is not a name, expected letters, digits and '_' (at most %d, not starting with a digit)",
			    what, PORT("name")->s, MBOX_NAME_MAX);
			rc = -1;
			continue;
		}
		if (mbox_config_port_index(cfg, PORT("name")->s) >= 0) {
			mbox_parse_error_at(p, field_line(p, g, PORT("name")), "%s: field 'name': port '%s' is defined twice", what, PORT("name")->s);
			rc = -1;
			continue;
		}
		snprintf(pc->name, sizeof(pc->name), "%s", PORT("name")->s);
		pc->device = PORT("device")->s;
		pc->is_pci = device_is_pci(pc->device);
		if (!pc->is_pci && !device_is_vdev(pc->device)) {
			mbox_parse_error_at(p, field_line(p, g, PORT("device")), "%s: field 'device': \"%s\" is neither a PCI address (0000:00:04.0) nor a DPDK vdev (net_<driver><n>[,args])",
			    what, pc->device);
			rc = -1;
		}
		for (unsigned j = 0; j < cfg->n_ports; j++)
			if (strcspn(cfg->ports[j].device, ",") == strcspn(pc->device, ",") &&
			    !strncmp(cfg->ports[j].device, pc->device, strcspn(pc->device, ","))) {
				mbox_parse_error_at(p, field_line(p, g, PORT("device")), "%s: field 'device': device \"%.*s\" is already used by port '%s'",
				    what, (int)strcspn(pc->device, ","), pc->device, cfg->ports[j].name);
				rc = -1;
			}
		pc->rx_queues = PORT("rx_queues")->present ? (unsigned)PORT("rx_queues")->u : cfg->dpdk.workers;
		if (pc->rx_queues > cfg->dpdk.workers) {
			mbox_parse_error_at(p, field_line(p, g, PORT("rx_queues")), "%s: field 'rx_queues': %u queues, expected at most %u (one per worker lcore)",
			    what, pc->rx_queues, cfg->dpdk.workers);
			rc = -1;
		}
		pc->rx_desc = (unsigned)PORT("rx_desc")->u;
		pc->tx_desc = (unsigned)PORT("tx_desc")->u;
		pc->mtu = PORT("mtu")->present ? (unsigned)PORT("mtu")->u : 0;
		pc->promiscuous = PORT("promiscuous")->b;
		pc->line = config_setting_source_line(g);
		cfg->n_ports++;
	}
	return rc ? rc : check_mbufs(p);
}

/* The pool must cover every ring plus the per-lcore caches and a burst in
 * flight per worker, or ports start and then starve. */
static int check_mbufs(struct mbox_parse *p)
{
	const struct mbox_config *cfg = p->cfg;
	const config_setting_t *root = p->root, *dpdk = config_setting_get_member(root, "dpdk");
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


#define DIFFER(field_text) do { snprintf(why, why_size, "a change of %s", field_text); return false; } while (0)

bool mbox_config_same_platform(const struct mbox_config *a, const struct mbox_config *b,
			       char *why, size_t why_size)
{
	const struct mbox_dpdk_cfg *x = &a->dpdk, *y = &b->dpdk;

	if (strcmp(x->lcores, y->lcores) || x->main_lcore != y->main_lcore ||
	    strcmp(x->cpus ? x->cpus : "", y->cpus ? y->cpus : ""))
		DIFFER("dpdk.lcores, dpdk.main_lcore or dpdk.cpus");
	if (x->memory_mb != y->memory_mb || x->mbufs != y->mbufs || strcmp(x->file_prefix, y->file_prefix))
		DIFFER("dpdk.memory_mb, dpdk.mbufs or dpdk.file_prefix");
	if (x->n_eal_args != y->n_eal_args)
		DIFFER("dpdk.eal_args");
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

static struct mbox_section dpdk_section = {
	.name = "dpdk", .order = 10, .chained = true, .schema = dpdk_schema, .parse = parse_dpdk,
};
static struct mbox_section ports_section = {
	.name = "ports", .order = 20, .chained = true, .parse = parse_ports,
};
MBOX_SECTION_REGISTER(dpdk_section)
MBOX_SECTION_REGISTER(ports_section)
