#!/usr/bin/env python3
"""SNMP management with the stock Net-SNMP tools through a real snmpd master
agent and snmptrapd: walks, exact counters, SETs that change the data path,
every class of refused SET, traps, save and restart, snmpd restarts."""
import os
import re
import subprocess
import time

from mboxtest import Mboxd, Snmp, check, finish, plan, frame, free_udp_port, stop_process, wait, workdir, write_pcap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MIBDIRS = f"{os.path.dirname(ROOT)}/shared/mibs:{ROOT}/mib"
d = workdir("snmp")
ENT = ".1.3.6.1.4.1.99999"
ROW = ENT + ".1.3.5.1"
SYS, PORT, ELEM, OUTPUT, COUNTER, PARAM, THRESH = (ENT + s for s in (
    ".1.1", ".1.2.1.1", ".1.3.1.1", ".1.3.2.1", ".1.3.3.1", ".1.3.4.1", ".1.6"))
IF, IFX = ".1.3.6.1.2.1.2.2.1", ".1.3.6.1.2.1.31.1.1.1"
N_IN = 100



AGENT, TRAPS = free_udp_port(), free_udp_port()
TARGET = f"udp:127.0.0.1:{AGENT}"
V3 = ["-v3", "-l", "authPriv", "-u", "admin", "-a", "SHA", "-A", "mbox-admin-pass", "-x", "AES",
      "-X", "mbox-priv-pass"]
V2 = ["-v2c", "-c", "public"]

# Element indexes are positions in the elements section.
RX_IN, CNT_IN, TX_IN, RX_LIVE, CLS, CNT_SEL, CNT_OTHER, SINK_SEL, SINK_OTHER = range(1, 10)
CONFIG = f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 128; mbufs = 8191; file_prefix = "mbox_snmp";
         eal_args = ( "--in-memory" ); }};
ports = (
  {{ name = "in"; device = "net_pcap0,rx_pcap={d}/in.pcap,tx_pcap={d}/out.pcap"; }},
  {{ name = "live"; device = "net_pcap1,rx_pcap={d}/live.pcap,infinite_rx=1"; }}
);
elements = (
  {{ name = "rx_in"; kind = "port_rx"; port = "in"; }},
  {{ name = "cnt_in"; kind = "counter"; }},
  {{ name = "tx_in"; kind = "port_tx"; port = "in"; }},
  {{ name = "rx_live"; kind = "port_rx"; port = "live"; }},
  {{ name = "cls"; kind = "classifier"; rules = ( {{ name = "sel"; proto = 17; }} ); }},
  {{ name = "cnt_sel"; kind = "counter"; }},
  {{ name = "cnt_other"; kind = "counter"; }},
  {{ name = "sink_sel"; kind = "drop"; }},
  {{ name = "sink_other"; kind = "drop"; }}
);
links = ( "rx_in -> cnt_in -> tx_in", "rx_live -> cls", "cls[sel] -> cnt_sel -> sink_sel",
          "cls[default] -> cnt_other -> sink_other" );
