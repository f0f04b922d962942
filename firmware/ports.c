/* DPDK ports: probing by configured device, queue setup, link watching. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "kernel_link.h"
#include "log.h"
#include "runtime.h"

/* What mboxd mends in DPDK's TAP driver.  The driver reads the link from
 * the kernel interface by name in mboxd's own network namespace, so once
 * the interface moves to another namespace (where its peer lives) it
 * reports the link down for good: mboxd asks the kernel there instead.
 * And the driver reads a queue only after the real-time signal the kernel
 * sends when a packet arrives; a burst cut short for want of mbufs uses the
 * signal up, and if the kernel queue is full by then no packet gets in to
 * send another: the port would never receive again.  mboxd raises the
 * signal itself after such drops. */
struct tap_port {
	bool is_tap;
	char name[IF_NAMESIZE]; /* of the kernel interface; empty: unknown */
	int netns;              /* where it was found last */
	uint64_t rx_nombuf;     /* at the last control tick */
};

static uint16_t port_ids[MBOX_MAX_PORTS];
static bool port_started[MBOX_MAX_PORTS];
static bool link_was_up[MBOX_MAX_PORTS];
static bool admin_up[MBOX_MAX_PORTS];
static struct tap_port taps[MBOX_MAX_PORTS];
static int tap_rx_signal; /* 0: none */

uint16_t mbox_port_id(unsigned port_index)
{
	return port_ids[port_index];
}

/* The ethdev name DPDK gives the device: the vdev name before its
 * arguments, or the full PCI address. */
static void device_name(const struct mbox_port_cfg *pc, char *buf, size_t size)
{
	unsigned dom = 0, bus, slot, fn;

	if (pc->is_pci) {
		if (sscanf(pc->device, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
			sscanf(pc->device, "%x:%x.%x", &bus, &slot, &fn);
		snprintf(buf, size, "%04x:%02x:%02x.%x", dom, bus, slot, fn);
	} else {
		snprintf(buf, size, "%.*s", (int)strcspn(pc->device, ","), pc->device);
	}
}

/* The TAP driver's receive signal: the one real-time signal with a
 * handler (mboxd installs none). */
static int tap_driver_signal(void)
{
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN)
			return sig;
	}
	return 0;
}

static int port_start(const struct mbox_config *cfg, unsigned i, struct rte_mempool *pool)
{
	const struct mbox_port_cfg *pc = &cfg->ports[i];
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t pid, rxd = (uint16_t)pc->rx_desc, txd = (uint16_t)pc->tx_desc;
	uint16_t txq = (uint16_t)cfg->dpdk.workers;
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	device_name(pc, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		if (pc->is_pci)
			log_err("port '%s': PCI device %s was not found by DPDK: is it bound to vfio-pci or uio_pci_generic?",
				pc->name, name);
		else
			log_err("port '%s': DPDK could not create vdev '%s' (the driver's message above says why)",
				pc->name, pc->device);
		return -1;
	}
	port_ids[i] = pid;
	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		goto fail;
	if (pc->rx_queues > info.max_rx_queues || txq > info.max_tx_queues) {
		log_err("port '%s': needs %u rx and %u tx queues, device '%s' has at most %u and %u",
			pc->name, pc->rx_queues, txq, name, info.max_rx_queues, info.max_tx_queues);
		return -1;
	}
	if (pc->rx_queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	rc = rte_eth_dev_configure(pid, (uint16_t)pc->rx_queues, txq, &conf);
	if (rc != 0)
		goto fail;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	if (rc != 0)
		goto fail;
	for (uint16_t q = 0; q < pc->rx_queues; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, rxd, rte_eth_dev_socket_id(pid), NULL, pool);
		if (rc != 0)
			goto fail;
	}
	for (uint16_t q = 0; q < txq; q++) {
		rc = rte_eth_tx_queue_setup(pid, q, txd, rte_eth_dev_socket_id(pid), NULL);
		if (rc != 0)
			goto fail;
	}
	if (pc->mtu) {
		rc = rte_eth_dev_set_mtu(pid, (uint16_t)pc->mtu);
		if (rc != 0) {
			log_err("port '%s': cannot set MTU %u: %s", pc->name, pc->mtu, rte_strerror(-rc));
			return -1;
		}
	}
	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		goto fail;
	port_started[i] = true;
	taps[i] = (struct tap_port){ .is_tap = !strcmp(info.driver_name, "net_tap"), .netns = KERNEL_LINK_OWN_NETNS };
	/* Named now, while the interface is still in mboxd's namespace. */
	if (taps[i].is_tap && (!info.if_index || !if_indextoname(info.if_index, taps[i].name)))
		taps[i].name[0] = '\0';
	if (taps[i].is_tap && !tap_rx_signal)
		tap_rx_signal = tap_driver_signal();
	rc = pc->promiscuous ? rte_eth_promiscuous_enable(pid) : rte_eth_promiscuous_disable(pid);
	if (rc != 0 && rc != -ENOTSUP)
		goto fail;
	log_info("port '%s': %s started as DPDK port %u (%u rx, %u tx queues, driver %s)",
		 pc->name, pc->device, pid, pc->rx_queues, txq, info.driver_name);
	return 0;
fail:
	log_err("port '%s' (%s): setup failed: %s", pc->name, pc->device, rte_strerror(rc < 0 ? -rc : rc));
	return -1;
}

