/* Kernel interface state over rtnetlink, in any network namespace that
 * has an id in ours (moving an interface into a namespace gives it one),
 * and the carrier of TAP interfaces.
 * Control thread only; every request is answered at once by the kernel,
 * and a receive timeout bounds the wait if it is not. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "kernel_link.h"
#include "log.h"

#define MAX_NETNS 256

static int nl_fd = -1;
static uint32_t nl_seq;

static int nl_open(void)
{
	struct timeval timeout = { .tv_usec = 100000 };

	if (nl_fd >= 0)
		return 0;
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl_fd < 0) {
		log_err("rtnetlink socket: %s; TAP ports report the link as DPDK sees it", strerror(errno));
		return -1;
	}
	setsockopt(nl_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	return 0;
}

static void add_attr(struct nlmsghdr *nh, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Sends req and hands each message of its answer to `each` until the
 * answer is complete; 0, or -1 when the kernel refused or did not answer. */
static int nl_request(struct nlmsghdr *req, void (*each)(const struct nlmsghdr *, void *), void *arg)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool dump = req->nlmsg_flags & NLM_F_DUMP;

	req->nlmsg_seq = ++nl_seq;
	if (send(nl_fd, req, req->nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		ssize_t n = recv(nl_fd, buf, sizeof(buf), 0);

		if (n < 0)
			return -1;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req->nlmsg_seq)
				continue; /* the late answer of a request that timed out */
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((const struct nlmsgerr *)NLMSG_DATA(nh))->error ? -1 : 0;
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			each(nh, arg);
			if (!dump)
				return 0;
		}
	}
}

static void link_flags(const struct nlmsghdr *nh, void *arg)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);

	if (nh->nlmsg_type == RTM_NEWLINK)
		*(int *)arg = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
}

/* The state of `name` in namespace netns, or -1 when it has none by that name. */
static int link_in(const char *name, int netns)
{
	char req[NLMSG_SPACE(sizeof(struct ifinfomsg)) + 64] __attribute__((aligned(NLMSG_ALIGNTO))) = { 0 };
	struct nlmsghdr *nh = (struct nlmsghdr *)req;
	int32_t id = netns;
	int state = -1;

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	nh->nlmsg_type = RTM_GETLINK;
	nh->nlmsg_flags = NLM_F_REQUEST;
	((struct ifinfomsg *)NLMSG_DATA(nh))->ifi_family = AF_UNSPEC;
	add_attr(nh, IFLA_IFNAME, name, strnlen(name, IF_NAMESIZE - 1) + 1);
	if (netns != KERNEL_LINK_OWN_NETNS)
		add_attr(nh, IFLA_TARGET_NETNSID, &id, sizeof(id));
	return nl_request(nh, link_flags, &state) == 0 ? state : -1;
}

struct netns_ids {
	int ids[MAX_NETNS];
	unsigned n;
};

static void netns_id(const struct nlmsghdr *nh, void *arg)
{
	struct netns_ids *found = arg;
	const struct rtattr *rta = (const struct rtattr *)((const char *)NLMSG_DATA(nh) +
							   NLMSG_ALIGN(sizeof(struct rtgenmsg)));
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg)));

	for (; nh->nlmsg_type == RTM_NEWNSID && RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == NETNSA_NSID && found->n < MAX_NETNS)
			found->ids[found->n++] = *(const int32_t *)RTA_DATA(rta);
}

int kernel_link_state(const char *name, int *netns)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)), .nlmsg_type = RTM_GETNSID,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.g = { .rtgen_family = AF_UNSPEC },
	};
	struct netns_ids found = { .n = 0 };
	int state;

	if (nl_open() < 0)
		return -1;
	if ((state = link_in(name, *netns)) >= 0)
		return state;
	if (*netns != KERNEL_LINK_OWN_NETNS && (state = link_in(name, KERNEL_LINK_OWN_NETNS)) >= 0) {
		*netns = KERNEL_LINK_OWN_NETNS;
		return state;
	}
	if (nl_request(&req.nh, netns_id, &found) < 0)
		return -1;
	for (unsigned i = 0; i < found.n; i++)
		if (found.ids[i] != *netns && (state = link_in(name, found.ids[i])) >= 0) {
			*netns = found.ids[i];
			return state;
		}
	return -1;
}

/* The carrier of a TAP interface is set through a file descriptor attached
 * to it, which works wherever the interface lives; the TAP driver's own
 * ioctls name the interface in mboxd's namespace and fail once it moved.
 * The driver's descriptors are found among mboxd's by the name they are
 * attached to. */
int kernel_link_set_carrier(const char *name, bool up)
{
	DIR *fds = opendir("/proc/self/fd");
	struct dirent *de;
	int carrier = up, done = -1;

	if (!fds)
		return -1;
	while (done < 0 && (de = readdir(fds))) {
		char target[64];
		struct ifreq ifr = { 0 };
		ssize_t n = readlinkat(dirfd(fds), de->d_name, target, sizeof(target) - 1);
		int fd = atoi(de->d_name);

		if (n < 0 || (target[n] = '\0', strcmp(target, "/dev/net/tun")))
			continue;
		if (ioctl(fd, TUNGETIFF, &ifr) == 0 && !strncmp(ifr.ifr_name, name, IF_NAMESIZE))
			done = ioctl(fd, TUNSETCARRIER, &carrier);
	}
	closedir(fds);
	return done < 0 ? -1 : 0;
}
