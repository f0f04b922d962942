/* kernel_link_state(): an interface in mboxd's namespace, one moved into
 * another namespace (followed there, up and down), and one nowhere. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "kernel_link.h"

/* A shell command from fmt, which may use %1$s (netns), %2$s and %3$s. */
static int sh(const char *fmt, const char *netns, const char *iface, const char *peer)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, netns, iface, peer);
	return system(cmd);
}

int main(void)
{
	int where = KERNEL_LINK_OWN_NETNS, state;
	char netns[32], iface[16], peer[16];

	state = kernel_link_state("lo", &where);
	check(state == 1 && where == KERNEL_LINK_OWN_NETNS, "kernel_link_own_namespace", "lo: %d in %d", state, where);
	state = kernel_link_state("mbox-no-such", &where);
	check(state == -1, "kernel_link_absent", "%d", state);

	snprintf(netns, sizeof(netns), "mkl-%d", (int)getpid());
	snprintf(iface, sizeof(iface), "mkla%d", (int)getpid());
	snprintf(peer, sizeof(peer), "mklb%d", (int)getpid());
	/* A veth pair: iface in the namespace, its peer (for the carrier) here. */
	if (sh("ip netns add %1$s && ip link add %2$s type veth peer name %3$s && ip link set %3$s up && "
	       "ip link set %2$s netns %1$s && ip -n %1$s link set %2$s up", netns, iface, peer) != 0) {
		printf("SKIP kernel_link_other_namespace: cannot make a namespace (not root?)\n");
		sh("ip netns del %1$s; ip link del %3$s 2>/dev/null", netns, iface, peer);
		return check_failures ? 1 : 0;
	}
	state = kernel_link_state(iface, &where);
	check(state == 1 && where != KERNEL_LINK_OWN_NETNS, "kernel_link_other_namespace_up", "%d in %d", state, where);
	sh("ip -n %1$s link set %2$s down", netns, iface, peer);
	state = kernel_link_state(iface, &where);
	check(state == 0 && where != KERNEL_LINK_OWN_NETNS, "kernel_link_other_namespace_down", "%d in %d", state, where);
	sh("ip netns del %1$s", netns, iface, peer);
	/* The kernel dismantles a namespace in the background. */
	for (int tries = 0; (state = kernel_link_state(iface, &where)) != -1 && tries < 50; tries++)
		usleep(20000);
	check(state == -1, "kernel_link_gone_with_its_namespace", "%d", state);
	return check_failures ? 1 : 0;
}
