/* The subagent's SET logic (agent/agent.c) driven phase by phase, as
 * Net-SNMP's agent drives a registered handler (RESERVE1, RESERVE2, ACTION,
 * then COMMIT, or UNDO when another varbind's ACTION failed, or FREE after
 * a failed RESERVE), on a running data plane with a real worker
 * (dataplane_fixture.h), without a master agent: commit, UNDO after ACTION
 * (the graph and a port's admin state return), FREE after RESERVE2, a
 * wrong value, and faults (tests/fault/fault.h) in RESERVE1 and at each
 * allocation of RESERVE2's build: resourceUnavailable, nothing changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agent.h"
#include "check.h"
#include "dataplane.h"
#include "dataplane_fixture.h"
#include "fault.h"
#include "mib.h"

#define MAX_WALK 1000
#define RW 3     /* the element rw, counting from 1 */
#define PORT_P1 2

static const char graph[] =
	"elements = ( { name = \"rx0\"; kind = \"port_rx\"; port = \"p0\"; }, { name = \"c\"; kind = \"counter\"; },\n"
	"  { name = \"rw\"; kind = \"ether_rewrite\"; swap = true; src = \"02:00:00:00:00:aa\"; },\n"
	"  { name = \"tx1\"; kind = \"port_tx\"; port = \"p1\"; }, { name = \"rx1\"; kind = \"port_rx\"; port = \"p1\"; },\n"
	"  { name = \"tx0\"; kind = \"port_tx\"; port = \"p0\"; } );\n"
	"links = ( \"rx0 -> c -> rw -> tx1\", \"rx1 -> tx0\" );\n";
static const oid swap_oid[] = { OID_mboxElementParamEntry, 3, RW, 1 }; /* mboxElementParamValue */
static const oid admin_oid[] = { OID_mboxPortEntry, 8, PORT_P1 }; /* mboxPortAdminStatus */
static netsnmp_handler_registration *reg;

/* One phase over the varbinds; the first error status, or 0. */
static int phase(int mode, netsnmp_variable_list *vbs)
{
	netsnmp_request_info requests[4] = { 0 };
	netsnmp_agent_request_info ri = { .mode = mode };
	unsigned n = 0;

	for (netsnmp_variable_list *vb = vbs; vb && n < 4; vb = vb->next_variable, n++) {
		requests[n].requestvb = vb;
		requests[n].next = vb->next_variable ? &requests[n + 1] : NULL;
	}
	netsnmp_call_handlers(reg, &ri, requests);
	for (unsigned i = 0; i < n; i++)
		if (requests[i].status)
			return requests[i].status;
	return 0;
}

/* RESERVE1 and RESERVE2 (FREE after an error): the error, or 0. */
static int reserve(netsnmp_variable_list *vbs)
{
	int err = phase(MODE_SET_RESERVE1, vbs);

	if (!err)
		err = phase(MODE_SET_RESERVE2, vbs);
	if (err)
		phase(MODE_SET_FREE, vbs);
	return err;
}

static netsnmp_variable_list *swap_to(const char *value)
{
	netsnmp_variable_list *vbs = NULL;

	snmp_varlist_add_variable(&vbs, swap_oid, OID_LENGTH(swap_oid), ASN_OCTET_STR, value, strlen(value));
	return vbs;
}

static const char *swap_now(void)
{
	const struct mib_obj *o = mib_find(swap_oid, OID_LENGTH(swap_oid));

	return o && o->str ? o->str : "?";
}

static void test_commit(void)
{
	netsnmp_variable_list *vbs = swap_to("false");
	unsigned before = fixture_generation();
	int err = reserve(vbs);

	if (!err) {
		phase(MODE_SET_ACTION, vbs);
		phase(MODE_SET_COMMIT, vbs);
	}
	check(!err && fixture_generation() == before + 1 && !strcmp(swap_now(), "false") && fixture_worker_on_running() &&
	      fixture_counting("c"), "agent_set_commit_applies", "error %d, generation %u (was %u), swap %s; last error \"%s\"",
	      err, fixture_generation(), before, swap_now(), mbox_dataplane_status()->last_error);
	snmp_free_varbind(vbs);
}

/* Another varbind's ACTION failed: Net-SNMP undoes this one's. */
static void test_undo_after_action(void)
{
	netsnmp_variable_list *vbs = swap_to("true");
	long down = 2;
	const struct mbox_generation *running = mbox_dataplane_generation();
	unsigned before = fixture_generation();
	size_t heap = fault_heap_in_use();
	uint64_t switched = fixture_worker_switches();
	bool acted;
	int err;

	snmp_varlist_add_variable(&vbs, admin_oid, OID_LENGTH(admin_oid), ASN_INTEGER, &down, sizeof(down));
	err = reserve(vbs);
	if (err) {
		check(0, "agent_set_undo_reserved", "error %d", err);
		snmp_free_varbind(vbs);
		return;
	}
	phase(MODE_SET_ACTION, vbs);
	fixture_worker_switched(switched);
	acted = fixture_worker_switches() == switched + 1 && !mbox_port_admin_up(PORT_P1 - 1);
	phase(MODE_SET_UNDO, vbs);
	check(acted && mbox_dataplane_generation() == running && fixture_generation() == before &&
	      !strcmp(swap_now(), "false") && mbox_port_admin_up(PORT_P1 - 1) && fault_heap_in_use() == heap &&
	      fixture_worker_on_running() && fixture_counting("c"), "agent_set_undo_after_action_restores",
	      "acted %d; generation %u (was %u), swap %s, port up %d, heap %zu bytes (was %zu)", acted, fixture_generation(),
	      before, swap_now(), mbox_port_admin_up(PORT_P1 - 1), fault_heap_in_use(), heap);
	snmp_free_varbind(vbs);
}

