/* The state of a kernel network interface in any network namespace
 * (kernel_link.c): for TAP ports, whose interface is usually moved into
 * another namespace, where DPDK's TAP driver cannot see it or set it. */
#ifndef MBOX_KERNEL_LINK_H
#define MBOX_KERNEL_LINK_H

#include <stdbool.h>

/* The namespace an interface was last found in: ours, or a namespace id. */
#define KERNEL_LINK_OWN_NETNS (-1)

/* 1 when interface `name` is up and running, 0 when it is not, -1 when no
 * namespace holds it.  *netns is where it was found last time (start with
 * KERNEL_LINK_OWN_NETNS): looked at first, and updated. */
int kernel_link_state(const char *name, int *netns);
/* Turns the carrier of TAP interface `name` on or off wherever it lives,
 * through a descriptor of mboxd's attached to it (the TAP driver's): its
 * peer sees the link come and go as with a cable.  0, or -1 when mboxd has
 * no descriptor attached to `name` or the kernel refused. */
int kernel_link_set_carrier(const char *name, bool up);

#endif
