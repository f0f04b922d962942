#!/usr/bin/env python3
"""SNMP security through a real snmpd configured by `mboxd --snmpd-conf`:
only an SNMPv3 user with write = true and authPriv may SET.  Wrong
passphrases, an unknown user, noAuthNoPriv, authNoPriv, a read-only user,
the monitor view and SNMPv1/v2c communities are each refused, the running
state (generation, values) stays as it was, no request reaches mboxd, and
snmpd's usmStats / snmp counters count the failures.  The monitor view
hides configuration values but not counters."""
import re
import time

from mboxtest import Mboxd, Snmp, check, finish, plan, frame, free_udp_port, wait, workdir, write_pcap

d = workdir("security")
ENT = ".1.3.6.1.4.1.99999"
GENERATION = ENT + ".1.1.4.0"
DROP_RATE = ENT + ".1.6.1.0"
PARAM_VALUE = ENT + ".1.3.4.1.3"      # mboxElementParamValue.E.P
ROW_VALUE = ENT + ".1.3.5.1.2"        # mboxElementRowValue.E.P.R
ROW_HITS = ENT + ".1.3.5.1.3"         # mboxElementRowHits.E.P.R
COUNTER_VALUE = ENT + ".1.3.3.1.3"    # mboxElementCounterValue.E.K
USM_STATS = ".1.3.6.1.6.3.15.1.1"
COUNTERS = {"usmStatsUnsupportedSecLevels": USM_STATS + ".1.0", "usmStatsUnknownUserNames": USM_STATS + ".3.0",
            "usmStatsWrongDigests": USM_STATS + ".5.0", "snmpInBadCommunityNames": ".1.3.6.1.2.1.11.4.0",
            "snmpInBadCommunityUses": ".1.3.6.1.2.1.11.5.0", "snmpInASNParseErrs": ".1.3.6.1.2.1.11.6.0"}

AGENT = free_udp_port()
TARGET = f"udp:127.0.0.1:{AGENT}"
CLS = 2  # element index of the classifier (position in the elements section)
RULES = f"{PARAM_VALUE}.{CLS}.1"


def v3(user, level="authPriv", auth="mbox-auth-pass", priv="mbox-priv-pass"):
    args = ["-v3", "-l", level, "-u", user]
    if level != "noAuthNoPriv":
        args += ["-a", "SHA", "-A", auth]
    if level == "authPriv":
        args += ["-x", "AES", "-X", priv]
    return args


ADMIN = v3("admin")
CONFIG = f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_sec";
         eal_args = ( "--in-memory" ); }};