/* Another varbind failed its RESERVE2: FREE drops the built change. */
static void test_free_after_reserve2(void)
{
	netsnmp_variable_list *vbs = swap_to("true");
	unsigned before = fixture_generation();
	size_t heap = fault_heap_in_use();
	int err = phase(MODE_SET_RESERVE1, vbs);

	err = err ? err : phase(MODE_SET_RESERVE2, vbs);
	phase(MODE_SET_FREE, vbs);
	check(!err && fixture_generation() == before && !strcmp(swap_now(), "false") && fault_heap_in_use() == heap,
	      "agent_set_free_after_reserve2_drops_it", "error %d, generation %u (was %u), swap %s, heap %zu (was %zu)",
	      err, fixture_generation(), before, swap_now(), fault_heap_in_use(), heap);
	snmp_free_varbind(vbs);
}

static void test_wrong_value(void)
{
	netsnmp_variable_list *vbs = swap_to("maybe");
	unsigned before = fixture_generation();
	int err = reserve(vbs);

	check(err == SNMP_ERR_WRONGVALUE && fixture_generation() == before && strstr(mbox_dataplane_status()->last_error, "swap"),
	      "agent_set_wrong_value_refused", "error %d, generation %u, last error \"%s\"", err, fixture_generation(),
	      mbox_dataplane_status()->last_error);
	snmp_free_varbind(vbs);
}

static void test_reserve1_out_of_memory(void)
{
	netsnmp_variable_list *vbs = swap_to("true");
	unsigned before = fixture_generation();
	int err;

	mib_find(swap_oid, OID_LENGTH(swap_oid)); /* the snapshot exists: the value's copy is the first strndup */
	fault_plan("strndup:1", NULL);
	err = reserve(vbs);
	fault_plan(NULL, NULL);
	check(err == SNMP_ERR_RESOURCEUNAVAILABLE && fixture_generation() == before, "agent_set_reserve1_out_of_memory",
	      "error %d (expected resourceUnavailable %d), generation %u (was %u)", err, SNMP_ERR_RESOURCEUNAVAILABLE,
	      fixture_generation(), before);
	snmp_free_varbind(vbs);
}

/* RESERVE2 (edit, parse, build) fails at allocation N = 1, 2, ... */
static void test_reserve2_fault_walk(void)
{
	char problem[512] = "";
	unsigned n, before = fixture_generation();

	for (n = 1; n <= MAX_WALK; n++) {
		netsnmp_variable_list *vbs = swap_to("true");
		size_t heap = fault_heap_in_use();
		char plan[32];
		int err = phase(MODE_SET_RESERVE1, vbs);

		snprintf(plan, sizeof(plan), "any:%u", n);
		fault_plan(plan, NULL);
		err = err ? err : phase(MODE_SET_RESERVE2, vbs);
		if (!fault_failed()) {
			fault_plan(NULL, NULL);
			if (err) {
				snprintf(problem, sizeof(problem), "N=%u: nothing failed, yet RESERVE2 answered %d", n, err);
				phase(MODE_SET_FREE, vbs);
			} else {
				phase(MODE_SET_ACTION, vbs);
				phase(MODE_SET_COMMIT, vbs);
			}
			snmp_free_varbind(vbs);
			break;
		}
		fault_plan(NULL, NULL);
		phase(MODE_SET_FREE, vbs);
		snmp_free_varbind(vbs);
		if (err != SNMP_ERR_RESOURCEUNAVAILABLE)
			snprintf(problem, sizeof(problem), "N=%u: answered %d, expected resourceUnavailable (%d); last error "
				 "\"%s\"", n, err, SNMP_ERR_RESOURCEUNAVAILABLE, mbox_dataplane_status()->last_error);
		else if (fixture_generation() != before || strcmp(swap_now(), "false") || fault_heap_in_use() != heap)
			snprintf(problem, sizeof(problem), "N=%u: generation %u (was %u), swap %s, heap %zu (was %zu)", n,
				 fixture_generation(), before, swap_now(), fault_heap_in_use(), heap);
		if (problem[0])
			break;
	}
	check(!problem[0], "agent_set_reserve2_fault_walk_resource_unavailable", "%s", problem);
	check(n > 1 && n <= MAX_WALK && fixture_generation() == before + 1 && !strcmp(swap_now(), "true") &&
	      fixture_counting("c"), "agent_set_reserve2_fault_walk_then_applies",
	      "applied at N=%u: generation %u (was %u), swap %s", n, fixture_generation(), before, swap_now());
	printf("info: RESERVE2 of one SET: %u allocations, each failed once\n", n - 1);
}

int main(void)
{
	static const oid mbox[] = { OID_mbox };
	char rest[2048];
	netsnmp_subtree *tree;

	snprintf(rest, sizeof(rest), "%ssnmp = { agentx_socket = \"%s/no-master-%d.sock\"; };\n", graph,
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	fixture_start("agent", rest);
	if (mbox_agent_start(mbox_running_config(), 0) < 0) {
		printf("FAIL agent_set_agent_starts: mbox_agent_start failed\n");
		return 1;
	}
	tree = netsnmp_subtree_find(mbox, OID_LENGTH(mbox), NULL, "");
	reg = tree ? tree->reginfo : NULL;
	if (!reg || !reg->handler) {
		check(0, "agent_set_handler_registered", "no registration for the MBOX subtree");
		return 1;
	}
	test_commit();
	test_undo_after_action();
	test_free_after_reserve2();
	test_wrong_value();
	test_reserve1_out_of_memory();
	test_reserve2_fault_walk();
	mbox_agent_stop();
	return fixture_stop();
}
