/* The state of a kernel network interface in any network namespace
 * (kernel_link.c): for TAP ports, whose interface is usually moved into
 * another namespace, where DPDK's TAP driver cannot see it. */
#ifndef MBOX_KERNEL_LINK_H
#define MBOX_KERNEL_LINK_H

/* The namespace an interface was last found in: ours, or a namespace id. */
#define KERNEL_LINK_OWN_NETNS (-1)

/* 1 when interface `name` is up and running, 0 when it is not, -1 when no
 * namespace holds it.  *netns is where it was found last time (start with
 * KERNEL_LINK_OWN_NETNS): looked at first, and updated. */
int kernel_link_state(const char *name, int *netns);

#endif
