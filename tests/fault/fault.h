/* Fault injection for tests: linked (tests/fault/fault.c with the
 * linker's --wrap of every allocation the project makes, FAULT_WRAPS in the
 * Makefile) only into fault builds, so the product's code has no hooks.
 *
 * A fault plan names calls to fail: "KIND:N" fails the Nth call of KIND
 * (an allocator such as rte_zmalloc, calloc, rte_hash_create, or `any` for
 * every allocator together), "KIND:walk" fails call W of window W (the
 * first window its first call, the second its second, ...): one process
 * walks every allocation of a change path, one change after the other.
 *
 * Calls are counted per window: each top-level call of a function named in
 * the scope (mbox_dataplane_reload, mbox_change_prepare, ...) opens one and
 * resets the counts, and calls outside windows are neither counted nor
 * failed; without a scope the whole process is one window.  At
 * the end of a window the module logs what it counted, what it failed and
 * the DPDK heap in use before and after ("fault: ..." on stderr).
 *
 * mboxd takes the plan from MBOX_FAULT and the scope from
 * MBOX_FAULT_SCOPE (comma-separated), and reads the plan again from the
 * file MBOX_FAULT_FILE names (when it exists) as each window opens, so a
 * test can fail call N of one change, then call N + 1 of the next; unit
 * tests call fault_plan(). */
#ifndef MBOX_FAULT_H
#define MBOX_FAULT_H

#include <stdbool.h>
#include <stddef.h>

/* Replace the plan and scope (NULL: none); counts start again. */
void fault_plan(const char *plan, const char *scope);
/* Calls of `kind` (or "any") counted in the current window. */
unsigned fault_calls(const char *kind);
/* Failures injected in the current window. */
unsigned fault_failed(void);
/* Bytes of the DPDK heap in use on every socket. */
size_t fault_heap_in_use(void);

#endif