ports = ( {{ name = "live"; device = "net_pcap0,rx_pcap={d}/live.pcap,infinite_rx=1"; }} );
elements = (
  {{ name = "rx_live"; kind = "port_rx"; port = "live"; }},
  {{ name = "cls"; kind = "classifier"; rules = ( {{ name = "udp"; proto = 17; }} ); }},
  {{ name = "cnt_udp"; kind = "counter"; }},
  {{ name = "sink"; kind = "drop"; }}
);
links = ( "rx_live -> cls", "cls[udp] -> cnt_udp -> sink", "cls[default] -> sink" );
snmp = {{
  agentx_socket = "{d}/agentx.sock";
  ping_interval = 1;
  listen = "{TARGET}";
  users = (
    {{ name = "admin"; auth_pass = "mbox-auth-pass"; priv_pass = "mbox-priv-pass"; write = true; }},
    {{ name = "reader"; auth_pass = "mbox-auth-pass"; priv_pass = "mbox-priv-pass"; }},
    {{ name = "monitor"; auth_pass = "mbox-auth-pass"; priv_pass = "mbox-priv-pass"; view = "monitor"; }}
  );
  communities = ( {{ name = "public"; source = "127.0.0.1"; }} );
}};
"""


def snmp(tool, auth, *args):
    return agent.run(tool, *args, auth=auth, retries=0)


def get(oid, auth=ADMIN):
    """The value of one instance as text, or None (an error, or no such object)."""
    return agent.get(oid, auth=auth, retries=0)


def counters():
    return {name: int(get(oid) or -1) for name, oid in COUNTERS.items()}


def state():
    return get(GENERATION), get(RULES), get(DROP_RATE)


write_pcap(f"{d}/live.pcap", [frame(proto=17, dport=53), frame(proto=6, dport=80)])
cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(CONFIG)
agent = Snmp(d, cfg, TARGET, ADMIN)
access = [line for line in agent.conf.splitlines() if re.match(r"(rw|ro)(user|community) ", line)]
check(access == ["rwuser admin priv -V full", "rouser reader priv -V full", "rouser monitor priv -V monitor",
                 "rocommunity public 127.0.0.1 -V full"],
      "security_snmpd_conf_access_lines", agent.conf)
refused = [
    ("wrong_auth_passphrase", v3("admin", auth="not-the-pass"), "Authentication failure",
     "usmStatsWrongDigests"),
    # AES-CFB has no padding to check: a wrong key decrypts to bytes
    # that are not a PDU.
    ("wrong_priv_passphrase", v3("admin", priv="not-the-pass"), "Timeout", "snmpInASNParseErrs"),
    ("unknown_user", v3("intruder"), "Unknown user name", "usmStatsUnknownUserNames"),
    ("noAuthNoPriv", v3("admin", "noAuthNoPriv"), "authorizationError", None),
    ("authNoPriv", v3("admin", "authNoPriv"), "authorizationError", None),
    ("read_only_user", v3("reader"), "noAccess", None),
    ("monitor_user", v3("monitor"), "noAccess", None),
    ("v2c_read_community", ["-v2c", "-c", "public"], "noAccess", None),
    ("v1_read_community", ["-v1", "-c", "public"], "noSuchName", None),
    ("v2c_wrong_community", ["-v2c", "-c", "private"], "Timeout", "snmpInBadCommunityNames"),
]
plan(*(f"security_set_refused_{name}" for name, *_ in refused))

m = Mboxd(cfg)
try:
    time.sleep(0.5)
    started = check(m.start(), "security_mboxd_starts", m.output()[-2000:])
    check(started and wait(lambda: get(GENERATION) == "1", 15), "security_subagent_answers",
          m.output()[-1000:] + agent.log()[-1000:])

    # Every way in that must not write.  Each tries a valid SET (the admin
    # does the same at the end) of a threshold and a classifier rule.
    set_args = [DROP_RATE, "u", "777", RULES, "s", '( { name = "udp"; proto = 6; } )']
    before = state()
    check(before[0] == "1" and "proto = 17" in (before[1] or "") and before[2] == "0", "security_state_readable",
          str(before))
    for name, auth, error, counter in refused:
        was = counters()
        r = snmp("snmpset", auth, *set_args)
        out = r.stdout + r.stderr
        now = counters()
        ok = r.returncode != 0 and error in out and state() == before
        if counter:
            ok = ok and now[counter] > was[counter]
        check(ok, f"security_set_refused_{name}",
              (f"{counter} {was[counter]} -> {now[counter]}; " if counter else "") + f"rc {r.returncode}: {out.strip()[-300:]}; state {state()} (was {before}); counters {was} -> {now}")
    check("SNMP SET" not in m.output(), "security_refused_sets_never_reach_mboxd", m.output()[-1500:])

    # Reads need authPriv too, and the community reads only.
    r = snmp("snmpget", v3("admin", "authNoPriv"), GENERATION)
    check(r.returncode != 0 and "authorizationError" in r.stdout + r.stderr, "security_get_refused_authNoPriv",
          r.stdout + r.stderr)
    check(get(GENERATION, ["-v2c", "-c", "public"]) == "1", "security_v2c_community_reads", "")

    # The monitor view: counters and rule hits, no configuration values.
    mon = v3("monitor")
    check(get(RULES, mon) is None and get(f"{ROW_VALUE}.{CLS}.1.1", mon) is None
          and get(RULES, v3("reader")) == before[1], "security_monitor_view_hides_values",
          f"monitor sees {get(RULES, mon)!r}, {get(f'{ROW_VALUE}.{CLS}.1.1', mon)!r}")
    hits = get(f"{ROW_HITS}.{CLS}.1.1", mon)
    packets = get(f"{COUNTER_VALUE}.3.1", mon)
    check(hits is not None and packets is not None and int(packets) > 0,
          "security_monitor_view_shows_counters", f"row hits {hits!r}, cnt_udp packets {packets!r}")
    walk = snmp("snmpwalk", mon, ENT)
    check(walk.returncode == 0 and f"{ROW_HITS}." in walk.stdout and f"{PARAM_VALUE}." not in walk.stdout
          and f"{ROW_VALUE}." not in walk.stdout, "security_monitor_walk_skips_values", walk.stdout[-1500:])

    # The same SET from the admin (authPriv, write = true) is applied.
    r = snmp("snmpset", ADMIN, *set_args)
    after = state()
    check(r.returncode == 0 and after[0] == "2" and "proto = 6" in (after[1] or "") and after[2] == "777",
          "security_admin_authpriv_set_applied", f"{r.stdout}{r.stderr}; state {after}")
finally:
    m.stop()
    agent.stop()
finish()