int mbox_ports_start(const struct mbox_config *cfg, struct rte_mempool *pool)
{
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (port_start(cfg, i, pool) < 0)
			return -1;
		admin_up[i] = true;
	}
	return 0;
}

int mbox_port_set_admin(unsigned port_index, bool up)
{
	struct tap_port *tap;
	int rc;

	if (port_index >= MBOX_MAX_PORTS || !port_started[port_index])
		return -1;
	tap = &taps[port_index];
	__atomic_store_n(&admin_up[port_index], up, __ATOMIC_RELEASE);
	/* Devices that can also drop their link (TAP, most NICs) tell the peer. */
	rc = up ? rte_eth_dev_set_link_up(port_ids[port_index]) : rte_eth_dev_set_link_down(port_ids[port_index]);
	/* The TAP driver sets its interface by name in mboxd's namespace only
	 * (and fails once it moved): its carrier is set where it lives. */
	if (tap->is_tap && tap->name[0])
		rc = kernel_link_set_carrier(tap->name, up) == 0 ? 0 : -ENODEV;
	log_info("port %u: administratively %s%s", port_index, up ? "up" : "down",
		 rc == -ENOTSUP ? " (the device keeps its link; mboxd stops using it)" :
		 rc ? " (the device's link could not be set; mboxd stops using it)" : "");
	return 0;
}

bool mbox_port_admin_up(unsigned port_index)
{
	return __atomic_load_n(&admin_up[port_index], __ATOMIC_ACQUIRE);
}

const bool *mbox_port_admin_flag(unsigned port_index)
{
	return &admin_up[port_index];
}

void mbox_ports_stop(const struct mbox_config *cfg)
{
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (!port_started[i])
			continue;
		rte_eth_dev_stop(port_ids[i]);
		rte_eth_dev_close(port_ids[i]);
		port_started[i] = false;
	}
}

bool mbox_port_link_up(unsigned port_index)
{
	struct rte_eth_link link;
	int kernel_state;

	/* A port that is administratively down has its link down, also on a
	 * device that cannot drop it: mboxd neither polls it nor sends on it. */
	if (port_index >= MBOX_MAX_PORTS || !port_started[port_index] || !mbox_port_admin_up(port_index))
		return false;
	if (taps[port_index].is_tap && taps[port_index].name[0] &&
	    (kernel_state = kernel_link_state(taps[port_index].name, &taps[port_index].netns)) >= 0)
		return kernel_state;
	return rte_eth_link_get_nowait(port_ids[port_index], &link) == 0 && link.link_status;
}

void mbox_ports_rearm_rx(const struct mbox_config *cfg)
{
	bool cut_short = false;

	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct rte_eth_stats st;

		if (!port_started[i] || !taps[i].is_tap || rte_eth_stats_get(port_ids[i], &st) != 0)
			continue;
		cut_short |= st.rx_nombuf != taps[i].rx_nombuf;
		taps[i].rx_nombuf = st.rx_nombuf;
	}
	if (cut_short && tap_rx_signal)
		kill(getpid(), tap_rx_signal);
}

void mbox_ports_poll_links(const struct mbox_config *cfg)
{
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		bool up = mbox_port_link_up(i);

		if (port_started[i] && up != link_was_up[i]) {
			link_was_up[i] = up;
			log_info("port '%s': link %s", cfg->ports[i].name, up ? "up" : "down");
		}
	}
}
