/* Notifications: link changes (IF-MIB linkUp/linkDown), configuration
 * applied or rejected, thresholds crossed, start and stop.  Sent on the
 * control thread's 100 ms tick, right after the monitor's (monitor.c), so a
 * trap leaves within a second; this file only decides and sends. */
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "change.h"
#include "mib.h"
#include "monitor.h"
#include "notify.h"

static const oid snmp_trap_oid[] = { OID_snmpTrap, snmpTrapOID, 0 };
static const oid snmp_traps[] = { OID_snmpTraps };
static const oid mbox_notifications[] = { OID_mboxNotifications };
static const oid mbox_system[] = { OID_mboxSystem };
static const oid mbox_thresholds[] = { OID_mboxThresholds };
static const oid if_entry[] = { OID_ifEntry };

/* What was last announced. */
static struct {
	unsigned generation, rejections;
} nt;

/* A varbind for instance `instance` of column (or scalar) `arc` under base. */
static void add_oid(netsnmp_variable_list **vars, const oid *base, size_t len, unsigned arc, oid instance,
		    u_char type, const void *value, size_t value_len)
{
	oid name[MBOX_OID_MAX];

	memcpy(name, base, len * sizeof(oid));
	name[len] = arc;
	name[len + 1] = instance;
	snmp_varlist_add_variable(vars, name, len + 2, type, value, value_len);
}

static void add_text(netsnmp_variable_list **vars, const oid *base, size_t len, unsigned arc, const char *text)
{
	size_t n = strlen(text);

	add_oid(vars, base, len, arc, 0, ASN_OCTET_STR, text, n > 255 ? 255 : n);
}

static void add_int(netsnmp_variable_list **vars, const oid *base, size_t len, unsigned arc, oid instance,
		    u_char type, long value)
{
	add_oid(vars, base, len, arc, instance, type, &value, sizeof(value));
}

/* Send the notification `number` under base, carrying vars. */
static void send_trap(const oid *base, size_t len, unsigned number, netsnmp_variable_list *vars)
{
	netsnmp_variable_list *all = NULL;
	oid trap[MBOX_OID_MAX];

	memcpy(trap, base, len * sizeof(oid));
	trap[len] = number;
	snmp_varlist_add_variable(&all, snmp_trap_oid, OID_LENGTH(snmp_trap_oid), ASN_OBJECT_ID,
				  trap, (len + 1) * sizeof(oid));
	all->next_variable = vars;
	send_v2trap(all);
	snmp_free_varbind(all);
}

static void send_mbox_trap(unsigned number, netsnmp_variable_list *vars)
{
	send_trap(mbox_notifications, OID_LENGTH(mbox_notifications), number, vars);
}

#define SYSTEM mbox_system, OID_LENGTH(mbox_system)
#define THRESHOLDS mbox_thresholds, OID_LENGTH(mbox_thresholds)
#define IF_ENTRY if_entry, OID_LENGTH(if_entry)

void notify_started(void)
{
	netsnmp_variable_list *vars = NULL;

	add_text(&vars, SYSTEM, mboxFirmwareVersion, MBOX_VERSION);
	send_mbox_trap(mboxFirmwareStarted, vars);
	if (mib_state.restart_count) {
		vars = NULL;
		add_int(&vars, SYSTEM, mboxRestartCount, 0, ASN_COUNTER, (long)mib_state.restart_count);
		send_mbox_trap(mboxRestarted, vars);
	}
	if (mbox_dataplane_status()->source == MBOX_SOURCE_LAST_GOOD) {
		vars = NULL;
		add_int(&vars, SYSTEM, mboxConfigSource, 0, ASN_INTEGER, MBOX_SOURCE_LAST_GOOD);
		add_text(&vars, SYSTEM, mboxConfigLastError, mbox_dataplane_status()->last_error);
		send_mbox_trap(mboxConfigLastGoodUsed, vars);
	}
	nt.generation = mbox_dataplane_status()->generation;
	nt.rejections = mbox_dataplane_status()->rejections;
}

void notify_stopping(void)
{
	netsnmp_variable_list *vars = NULL;

	add_int(&vars, SYSTEM, mboxOperState, 0, ASN_INTEGER, 4 /* stopping */);
	send_mbox_trap(mboxFirmwareStopping, vars);
}

static void link_trap(unsigned port, bool up)
{
	unsigned if_index = mib_state.if_index_base + port + 1;
	netsnmp_variable_list *vars = NULL;

	add_int(&vars, IF_ENTRY, ifIndex, if_index, ASN_INTEGER, if_index);
	add_int(&vars, IF_ENTRY, ifAdminStatus, if_index, ASN_INTEGER, mbox_port_admin_up(port) ? 1 : 2);
	add_int(&vars, IF_ENTRY, ifOperStatus, if_index, ASN_INTEGER, up ? 1 : 2);
	send_trap(snmp_traps, OID_LENGTH(snmp_traps), up ? linkUp : linkDown, vars);
}

static void threshold_trap(const struct monitor_event *ev)
{
	netsnmp_variable_list *vars = NULL;

	add_int(&vars, THRESHOLDS, mboxThresholdCrossedType, 0, ASN_INTEGER, ev->cross);
	add_text(&vars, THRESHOLDS, mboxThresholdCrossedSubject, ev->subject);
	add_int(&vars, THRESHOLDS, mboxThresholdCrossedValue, 0, ASN_UNSIGNED,
		(long)(ev->value > UINT32_MAX ? UINT32_MAX : ev->value));
	add_int(&vars, THRESHOLDS, mboxThresholdCrossedLimit, 0, ASN_UNSIGNED, ev->limit);
	send_mbox_trap(mboxThresholdCrossed, vars);
}

static void check_config(void)
{
	const struct mbox_status *st = mbox_dataplane_status();

	if (st->generation != nt.generation) {
		netsnmp_variable_list *vars = NULL;

		nt.generation = st->generation;
		add_int(&vars, SYSTEM, mboxConfigGeneration, 0, ASN_UNSIGNED, (long)st->generation);
		add_text(&vars, SYSTEM, mboxConfigHash, st->hash);
		send_mbox_trap(mboxConfigApplied, vars);
	}
	if (st->rejections != nt.rejections) {
		netsnmp_variable_list *vars = NULL;

		nt.rejections = st->rejections;
		add_text(&vars, SYSTEM, mboxConfigLastError, st->last_error);
		send_mbox_trap(mboxConfigRejected, vars);
	}
}

void notify_tick(void)
{
	unsigned n;
	const struct monitor_event *ev = monitor_events(&n);

	/* Links first, thresholds last: the order managers saw before. */
	for (unsigned i = 0; i < n; i++)
		if (ev[i].what == MONITOR_LINK)
			link_trap(ev[i].port, ev[i].up);
	check_config();
	for (unsigned i = 0; i < n; i++)
		if (ev[i].what == MONITOR_THRESHOLD)
			threshold_trap(&ev[i]);
}
