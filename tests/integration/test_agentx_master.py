#!/usr/bin/env python3
"""The AgentX master away and back: mboxd warns once per outage and retries
quietly (Net-SNMP alone warns at every retry, each ping interval, for as
long as snmpd is away), says when the master answers, and serves again.
Without an snmp section the subagent runs with the defaults (the standard
master socket, which an operator's own snmpd.conf uses) and says so once."""
import time

from mboxtest import Mboxd, Snmp, check, finish, free_udp_port, wait, workdir

d = workdir("agentx")
ENT = ".1.3.6.1.4.1.99999"
GENERATION = ENT + ".1.1.4.0"
AGENT = free_udp_port()
PING = 1
AUTH = ["-v3", "-l", "authPriv", "-u", "admin", "-a", "SHA", "-A", "agentx-admin-pass", "-x", "AES",
        "-X", "agentx-priv-pass"]
PLATFORM = """
dpdk = { lcores = "0,1"; main_lcore = 1; memory_mb = 64; mbufs = 4095; file_prefix = "mbox_agentx";
         eal_args = ( "--in-memory" ); };
ports = ( { name = "p0"; device = "net_null0"; } );
elements = ( { name = "rx"; kind = "port_rx"; port = "p0"; }, { name = "sink"; kind = "drop"; } );
links = ( "rx -> sink" );
"""
SNMP = f"""snmp = {{ agentx_socket = "{d}/agentx.sock"; ping_interval = {PING}; listen = "udp:127.0.0.1:{AGENT}";
  users = ( {{ name = "admin"; auth_pass = "agentx-admin-pass"; priv_pass = "agentx-priv-pass"; write = true; }} ); }};
"""
AWAY, BACK = "cannot reach the AgentX master", "connected to the AgentX master"
# Retries happen every ping interval: three of them is the window in which
# Net-SNMP alone would have warned three more times.
WINDOW = 3 * PING + 0.5

cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(PLATFORM + SNMP)
bare = f"{d}/bare.cfg"
with open(bare, "w") as f:
    f.write(PLATFORM)

m = Mboxd(cfg)
agent = None
try:
    started = check(m.start(), "agentx_mboxd_starts", m.output()[-2000:])
    check(started and wait(lambda: AWAY in m.output(), 10), "agentx_master_away_warned",
          m.output()[-2000:])
    time.sleep(WINDOW)  # the window under test, not a wait for something
    check(m.output().count(AWAY) == 1 and "Failed to connect" not in m.output(), "agentx_warned_once_per_outage",
          m.output()[-2000:])

    agent = Snmp(d, cfg, f"udp:127.0.0.1:{AGENT}", AUTH)
    back = wait(lambda: BACK in m.output(), 15)
    check(back and wait(lambda: agent.get(GENERATION) == "1", 10), "agentx_master_back_said_and_served",
          m.output()[-2000:] + agent.log()[-1000:])

    agent.stop()
    check(wait(lambda: m.output().count(AWAY) == 2, 10), "agentx_second_outage_warned", m.output()[-2000:])
    time.sleep(WINDOW)
    check(m.output().count(AWAY) == 2, "agentx_second_outage_quiet", m.output()[-2000:])
    agent.start_snmpd()
    check(wait(lambda: m.output().count(BACK) == 2, 15) and wait(lambda: agent.get(GENERATION) == "1", 10),
          "agentx_master_back_again", m.output()[-2000:] + agent.log()[-1000:])
    # The master goes first (as when a host stops both): mboxd still stops
    # with status 0 and its final counters (a write to the gone master's
    # socket once killed it with SIGPIPE before it printed them).
    agent.stop()
    check(m.stop() is not None, "agentx_stops_cleanly_after_the_master", m.output()[-1500:])

    # No snmp section: the defaults, said once; at most one warning.
    m = Mboxd(bare)
    started = check(m.start(), "agentx_bare_mboxd_starts", m.output()[-2000:])
    check(started and wait(lambda: "no 'snmp' section" in m.output(), 10), "agentx_no_section_said",
          m.output()[-2000:])
    time.sleep(5 + 0.5)  # one retry at the default 5 s ping interval
    out = m.output()
    check(out.count(AWAY) <= 1 and "Failed to connect" not in out, "agentx_no_section_quiet", out[-2000:])
    m.stop()
finally:
    if m.proc and m.proc.poll() is None:
        m.stop()
    if agent:
        agent.stop()
finish()