snmp = {{
  agentx_socket = "{d}/agentx.sock";
  ping_interval = 1;
  listen = "{TARGET}";
  users = ( {{ name = "admin"; auth_pass = "mbox-admin-pass"; priv_pass = "mbox-priv-pass"; write = true; }} );
  communities = ( {{ name = "public"; source = "127.0.0.1"; }} );
  trap_sinks = ( {{ address = "udp:127.0.0.1:{TRAPS}"; community = "public"; }} );
}};
"""


def snmpset(*varbinds, auth=V3):
    """None on success, else the error status name snmpset reports."""
    return snmp.set(*varbinds, auth=auth)


write_pcap(f"{d}/in.pcap", [frame(proto=17, dport=1000 + i) for i in range(N_IN)])
write_pcap(f"{d}/live.pcap", [frame(proto=17, dport=53), frame(proto=17, dport=123)])
cfg = f"{d}/mbox.cfg"
with open(cfg, "w") as f:
    f.write(CONFIG)
snmp = Snmp(d, cfg, TARGET, V2, TRAPS)
get, num, traps_text, trap_after = snmp.get, snmp.num, snmp.traps, snmp.trap_after
check("rwuser admin priv" in snmp.conf and "rocommunity public" in snmp.conf and "rwcommunity" not in snmp.conf,
      "snmp_snmpd_conf_generated", snmp.conf)
SET_REFUSED = [
    ("wrongType", (f"{PARAM}.3.{CLS}.1", "i", "5")),
    ("wrongLength", (f"{PARAM}.3.{CLS}.1", "s", "x" * 300)),
    ("wrongValue", (f"{PARAM}.3.{CLS}.1", "s", "( { name = ")),
    ("wrongValue", (f"{PARAM}.3.{CLS}.1", "s", '( { name = "sel"; proto = 300; } )')),
    ("inconsistentValue", (f"{PARAM}.3.{CLS}.1", "s", '( { name = "renamed"; proto = 6; } )')),
    ("notWritable", (f"{PARAM}.3.{RX_IN}.1", "s", "live")),
    ("notWritable", (PORT + ".9.1", "i", "5")),
    ("noCreation", (f"{PARAM}.3.99.1", "s", "x")),
    ("wrongValue", (THRESH + ".2.0", "u", "101")),
    ("wrongType", (THRESH + ".2.0", "s", "50")),
    ("wrongValue", (SYS + ".8.0", "i", "9")),
    ("wrongValue", (IF + ".7.1001", "i", "3")),
]
plan(*(f"snmp_set_refused_{i}_{want}" for i, (want, _) in enumerate(SET_REFUSED)))

row = f"{ROW}.%d.{CLS}.1.%d"
ROW_REFUSED = [
    ("inconsistentValue", (row % (4, 2), "i", "4", row % (2, 2), "s", '{ name = "new"; proto = 1; }')),
    ("inconsistentValue", (row % (4, 2), "i", "4")),
    ("inconsistentName", (row % (4, 5), "i", "4", row % (2, 5), "s", "proto = 1;")),
    ("inconsistentName", (row % (2, 2), "s", "proto = 1;")),
    ("inconsistentValue", (row % (4, 1), "i", "6")),
    ("inconsistentValue", (row % (4, 1), "i", "4")),
    ("wrongValue", (row % (2, 1), "s", "proto = 300;")),
    ("wrongValue", (row % (4, 1), "i", "5")),
    ("notWritable", (row % (3, 1), "i", "1")),
]
plan(*(f"snmp_row_refused_{i}_{want}" for i, (want, _) in enumerate(ROW_REFUSED)))

m = Mboxd(cfg)
try:
    time.sleep(0.5)
    started = check(m.start(), "snmp_mboxd_starts", m.output()[-2000:])
    connected = started and wait(lambda: get(SYS + ".4.0") == "1", 15)
    check(connected, "snmp_subagent_answers", m.output()[-2000:] + snmp.log()[-1000:])
    check(trap_after(0, ENT + ".0.5", ENT + ".1.1.1.0"), "snmp_trap_firmware_started", traps_text()[-1500:])

    # The whole MBOX subtree and the IF-MIB rows, with the stock tools.
    walk = snmp.run("snmpwalk", ENT)
    rows = walk.stdout.splitlines()
    check(walk.returncode == 0 and len(rows) > 150 and '"cnt_other"' in walk.stdout and
          all(line.startswith(ENT) for line in rows), "snmp_walk_mbox_subtree", walk.stdout[-1500:] + walk.stderr)
    table = subprocess.run(["snmptable", "-v2c", "-c", "public", "-M", MIBDIRS,
                            "-m", "IF-MIB:MBOX-MIB", "-Cf", ",", TARGET, "MBOX-MIB::mboxElementTable"],
                           capture_output=True, text=True, env=snmp.env)
    check(table.returncode == 0 and "cnt_in,counter" in table.stdout, "snmp_snmptable_elements",
          table.stdout[-1000:] + table.stderr[-500:])
    ifwalk = snmp.run("snmpwalk", IF + ".2")
    check(f'{IF}.2.1001 = STRING: "in"' in ifwalk.stdout and f'{IF}.2.1002 = STRING: "live"' in ifwalk.stdout
          and re.search(rf"{re.escape(IF)}\.2\.[1-9]\d? = ", ifwalk.stdout), "snmp_iftable_beside_kernel_rows",
          ifwalk.stdout)

    # N packets in from the pcap: exactly N on every counter that sees them.
    wait(lambda: num(PORT + ".9.1") == N_IN, 10)
    counts = {"mboxPortInPackets": num(PORT + ".9.1"), "mboxPortOutPackets": num(PORT + ".10.1"),
              "ifHCInUcastPkts": num(IFX + ".7.1001"), "ifHCOutUcastPkts": num(IFX + ".11.1001"),
              "ifInUcastPkts": num(IF + ".11.1001"), "mboxElementInPackets(cnt_in)": num(f"{ELEM}.5.{CNT_IN}"),
              "counter packets(cnt_in)": num(f"{COUNTER}.3.{CNT_IN}.1"),
              "output packets(rx_in)": num(f"{OUTPUT}.3.{RX_IN}.1"),
              "sent(tx_in)": num(f"{COUNTER}.3.{TX_IN}.1")}
    check(all(v == N_IN for v in counts.values()), "snmp_counters_exact", str(counts))
    check(num(IFX + ".6.1001") == sum(len(frame(proto=17, dport=1000 + i)) for i in range(N_IN)),
          "snmp_ifhcinoctets_exact", str(num(IFX + ".6.1001")))

    # SET a classifier rule: UDP traffic moves from output 'sel' to 'default'.
    rules = get(f"{PARAM}.3.{CLS}.1")
    check(rules and "proto = 17" in rules, "snmp_param_value_read", str(rules))
    check(get(f"{ELEM}.11.{CLS}") == "2", "snmp_first_generation_elements_added", str(get(f"{ELEM}.11.{CLS}")))
    sel = lambda: num(f"{COUNTER}.3.{CNT_SEL}.1")
    other = lambda: num(f"{COUNTER}.3.{CNT_OTHER}.1") or 0
    sel_before = wait(sel, 5)
    mark = len(traps_text())
    err = snmpset(f"{PARAM}.3.{CLS}.1", "s", '( { name = "sel"; proto = 6; } )')
    check(err is None and get(SYS + ".4.0") == "2", "snmp_set_param_applied", f"{err}, generation {get(SYS + '.4.0')}")
    time.sleep(1.2)  # packets counted before the switch are in; the snapshot is fresh
    sel_after, other_after = sel(), other()
    moved = wait(lambda: other() > other_after + 1000 and sel() == sel_after, 5)
    check(sel_before and moved, "snmp_set_changes_data_path",
          f"sel before {sel_before}, after {sel_after} then {sel()}, other {other_after} then {other()}")
    check(get(f"{ELEM}.11.{CLS}") == "3" and get(f"{ELEM}.11.{CNT_SEL}") == "1" and get(SYS + ".12.0") == "",
          "snmp_last_change_per_element", f"cls {get(f'{ELEM}.11.{CLS}')} (changed: 3), "
          f"cnt_sel {get(f'{ELEM}.11.{CNT_SEL}')} (unchanged: 1), removed {get(SYS + '.12.0')!r}")
    check(sel_after is not None and sel_after >= sel_before, "snmp_counters_continue_across_set",
          f"cnt_sel {sel_before} before the SET, {sel_after} after (a new generation keeps the counts)")
    check(trap_after(mark, ENT + ".0.1", "Gauge32: 2"), "snmp_trap_config_applied", traps_text()[mark:][-1500:])

    # Every class of refused SET, each leaving the running state unchanged.
    state = lambda: (get(SYS + ".4.0"), get(f"{PARAM}.3.{CLS}.1"), get(THRESH + ".1.0"))
    before = state()
    mark = len(traps_text())
    for i, (want, varbind) in enumerate(SET_REFUSED):
        got = snmpset(*varbind)
        check(got == want and state() == before, f"snmp_set_refused_{i}_{want}",
              f"got {got}, state {state()} (was {before})")
    last_error = get(SYS + ".6.0")
    check(last_error and "threshold" in last_error, "snmp_last_error_reason", str(last_error))
    check(trap_after(mark, ENT + ".0.2", "threshold"), "snmp_refused_set_sends_config_rejected_trap",
          traps_text()[mark:][-1500:])
    got = snmpset(THRESH + ".1.0", "u", "5", f"{PARAM}.3.{CLS}.1", "s", '( { name = "x"; } )')
    check(got == "inconsistentValue" and state() == before, "snmp_multi_varbind_all_or_nothing",
          f"got {got}, state {state()} (was {before})")
    got = snmpset(f"{PARAM}.3.{CLS}.1", "s", '( { name = "sel"; proto = 17; } )', auth=V2)
    check(got is not None and state() == before, "snmp_v2c_write_refused", f"got {got}")

    # The rule as a row of mboxElementRowTable: read, replace, refused creations.
    check("proto = 6" in (get(row % (2, 1)) or "") and get(row % (4, 1)) == "1" and get(row % (3, 1)) == "0",
          "snmp_row_read", f"{get(row % (2, 1))} status {get(row % (4, 1))}")
    gen = int(get(SYS + ".4.0"))
    err = snmpset(row % (2, 1), "s", 'name = "sel"; proto = 17;')
    check(err is None and get(SYS + ".4.0") == str(gen + 1) and "proto = 17" in get(f"{PARAM}.3.{CLS}.1"),
          "snmp_row_set_applied", f"{err}, generation {get(SYS + '.4.0')}, {get(f'{PARAM}.3.{CLS}.1')}")
    before = state()
    for i, (want, varbinds) in enumerate(ROW_REFUSED):
        got = snmpset(*varbinds)
        check(got == want and state() == before, f"snmp_row_refused_{i}_{want}",
              f"got {got}, state {state()} (was {before})")
    check("expected" in (get(SYS + ".6.0") or ""), "snmp_row_refusal_reason", str(get(SYS + ".6.0")))
    check(snmpset(row % (4, 7), "i", "6") is None and state() == before, "snmp_row_destroy_absent_is_noop",
          f"state {state()} (was {before})")
    err = snmpset(row % (2, 1), "s", '{ name = "sel"; proto = 6; }')
    check(err is None and "proto = 6" in get(f"{PARAM}.3.{CLS}.1"), "snmp_row_set_with_braces", str(err))

    # ifAdminStatus down stops the port; linkDown arrives; up brings it back.
    mark = len(traps_text())
    err = snmpset(IF + ".7.1002", "i", "2")
    check(err is None and trap_after(mark, ".1.3.6.1.6.3.1.1.5.3", f"{IF}.1.1002"), "snmp_admin_down_link_down_trap",
          f"{err}; {traps_text()[mark:][-1000:]}")
    first = num(f"{COUNTER}.3.{CNT_OTHER}.1")
    time.sleep(1.2)
    check(get(IF + ".8.1002") == "2" and get(f"{ELEM}.4.{RX_LIVE}") == "3" and
          num(f"{COUNTER}.3.{CNT_OTHER}.1") == first, "snmp_admin_down_stops_port",
          f"oper {get(IF + '.8.1002')}, state {get(f'{ELEM}.4.{RX_LIVE}')}, {first} -> {num(f'{COUNTER}.3.{CNT_OTHER}.1')}")
    mark = len(traps_text())
    err = snmpset(PORT + ".8.2", "i", "1")
    check(err is None and trap_after(mark, ".1.3.6.1.6.3.1.1.5.4", f"{IF}.1.1002") and
          wait(lambda: (num(f"{COUNTER}.3.{CNT_OTHER}.1") or 0) > first), "snmp_admin_up_link_up_trap",
          f"{err}; {traps_text()[mark:][-1000:]}")

    # A drop-rate threshold: sink_other drops everything it gets.
    mark = len(traps_text())
    err = snmpset(THRESH + ".1.0", "u", "1000")
    check(err is None and trap_after(mark, ENT + ".0.4", "element sink_other"), "snmp_trap_threshold_crossed",
          f"{err}; {traps_text()[mark:][-1000:]}")

    # save, then a restart keeps the SET configuration.
    err = snmpset(SYS + ".8.0", "i", "3")
    saved = wait(lambda: get(SYS + ".9.0") == "3", 5)
    check(err is None and saved and "proto = 6" in open(cfg).read(), "snmp_save_writes_file",
          f"{err}, result {get(SYS + '.9.0')} {get(SYS + '.10.0')}")
    mark = len(traps_text())
    check(m.stop() is not None and trap_after(mark, ENT + ".0.6"), "snmp_trap_firmware_stopping",
          m.output()[-1500:] + traps_text()[mark:][-500:])
    last_good = f"{d}/last-good.cfg"
    m = Mboxd(cfg, ["--last-good", last_good])
    back = m.start() and wait(lambda: get(SYS + ".4.0") == "1", 15)
    value = get(f"{PARAM}.3.{CLS}.1")
    check(back and value and "proto = 6" in value and get(THRESH + ".1.0") == "1000", "snmp_save_survives_restart",
          f"{value}, drop_rate {get(THRESH + '.1.0')}")
    saved = open(cfg).read()
    check(os.path.exists(last_good) and open(last_good).read() == saved and get(SYS + ".13.0") == "1",
          "snmp_start_keeps_last_good_copy", f"source {get(SYS + '.13.0')}, {last_good} exists: {os.path.exists(last_good)}")

    # snmpd restarts: the subagent reconnects by itself, counters intact.
    wait(lambda: num(PORT + ".9.1") == N_IN, 10)
    stop_process(snmp.snmpd)
    t0 = time.time()
    snmp.start_snmpd()
    again = wait(lambda: num(PORT + ".9.1") == N_IN, 20)
    check(again, "snmp_snmpd_restart_reconnects", f"after {time.time() - t0:.1f} s: {num(PORT + '.9.1')}")
    print(f"info: subagent answered again {time.time() - t0:.1f} s after snmpd restarted")

    # A configuration file cut in half (a write that never finished): mboxd
    # starts with the last good copy and says so in the log, over SNMP and
    # by a trap; the file is left for the operator to repair.
    m.stop()
    broken = saved[:len(saved) // 2]
    with open(cfg, "w") as f:
        f.write(broken)
    mark = len(traps_text())
    m = Mboxd(cfg, ["--last-good", last_good])
    back = m.start() and wait(lambda: get(SYS + ".4.0") == "1", 15)
    error = get(SYS + ".6.0") or ""
    check(back and get(SYS + ".13.0") == "2" and error.startswith(f"{cfg}:") and "error" in error
          and "starting with the last good configuration" in m.output(), "snmp_invalid_file_starts_last_good",
          f"source {get(SYS + '.13.0')}, last error {error!r}; {m.output()[-1500:]}")
    check("proto = 6" in (get(f"{PARAM}.3.{CLS}.1") or "") and get(THRESH + ".1.0") == "1000",
          "snmp_last_good_has_saved_values", f"{get(f'{PARAM}.3.{CLS}.1')}, drop_rate {get(THRESH + '.1.0')}")
    check(trap_after(mark, ENT + ".0.8", f"{ENT}.1.1.13.0 = INTEGER: 2", cfg + ":"), "snmp_trap_last_good_used",
          traps_text()[mark:][-1500:])
    check(open(cfg).read() == broken and open(last_good).read() == saved, "snmp_last_good_files_untouched",
          "the broken file or the copy changed")
    with open(cfg, "w") as f:
        f.write(saved)
    err = snmpset(SYS + ".8.0", "i", "2")
    check(err is None and wait(lambda: get(SYS + ".13.0") == "1" and get(SYS + ".4.0") == "2", 5),
          "snmp_reload_of_repaired_file_source_file", f"{err}, source {get(SYS + '.13.0')}, "
          f"generation {get(SYS + '.4.0')}, {get(SYS + '.10.0')}")
finally:
    m.stop()
    snmp.stop()
finish()
