#!/usr/bin/env python3
"""Integers over real SNMP (snmpd master, mboxd subagent): SET values beyond
32 and 64 bits, negative, hex, with leading zeros or trailing garbage, as a
whole parameter of several kinds, inside a list of groups, and as a row of
mboxElementRowTable.  Out of range is wrongValue with the running state
unchanged (libconfig alone would keep 32 bits: proto = 4294967313 would
become 17, the rule would match UDP); values a field allows above 2^31 are
taken and read back exactly."""
from mboxtest import Mboxd, Snmp, check, finish, plan, frame, free_udp_port, wait, workdir, write_pcap

d = workdir("snmpint")
ENT = ".1.3.6.1.4.1.99999"
GENERATION = ENT + ".1.1.4.0"
PARAM_VALUE = ENT + ".1.3.4.1.3"
ROW = ENT + ".1.3.5.1"
THRESH = ENT + ".1.6"
AGENT = free_udp_port()
ADMIN = ["-v3", "-l", "authPriv", "-u", "admin", "-a", "SHA", "-A", "ints-admin-pass", "-x", "AES",
         "-X", "ints-priv-pass"]
ELEMENTS = ["rx", "cls", "mir", "pol", "seq", "sink"]
CONFIG = f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_snmpint";
         eal_args = ( "--in-memory" ); }};
ports = ( {{ name = "live"; device = "net_pcap0,rx_pcap={d}/live.pcap,infinite_rx=1"; }} );
elements = (
  {{ name = "rx"; kind = "port_rx"; port = "live"; }},
  {{ name = "cls"; kind = "classifier"; rules = ( {{ name = "sel"; proto = 17; }} ); }},
  {{ name = "mir"; kind = "mirror"; }},
  {{ name = "pol"; kind = "policer"; cir = 1000000000; cbs = 100000; red = "pass"; }},
  {{ name = "seq"; kind = "sequencer"; port = 1001; }},
  {{ name = "sink"; kind = "drop"; }}
);
links = ( "rx -> cls[sel] -> mir[out] -> pol -> seq -> sink", "cls[default] -> sink", "mir[copy] -> sink" );
snmp = {{ agentx_socket = "{d}/agentx.sock"; ping_interval = 1; listen = "udp:127.0.0.1:{AGENT}";
  users = ( {{ name = "admin"; auth_pass = "ints-admin-pass"; priv_pass = "ints-priv-pass"; write = true; }} ); }};
