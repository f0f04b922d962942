/* kernel_link_state(): an interface in mboxd's namespace, one moved into
 * another namespace (followed there, up and down), and one nowhere;
 * kernel_link_set_carrier() on a TAP moved into another namespace. */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "check.h"
#include "kernel_link.h"

/* A shell command from fmt, which may use %1$s (netns), %2$s and %3$s. */
static int sh(const char *fmt, const char *netns, const char *iface, const char *peer)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, netns, iface, peer);
	return system(cmd);
}

/* A TAP whose descriptor is ours, as the TAP driver's is mboxd's, moved
 * into another namespace: its carrier goes off and on from here. */
static void tap_carrier(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR), where = KERNEL_LINK_OWN_NETNS, state;
	char netns[32];

	snprintf(netns, sizeof(netns), "mklt-%d", (int)getpid());
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "mklt%d", (int)getpid());
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) != 0 ||
	    sh("ip netns add %1$s && ip link set %2$s netns %1$s && ip -n %1$s link set %2$s up", netns,
	       ifr.ifr_name, NULL) != 0) {
		check(0, "kernel_link_tap_carrier", "cannot make TAP %s in namespace %s", ifr.ifr_name, netns);
	} else {
		int before = kernel_link_state(ifr.ifr_name, &where), off, on;

		off = kernel_link_set_carrier(ifr.ifr_name, false);
		state = kernel_link_state(ifr.ifr_name, &where);
		check(before == 1 && off == 0 && state == 0, "kernel_link_tap_carrier_off", "up %d, set %d, now %d",
		      before, off, state);
		on = kernel_link_set_carrier(ifr.ifr_name, true);
		state = kernel_link_state(ifr.ifr_name, &where);
		check(on == 0 && state == 1, "kernel_link_tap_carrier_on", "set %d, now %d", on, state);
		check(kernel_link_set_carrier("mbox-no-such", false) == -1, "kernel_link_carrier_needs_a_descriptor",
		      "a name no descriptor of ours is attached to");
	}
	if (fd >= 0)
		close(fd);
	sh("ip netns del %1$s 2>/dev/null", netns, NULL, NULL);
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
	tap_carrier();
	return check_failures ? 1 : 0;
}
