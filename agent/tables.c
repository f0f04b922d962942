/* The tables the subagent serves: for each MBOX-MIB and IF-MIB table (or
 * group of scalars) one table of columns, each with its number, type,
 * getter and, when writable, the SET it takes (agent.c checks and applies
 * those).  A walker per table visits its rows; objects.c keeps what they
 * yield as the snapshot. */
#include <string.h>

#include <rte_cycles.h>

#include "change.h"
#include "mib.h"
#include "monitor.h"
#include "param.h"
#include "stats.h"

/* The row a walker is on: positions in the configuration, and the
 * statistics read once per snapshot. */
struct mib_row {
	const struct mbox_config *cfg;
	const struct mbox_port_stats *ps;    /* every port's */
	const struct mbox_element_stats *es; /* every element's */
	struct mbox_core_stats core;
	struct mbox_pool_stats pool;
	unsigned at;   /* port, element or worker */
	unsigned sub;  /* output, counter or parameter of the element */
	unsigned item; /* row of a list parameter */
	oid index[3];
	size_t index_len;
};

/* A getter's answer: a number, or bytes (`bytes`, else `text`). */
struct mib_value {
	uint64_t num;
	const void *bytes;
	size_t len;
	char text[1024];
};

#define GETTER(fn) static void fn(const struct mib_row *r __attribute__((unused)), struct mib_value *v)
#define COLUMN(name, type, get) { name, #name, type, get, W_NONE, 0 }
#define WRITABLE(name, type, get, write, arg) { name, #name, type, get, write, arg }
#define TABLE(name, columns, walk) \
	{ #name, name##_oid, OID_LENGTH(name##_oid), columns, sizeof(columns) / sizeof((columns)[0]), walk }

static void text(struct mib_value *v, const char *s)
{
	size_t n = strlen(s);

	v->bytes = s;
	v->len = n > 255 ? 255 : n;
}

static uint32_t u32(uint64_t x)
{
	return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}

/* Every column of the row r is on. */
static void add_row(const struct mib_table *t, const struct mib_row *r)
{
	for (size_t c = 0; c < t->n_columns; c++) {
		const struct mib_column *col = &t->columns[c];
		struct mib_obj *o = mib_add(t->entry, t->entry_len, col->number, r->index, r->index_len, col->type);
		struct mib_value v;

		if (!o)
			return;
		v.num = 0;
		v.bytes = NULL;
		v.text[0] = '\0'; /* not the whole buffer: this runs for every instance */
		col->get(r, &v);
		if (col->type == ASN_OCTET_STR)
			mib_obj_set_bytes(o, v.bytes ? v.bytes : v.text, v.bytes ? v.len : strnlen(v.text, 255));
		else
			o->num = v.num;
		if (col->write != W_NONE) {
			o->write = col->write;
			o->index = r->at;
			o->sub = col->write == W_THRESHOLD ? col->arg : r->sub;
			o->row = r->item;
		}
	}
}

static void add_indexed(const struct mib_table *t, struct mib_row *r, size_t n, unsigned a, unsigned b, unsigned c)
{
	r->index[0] = a;
	r->index[1] = b;
	r->index[2] = c;
	r->index_len = n;
	add_row(t, r);
}

/* ---- mboxSystem and mboxThresholds: scalars, instance .0 ---- */

static void scalars(const struct mib_table *t, struct mib_row *r)
{
	r->at = r->sub = r->item = 0;
	add_indexed(t, r, 1, 0, 0, 0);
}

static const struct mbox_status *status(void)
{
	return mbox_dataplane_status();
}

GETTER(firmware_version) { text(v, MBOX_VERSION); }
GETTER(uptime) { v->num = mib_ticks(rte_get_timer_cycles()); }
GETTER(oper_state) { v->num = 2; /* running */ }
GETTER(generation) { v->num = status()->generation; }
GETTER(config_hash) { text(v, status()->hash); }
GETTER(last_error) { text(v, status()->last_error); }
GETTER(applied_time) { v->num = mib_ticks(status()->applied_at); }
GETTER(admin_action) { v->num = mib_state.action; }
GETTER(action_result) { v->num = mib_state.result; }
GETTER(result_text) { text(v, mib_state.result_text); }
GETTER(restart_count) { v->num = mib_state.restart_count; }
GETTER(removed) { text(v, status()->removed); }
GETTER(config_source) { v->num = status()->source; }

static const struct mib_column system_columns[] = {
	COLUMN(mboxFirmwareVersion, ASN_OCTET_STR, firmware_version),
	COLUMN(mboxUptime, ASN_TIMETICKS, uptime),
	COLUMN(mboxOperState, ASN_INTEGER, oper_state),
	COLUMN(mboxConfigGeneration, ASN_UNSIGNED, generation),
	COLUMN(mboxConfigHash, ASN_OCTET_STR, config_hash),
	COLUMN(mboxConfigLastError, ASN_OCTET_STR, last_error),
	COLUMN(mboxConfigAppliedTime, ASN_TIMETICKS, applied_time),
	WRITABLE(mboxAdminAction, ASN_INTEGER, admin_action, W_ACTION, 0),
	COLUMN(mboxActionResult, ASN_INTEGER, action_result),
	COLUMN(mboxActionResultText, ASN_OCTET_STR, result_text),
	COLUMN(mboxRestartCount, ASN_COUNTER, restart_count),
	COLUMN(mboxConfigRemovedElements, ASN_OCTET_STR, removed),
	COLUMN(mboxConfigSource, ASN_INTEGER, config_source),
};

static unsigned limit(const struct mib_row *r, enum mbox_threshold t)
{
	return mbox_thresholds_cfg(r->cfg)->limit[t];
}

GETTER(drop_rate_limit) { v->num = limit(r, THRESHOLD_DROP_RATE); }
GETTER(core_busy_limit) { v->num = limit(r, THRESHOLD_CORE_BUSY); }
GETTER(pool_usage_limit) { v->num = limit(r, THRESHOLD_POOL_USAGE); }
GETTER(table_fill_limit) { v->num = limit(r, THRESHOLD_TABLE_FILL); }

static const struct mib_column threshold_columns[] = {
	WRITABLE(mboxThresholdDropRate, ASN_UNSIGNED, drop_rate_limit, W_THRESHOLD, THRESHOLD_DROP_RATE),
	WRITABLE(mboxThresholdCoreBusy, ASN_UNSIGNED, core_busy_limit, W_THRESHOLD, THRESHOLD_CORE_BUSY),
	WRITABLE(mboxThresholdPoolUsage, ASN_UNSIGNED, pool_usage_limit, W_THRESHOLD, THRESHOLD_POOL_USAGE),
	WRITABLE(mboxThresholdTableFill, ASN_UNSIGNED, table_fill_limit, W_THRESHOLD, THRESHOLD_TABLE_FILL),
};

/* ---- mboxPortTable, ifTable, ifXTable: one row per port ---- */

static const struct mbox_port_stats *port(const struct mib_row *r)
{
	return &r->ps[r->at];
}

static void ports(const struct mib_table *t, struct mib_row *r)
{
	for (r->at = 0; r->at < r->cfg->n_ports; r->at++)
		add_indexed(t, r, 1, r->at + 1, 0, 0);
}

/* The IF-MIB rows: indexed by ifIndex. */
static void interfaces(const struct mib_table *t, struct mib_row *r)
{
	for (r->at = 0; r->at < r->cfg->n_ports; r->at++)
		add_indexed(t, r, 1, mib_state.if_index_base + r->at + 1, 0, 0);
}

/* Drops of the sinks that transmit on a port: its ifOutDiscards. */
static uint64_t port_out_discards(const struct mib_row *r)
{
	const struct mbox_config *cfg = r->cfg;
	uint64_t drops = 0;

	for (unsigned i = 0; i < cfg->n_elements; i++) {
		const struct mbox_element *e = &cfg->elements[i];

		if (e->n_outputs)
			continue;
		for (unsigned q = 0; e->kind->params[q].name; q++)
			if (e->kind->params[q].type == MBOX_P_PORT && e->values[q].port == r->at)
				drops += r->es[i].drops;
	}
	return drops;
}

static bool oper_up(const struct mib_row *r)
{
	return monitor_port_oper_up(r->at);
}

static void mac(const struct mib_row *r, struct mib_value *v)
{
	v->bytes = port(r)->mac.addr_bytes;
	v->len = RTE_ETHER_ADDR_LEN;
}

GETTER(port_name) { text(v, port(r)->name); }
GETTER(port_device) { text(v, port(r)->device); }
GETTER(link_state) { v->num = oper_up(r) ? 1 : 2; }
GETTER(speed_mbps) { v->num = oper_up(r) ? port(r)->speed_mbps : 0; }
GETTER(mtu) { v->num = port(r)->mtu; }
GETTER(admin_status) { v->num = mbox_port_admin_up(r->at) ? 1 : 2; }
GETTER(in_packets) { v->num = port(r)->ipackets; }
GETTER(out_packets) { v->num = port(r)->opackets; }
GETTER(in_octets) { v->num = port(r)->ibytes; }
GETTER(out_octets) { v->num = port(r)->obytes; }
GETTER(in_errors) { v->num = port(r)->ierrors; }
GETTER(out_errors) { v->num = port(r)->oerrors; }
GETTER(in_missed) { v->num = port(r)->imissed; }
GETTER(rx_nombuf) { v->num = port(r)->rx_nombuf; }
GETTER(if_index) { v->num = mib_state.if_index_base + r->at + 1; }

static const struct mib_column port_columns[] = {
	COLUMN(mboxPortName, ASN_OCTET_STR, port_name),
	COLUMN(mboxPortDevice, ASN_OCTET_STR, port_device),
	COLUMN(mboxPortMacAddress, ASN_OCTET_STR, mac),
	COLUMN(mboxPortLinkState, ASN_INTEGER, link_state),
	COLUMN(mboxPortSpeed, ASN_GAUGE, speed_mbps),
	COLUMN(mboxPortMtu, ASN_UNSIGNED, mtu),
	WRITABLE(mboxPortAdminStatus, ASN_INTEGER, admin_status, W_PORT_ADMIN, 0),
	COLUMN(mboxPortInPackets, ASN_COUNTER64, in_packets),
	COLUMN(mboxPortOutPackets, ASN_COUNTER64, out_packets),
	COLUMN(mboxPortInOctets, ASN_COUNTER64, in_octets),
	COLUMN(mboxPortOutOctets, ASN_COUNTER64, out_octets),
	COLUMN(mboxPortInErrors, ASN_COUNTER64, in_errors),
	COLUMN(mboxPortOutErrors, ASN_COUNTER64, out_errors),
	COLUMN(mboxPortInMissed, ASN_COUNTER64, in_missed),
	COLUMN(mboxPortRxNoMbufDrops, ASN_COUNTER64, rx_nombuf),
	COLUMN(mboxPortIfIndex, ASN_INTEGER, if_index),
};

/* Packets are all counted as unicast: DPDK's basic statistics do not tell
 * them apart.  The 32-bit counters wrap as IF-MIB's do. */
GETTER(ethernet_csmacd) { v->num = 6; }
GETTER(speed_bps) { v->num = oper_up(r) ? u32((uint64_t)port(r)->speed_mbps * 1000000) : 0; }
GETTER(oper_status) { v->num = oper_up(r) ? 1 : 2; }
GETTER(last_change) { v->num = mib_ticks(monitor_port_last_change(r->at)); }
GETTER(in_octets32) { v->num = (uint32_t)port(r)->ibytes; }
GETTER(in_packets32) { v->num = (uint32_t)port(r)->ipackets; }
GETTER(in_discards32) { v->num = (uint32_t)(port(r)->imissed + port(r)->rx_nombuf); }
GETTER(in_errors32) { v->num = (uint32_t)port(r)->ierrors; }
GETTER(zero) { v->num = 0; }
GETTER(out_octets32) { v->num = (uint32_t)port(r)->obytes; }
GETTER(out_packets32) { v->num = (uint32_t)port(r)->opackets; }
GETTER(out_discards32) { v->num = (uint32_t)port_out_discards(r); }
GETTER(out_errors32) { v->num = (uint32_t)port(r)->oerrors; }

static const struct mib_column if_columns[] = {
	COLUMN(ifIndex, ASN_INTEGER, if_index),
	COLUMN(ifDescr, ASN_OCTET_STR, port_name),
	COLUMN(ifType, ASN_INTEGER, ethernet_csmacd),
	COLUMN(ifMtu, ASN_INTEGER, mtu),
	COLUMN(ifSpeed, ASN_GAUGE, speed_bps),
	COLUMN(ifPhysAddress, ASN_OCTET_STR, mac),
	WRITABLE(ifAdminStatus, ASN_INTEGER, admin_status, W_PORT_ADMIN, 0),
	COLUMN(ifOperStatus, ASN_INTEGER, oper_status),
	COLUMN(ifLastChange, ASN_TIMETICKS, last_change),
	COLUMN(ifInOctets, ASN_COUNTER, in_octets32),
	COLUMN(ifInUcastPkts, ASN_COUNTER, in_packets32),
	COLUMN(ifInDiscards, ASN_COUNTER, in_discards32),
	COLUMN(ifInErrors, ASN_COUNTER, in_errors32),
	COLUMN(ifInUnknownProtos, ASN_COUNTER, zero),
	COLUMN(ifOutOctets, ASN_COUNTER, out_octets32),
	COLUMN(ifOutUcastPkts, ASN_COUNTER, out_packets32),
	COLUMN(ifOutDiscards, ASN_COUNTER, out_discards32),
	COLUMN(ifOutErrors, ASN_COUNTER, out_errors32),
};

GETTER(enabled) { v->num = 1; }
GETTER(promiscuous) { v->num = r->cfg->ports[r->at].promiscuous ? 1 : 2; }
GETTER(true_value) { v->num = 1; }

static const struct mib_column ifx_columns[] = {
	COLUMN(ifName, ASN_OCTET_STR, port_name),
	COLUMN(ifHCInOctets, ASN_COUNTER64, in_octets),
	COLUMN(ifHCInUcastPkts, ASN_COUNTER64, in_packets),
	COLUMN(ifHCOutOctets, ASN_COUNTER64, out_octets),
	COLUMN(ifHCOutUcastPkts, ASN_COUNTER64, out_packets),
	COLUMN(ifLinkUpDownTrapEnable, ASN_INTEGER, enabled),
	COLUMN(ifHighSpeed, ASN_GAUGE, speed_mbps),
	COLUMN(ifPromiscuousMode, ASN_INTEGER, promiscuous),
	COLUMN(ifConnectorPresent, ASN_INTEGER, true_value),
	COLUMN(ifAlias, ASN_OCTET_STR, port_device),
	COLUMN(ifCounterDiscontinuityTime, ASN_TIMETICKS, zero),
};

/* ---- mboxElementTable and the tables under an element ---- */

static const struct mbox_element_stats *element_stats(const struct mib_row *r)
{
	return &r->es[r->at];
}

static const struct mbox_element *element(const struct mib_row *r)
{
	return &r->cfg->elements[r->at];
}

static const struct mbox_param *param(const struct mib_row *r)
{
	return &element(r)->kind->params[r->sub];
}

static void elements(const struct mib_table *t, struct mib_row *r)
{
	for (r->at = 0; r->at < r->cfg->n_elements; r->at++)
		add_indexed(t, r, 1, r->at + 1, 0, 0);
}

static void outputs(const struct mib_table *t, struct mib_row *r)
{
	for (r->at = 0; r->at < r->cfg->n_elements; r->at++)
		for (r->sub = 0; r->sub < r->es[r->at].n_outputs; r->sub++)
			add_indexed(t, r, 2, r->at + 1, r->sub + 1, 0);
}

static void counters(const struct mib_table *t, struct mib_row *r)
{
	for (r->at = 0; r->at < r->cfg->n_elements; r->at++)
		for (r->sub = 0; r->es[r->at].counter_names && r->es[r->at].counter_names[r->sub]; r->sub++)
			add_indexed(t, r, 2, r->at + 1, r->sub + 1, 0);
}

static void params(const struct mib_table *t, struct mib_row *r)
{
	for (r->at = 0; r->at < r->cfg->n_elements; r->at++)
		for (r->sub = 0; element(r)->kind->params[r->sub].name; r->sub++)
			add_indexed(t, r, 2, r->at + 1, r->sub + 1, 0);
}

/* mboxElementRowTable: one row per item of every list parameter. */
static void list_rows(const struct mib_table *t, struct mib_row *r)
{
	for (r->at = 0; r->at < r->cfg->n_elements; r->at++)
		for (r->sub = 0; element(r)->kind->params[r->sub].name; r->sub++)
			for (r->item = 0; param(r)->type == MBOX_P_LIST && r->item < element(r)->values[r->sub].list.n;
			     r->item++)
				add_indexed(t, r, 3, r->at + 1, r->sub + 1, r->item + 1);
}

/* Running, or disabled when a port it uses is administratively down. */
static unsigned element_state(const struct mbox_element *e)
{
	for (unsigned q = 0; e->kind->params[q].name; q++)
		if (e->kind->params[q].type == MBOX_P_PORT && e->values[q].present &&
		    !mbox_port_admin_up(e->values[q].port))
			return 3;
	return 1;
}

GETTER(element_name) { text(v, element_stats(r)->name); }
GETTER(element_kind) { text(v, element_stats(r)->kind); }
GETTER(element_state_now) { v->num = element_state(element(r)); }
GETTER(element_in) { v->num = element_stats(r)->in; }
GETTER(element_drops) { v->num = element_stats(r)->drops; }
GETTER(element_calls) { v->num = element_stats(r)->calls; }
GETTER(element_cycles) { v->num = element_stats(r)->cycles; }
GETTER(cycles_per_packet) { v->num = element_stats(r)->in ? u32(element_stats(r)->cycles / element_stats(r)->in) : 0; }
GETTER(element_outputs) { v->num = element_stats(r)->n_outputs; }
GETTER(element_change) { v->num = element_stats(r)->change; }

static const struct mib_column element_columns[] = {
	COLUMN(mboxElementName, ASN_OCTET_STR, element_name),
	COLUMN(mboxElementKind, ASN_OCTET_STR, element_kind),
	COLUMN(mboxElementState, ASN_INTEGER, element_state_now),
	COLUMN(mboxElementInPackets, ASN_COUNTER64, element_in),
	COLUMN(mboxElementDrops, ASN_COUNTER64, element_drops),
	COLUMN(mboxElementCalls, ASN_COUNTER64, element_calls),
	COLUMN(mboxElementCycles, ASN_COUNTER64, element_cycles),
	COLUMN(mboxElementCyclesPerPacket, ASN_UNSIGNED, cycles_per_packet),
	COLUMN(mboxElementOutputs, ASN_UNSIGNED, element_outputs),
	COLUMN(mboxElementLastChange, ASN_INTEGER, element_change),
};

GETTER(output_name) { text(v, element(r)->output_names[r->sub]); }
GETTER(output_packets) { v->num = element_stats(r)->out[r->sub]; }
GETTER(output_target)
{
	int target = element(r)->output_target[r->sub];

	text(v, target < 0 ? "" : r->cfg->elements[target].name);
}

static const struct mib_column output_columns[] = {
	COLUMN(mboxElementOutputName, ASN_OCTET_STR, output_name),
	COLUMN(mboxElementOutputPackets, ASN_COUNTER64, output_packets),
	COLUMN(mboxElementOutputTarget, ASN_OCTET_STR, output_target),
};

GETTER(counter_name) { text(v, element_stats(r)->counter_names[r->sub]); }
GETTER(counter_value) { v->num = element_stats(r)->counters[r->sub]; }

static const struct mib_column counter_columns[] = {
	COLUMN(mboxElementCounterName, ASN_OCTET_STR, counter_name),
	COLUMN(mboxElementCounterValue, ASN_COUNTER64, counter_value),
};

GETTER(param_name) { text(v, param(r)->name); }
GETTER(param_value) { mbox_config_value_text(r->cfg, (int)r->at, param(r), v->text, sizeof(v->text)); }
GETTER(param_writable) { v->num = param(r)->writable ? 1 : 2; }
GETTER(param_type) { text(v, mbox_ptype_text(param(r))); }

static const struct mib_column param_columns[] = {
	COLUMN(mboxElementParamName, ASN_OCTET_STR, param_name),
	WRITABLE(mboxElementParamValue, ASN_OCTET_STR, param_value, W_PARAM, 0),
	COLUMN(mboxElementParamWritable, ASN_INTEGER, param_writable),
	COLUMN(mboxElementParamType, ASN_OCTET_STR, param_type),
};

GETTER(row_value) { mbox_config_row_text(r->cfg, r->at, param(r), r->item, v->text, sizeof(v->text)); }
GETTER(row_hits)
{
	const char *counted = element(r)->kind->counted_list;

	v->num = counted && !strcmp(counted, param(r)->name) ? mbox_stats_row_hits(r->at, r->item) : 0;
}
GETTER(row_status) { v->num = RS_ACTIVE; }

static const struct mib_column row_columns[] = {
	WRITABLE(mboxElementRowValue, ASN_OCTET_STR, row_value, W_ROW_VALUE, 0),
	COLUMN(mboxElementRowHits, ASN_COUNTER64, row_hits),
	WRITABLE(mboxElementRowStatus, ASN_INTEGER, row_status, W_ROW_STATUS, 0),
};

/* ---- mboxCoreTable, mboxPoolTable ---- */

static void cores(const struct mib_table *t, struct mib_row *r)
{
	unsigned n = mbox_stats_n_cores();

	for (r->at = 0; r->at < n && mbox_stats_core(r->at, &r->core) == 0; r->at++)
		add_indexed(t, r, 1, r->at + 1, 0, 0);
}

static void pools(const struct mib_table *t, struct mib_row *r)
{
	r->at = 0;
	if (mbox_stats_pool(&r->pool) == 0)
		add_indexed(t, r, 1, 1, 0, 0);
}

GETTER(core_lcore) { v->num = r->core.lcore; }
GETTER(core_busy) { v->num = monitor_core_busy(r->at); }
GETTER(core_packets) { v->num = r->core.packets; }
GETTER(core_walks) { v->num = r->core.walks; }

static const struct mib_column core_columns[] = {
	COLUMN(mboxCoreLcore, ASN_UNSIGNED, core_lcore),
	COLUMN(mboxCoreBusyPercent, ASN_GAUGE, core_busy),
	COLUMN(mboxCorePackets, ASN_COUNTER64, core_packets),
	COLUMN(mboxCoreWalks, ASN_COUNTER64, core_walks),
};

GETTER(pool_name) { text(v, r->pool.name); }
GETTER(pool_size) { v->num = r->pool.size; }
GETTER(pool_in_use) { v->num = r->pool.in_use; }
GETTER(pool_in_use_percent) { v->num = r->pool.size ? r->pool.in_use * 100ULL / r->pool.size : 0; }

static const struct mib_column pool_columns[] = {
	COLUMN(mboxPoolName, ASN_OCTET_STR, pool_name),
	COLUMN(mboxPoolSize, ASN_UNSIGNED, pool_size),
	COLUMN(mboxPoolInUse, ASN_GAUGE, pool_in_use),
	COLUMN(mboxPoolInUsePercent, ASN_GAUGE, pool_in_use_percent),
};

/* ---- the tables ---- */

static const oid mboxSystem_oid[] = { OID_mboxSystem }, mboxThresholds_oid[] = { OID_mboxThresholds },
		 mboxPortEntry_oid[] = { OID_mboxPortEntry }, ifEntry_oid[] = { OID_ifEntry },
		 ifXEntry_oid[] = { OID_ifXEntry }, mboxElementEntry_oid[] = { OID_mboxElementEntry },
		 mboxElementOutputEntry_oid[] = { OID_mboxElementOutputEntry },
		 mboxElementCounterEntry_oid[] = { OID_mboxElementCounterEntry },
		 mboxElementParamEntry_oid[] = { OID_mboxElementParamEntry },
		 mboxElementRowEntry_oid[] = { OID_mboxElementRowEntry }, mboxCoreEntry_oid[] = { OID_mboxCoreEntry },
		 mboxPoolEntry_oid[] = { OID_mboxPoolEntry };

static const struct mib_table system_table = TABLE(mboxSystem, system_columns, scalars);
static const struct mib_table threshold_table = TABLE(mboxThresholds, threshold_columns, scalars);
static const struct mib_table port_table = TABLE(mboxPortEntry, port_columns, ports);
const struct mib_table mib_if_table = TABLE(ifEntry, if_columns, interfaces);
const struct mib_table mib_ifx_table = TABLE(ifXEntry, ifx_columns, interfaces);
static const struct mib_table element_table = TABLE(mboxElementEntry, element_columns, elements);
static const struct mib_table output_table = TABLE(mboxElementOutputEntry, output_columns, outputs);
static const struct mib_table counter_table = TABLE(mboxElementCounterEntry, counter_columns, counters);
static const struct mib_table param_table = TABLE(mboxElementParamEntry, param_columns, params);
static const struct mib_table row_table = TABLE(mboxElementRowEntry, row_columns, list_rows);
static const struct mib_table core_table = TABLE(mboxCoreEntry, core_columns, cores);
static const struct mib_table pool_table = TABLE(mboxPoolEntry, pool_columns, pools);

const struct mib_table *const mib_tables[] = {
	&system_table, &port_table, &mib_if_table, &mib_ifx_table, &element_table, &output_table,
	&counter_table, &param_table, &row_table, &core_table, &pool_table, &threshold_table, NULL,
};

void mib_add_tables(void)
{
	const struct mbox_config *cfg = mbox_running_config();
	static struct mbox_port_stats ps[MBOX_MAX_PORTS];
	static struct mbox_element_stats es[MBOX_MAX_ELEMENTS];
	struct mib_row row = { .cfg = cfg, .ps = ps, .es = es };

	for (unsigned i = 0; i < cfg->n_ports; i++)
		mbox_stats_port(i, &ps[i]);
	for (unsigned i = 0; i < cfg->n_elements; i++)
		mbox_stats_element(i, &es[i]);
	for (unsigned t = 0; mib_tables[t]; t++) {
		row.at = row.sub = row.item = 0;
		mib_tables[t]->rows(mib_tables[t], &row);
	}
}