"""

# (element, parameter, SET text): each out of range, or no integer at all.
REFUSED = [
    ("cls", "rules", '( { name = "sel"; proto = 4294967313; } )'),   # 2^32 + 17: UDP in 32 bits
    ("cls", "rules", '( { name = "sel"; proto = 0x100000011; } )'),  # the same in hex
    ("cls", "rules", '( { name = "sel"; proto = -4294967279; } )'),  # 17 - 2^32
    ("seq", "port", "4294967297"),            # 2^32 + 1
    ("seq", "port", "2147483648"),            # 2^31
    ("seq", "port", "-1"),
    ("seq", "port", "0x10001"),               # 65537
    ("seq", "port", "1001abc"),               # trailing garbage
    ("seq", "port", "1001; port = 5"),        # a second setting
    ("seq", "start", "9223372036854775808"),  # 2^63
    ("seq", "start", "18446744073709551617"),  # 2^64 + 1
    ("mir", "snaplen", "4294967296"),         # 2^32: 0 (a valid snaplen) in 32 bits
    ("mir", "capture_limit", "4294967296"),   # 2^32 beyond a 32-bit field
    ("pol", "cir", "18446744073709551616"),   # 2^64
    ("pol", "cir", "99999999999999999999999999"),
]
plan(*(f"snmpint_refused_{i}_{element}_{name}" for i, (element, name, _) in enumerate(REFUSED)))
# Row values (mboxElementRowValue) of the classifier's rules: (RowStatus or None, row, value).
ROW_REFUSED = [
    (None, 1, 'name = "sel"; proto = 4294967313;'),
    (4, 2, '{ name = "new"; proto = 0x100000006; }'),
    (4, 2, '{ name = "new"; proto = 18446744073709551622; }'),
]
plan(*(f"snmpint_row_refused_{i}" for i in range(len(ROW_REFUSED))))
# Accepted, read back exactly: (element, parameter, SET text, read back).
EXACT = [
    ("pol", "cir", "4294967297", "4294967297"),                  # 1 in 32 bits
    ("mir", "capture_limit", "4294967295", "4294967295"),        # -1 in 32 bits
    ("seq", "start", "9223372036854775807", "9223372036854775807"),
    ("seq", "port", "01002", "1002"),                            # leading zero: decimal
    ("seq", "port", "0x3EB", "1003"),
]
plan(*(f"snmpint_exact_{i}_{element}_{name}" for i, (element, name, *_) in enumerate(EXACT)))

write_pcap(f"{d}/live.pcap", [frame(proto=17, dport=1001 + i) for i in range(4)])
cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(CONFIG)
agent = Snmp(d, cfg, f"udp:127.0.0.1:{AGENT}", ADMIN)


def param(element, name):
    """The OID suffix "E.P" of a parameter, found by its name over SNMP."""
    return agent.param(ELEMENTS.index(element) + 1, name)


def state():
    """Everything a refused SET must leave as it was."""
    return (agent.get(GENERATION),) + tuple(agent.get(f"{PARAM_VALUE}.{oid}") for oid in oids.values()) + \
        tuple(agent.get(f"{ROW}.2.{oids[('cls', 'rules')]}.{r}") for r in (1, 2)) + (agent.get(THRESH + ".1.0"),)


m = Mboxd(cfg)
try:
    started = check(m.start(), "snmpint_mboxd_starts", m.output()[-2000:])
    check(started and wait(lambda: agent.get(GENERATION) == "1", 20), "snmpint_subagent_answers",
          m.output()[-2000:] + agent.log()[-1000:])
    oids = {(e, n): param(e, n) for e, n, _ in REFUSED + [(e, n, v) for e, n, v, _ in EXACT]}
    check(all(oids.values()), "snmpint_parameters_found", str(oids))

    before = state()
    for i, (element, name, text) in enumerate(REFUSED):
        got = agent.set(f"{PARAM_VALUE}.{oids[(element, name)]}", "s", text)
        reason = agent.get(ENT + ".1.1.6.0") or ""
        check(got == "wrongValue" and state() == before and name in reason and "expected" in reason,
              f"snmpint_refused_{i}_{element}_{name}", f"{text}: got {got}, reason {reason!r}, "
              f"state {state()} (was {before})")

    rules = oids[("cls", "rules")]
    for i, (status, row, value) in enumerate(ROW_REFUSED):
        varbinds = ([f"{ROW}.4.{rules}.{row}", "i", str(status)] if status else []) + \
            [f"{ROW}.2.{rules}.{row}", "s", value]
        got = agent.set(*varbinds)
        check(got == "wrongValue" and state() == before, f"snmpint_row_refused_{i}",
              f"{value}: got {got}, state {state()} (was {before})")

    # A threshold is an Unsigned32: its whole range arrives exactly.
    err = agent.set(THRESH + ".1.0", "u", "4294967295")
    check(err is None and agent.get(THRESH + ".1.0") == "4294967295", "snmpint_threshold_2p32_minus_1",
          f"{err}, read back {agent.get(THRESH + '.1.0')}")

    for i, (element, name, text, want) in enumerate(EXACT):
        gen = int(agent.get(GENERATION) or 0)
        err = agent.set(f"{PARAM_VALUE}.{oids[(element, name)]}", "s", text)
        back = agent.get(f"{PARAM_VALUE}.{oids[(element, name)]}")
        check(err is None and back == want and agent.get(GENERATION) == str(gen + 1),
              f"snmpint_exact_{i}_{element}_{name}", f"{text}: {err}, read back {back!r}, generation "
              f"{gen} -> {agent.get(GENERATION)}")
    stats = m.stop()
    check(stats is not None, "snmpint_mboxd_stops", m.output()[-2000:])
finally:
    if m.proc and m.proc.poll() is None:
        m.stop()
    agent.stop()
finish()
