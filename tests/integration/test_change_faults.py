#!/usr/bin/env python3
"""Every change path under failure, with the fault-injection build of mboxd
(build-fault/mboxd, or MBOXD_FAULT: ASan and UBSan, allocations failed on
demand, tests/fault/fault.h) forwarding between two memif ports under
traffic, managed over a real snmpd:
  1. a reload (SIGHUP, and mboxAdminAction reload) to a configuration that
     validates but cannot be built (a NAT of 4,194,304 sessions): refused
     with the reason, generation 1 keeps forwarding;
  2. a reload that fails at its allocation N, for every N along the path:
     each refused with a reason, the DPDK heap as before, the old graph
     forwarding; then the same reload applies;
  3. a SET that fails at allocation N of building its graph, for every N:
     resourceUnavailable, nothing changed; then the same SET applies;
  4. mboxAdminAction restartGraph failing at its first DPDK allocation:
     failed with the reason, then applied; save into a read-only directory:
     failed, with the reason, nothing else changes;
  5. the AgentX master stopped (SIGSTOP) for several pings, then resumed:
     forwarding never stops, the subagent serves again and takes a SET.
mboxd then stops with status 0: no ASan or LeakSanitizer finding."""
import os
import re
import signal
import subprocess
import time

from mboxtest import MBOXD, Mboxd, Snmp, Testpmd, check, finish, free_udp_port, wait, workdir

FAULTY = os.path.abspath(os.environ.get("MBOXD_FAULT", "build-fault/mboxd"))
d = workdir("change-faults")
conf_dir = f"{d}/conf"  # made read-only for the save check
os.makedirs(conf_dir)
cfg = f"{conf_dir}/mbox.cfg"
plan_file = f"{d}/fault.plan"
AGENT = free_udp_port()
AUTH = ["-v3", "-l", "authPriv", "-u", "admin", "-a", "SHA", "-A", "change-admin-pass", "-x", "AES",
        "-X", "change-priv-pass"]
ENT = ".1.3.6.1.4.1.99999"
GENERATION, LAST_ERROR, ACTION, RESULT, RESULT_TEXT = (f"{ENT}.1.1.{c}.0" for c in (4, 6, 8, 9, 10))
PARAM = f"{ENT}.1.3.4.1"
RW_SWAP = f"{PARAM}.3.4.1"  # GRAPH2's 4th element (rw), its first parameter (swap)
ACTION_RELOAD, ACTION_SAVE, ACTION_RESTART_GRAPH = "2", "3", "4"
RESULT_SUCCESS, RESULT_FAILED = "3", "4"
MAX_WALK = 400  # more allocations than any change makes: a walk that never ends is a failure

PLATFORM = f"""
dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = 256; file_prefix = "mbox_chfaults"; eal_args = ( "--legacy-mem" ); }};
ports = (
  {{ name = "a"; device = "net_memif0,role=server,socket={d}/a.sock"; }},
  {{ name = "b"; device = "net_memif1,role=server,socket={d}/b.sock"; }}
);
snmp = {{
  agentx_socket = "{d}/agentx.sock";
  ping_interval = 1;
  listen = "udp:127.0.0.1:{AGENT}";
  users = ( {{ name = "admin"; auth_pass = "change-admin-pass"; priv_pass = "change-priv-pass"; write = true; }} );
}};
"""
GRAPH1 = """
elements = (
  { name = "rx_a"; kind = "port_rx"; port = "a"; }, { name = "rx_b"; kind = "port_rx"; port = "b"; },
  { name = "cnt1"; kind = "counter"; },
  { name = "tx_a"; kind = "port_tx"; port = "a"; }, { name = "tx_b"; kind = "port_tx"; port = "b"; }
);
links = ( "rx_a -> cnt1 -> tx_b", "rx_b -> tx_a" );
"""
GRAPH2 = GRAPH1.replace('{ name = "cnt1"; kind = "counter"; },',
                        '{ name = "cnt2"; kind = "counter"; }, { name = "rw"; kind = "ether_rewrite"; swap = true; src = "02:00:00:00:00:aa"; },'
                        ).replace("rx_a -> cnt1 -> tx_b", "rx_a -> cnt2 -> rw -> tx_b")
# Valid (mboxd --check says OK), but its session table needs far more than
# memory_mb, which --legacy-mem makes a limit (DPDK otherwise takes more
# hugepages as it needs them).
UNBUILDABLE = GRAPH1.replace('{ name = "cnt1"; kind = "counter"; },',
                             '{ name = "cnt1"; kind = "counter"; }, { name = "nat"; kind = "nat"; address = "198.18.0.1"; '
                             'ports = "1024-65535"; max_sessions = 4194304; },'
                             ).replace('"rx_b -> tx_a"', '"rx_b -> nat[outside] -> tx_a", "nat[inside] -> tx_b"')
WINDOW = re.compile(r"fault: (\w+) window \d+: (\d+) calls \(([^)]*)\); failed (none|call \d+ \(\w+\)); "
                    r"heap (\d+) bytes in use before, (\d+) after")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def fault_window(mark, timeout=20):
    """The next "fault:" window line mboxd logged after mark, as a match."""
    found = wait(lambda: WINDOW.search(m.output()[mark:]), timeout, step=0.05)
    return found or None


def counter(name):
    return lambda s: s["element"].get(name, {}).get("packets", 0) if s else 0


def forwarding(name, generation):
    """Whether element `name`'s packet counter rises (within 5 s) in `generation`."""
    first = m.dump_stats()
    later = m.wait_stats(lambda s: counter(name)(s) > counter(name)(first) and s["generation"] == generation, 5)
    return later is not None


def sanitizer_findings():
    return re.findall(r"(ERROR: AddressSanitizer: [^\n]*|ERROR: LeakSanitizer: [^\n]*|runtime error: [^\n]*)",
                      m.output())


def unbuildable_reload():
    """1: a configuration that validates but cannot be built."""
    write(f"{d}/unbuildable.cfg", PLATFORM + UNBUILDABLE)
    r = subprocess.run([MBOXD, "--check", f"{d}/unbuildable.cfg"], capture_output=True, text=True)
    write(cfg, PLATFORM + UNBUILDABLE)
    mark = len(m.output())
    m.signal(signal.SIGHUP)
    refused = m.wait_for("generation 1 keeps forwarding", after=mark)
    window = fault_window(mark)
    log = m.output()[mark:]
    check(r.returncode == 0 and refused and "element 'nat' (nat) failed to create its tables" in log and
          "cannot build the new graph" in log, "change_faults_unbuildable_reload_refused",
          f"--check: {(r.stdout + r.stderr).strip()}; log: {log[-1500:]}")
    check(window and window.group(5) == window.group(6), "change_faults_unbuildable_reload_frees_everything",
          window.group(0) if window else f"no fault: line: {log[-800:]}")
    # The subagent's snapshot is up to a second old.
    error = wait(lambda: "cannot build the new graph" in (snmp.get(LAST_ERROR) or "") and snmp.get(LAST_ERROR), 3) or ""
    check(snmp.get(GENERATION) == "1" and "cannot build the new graph" in error,
          "change_faults_unbuildable_reload_reported", f"generation {snmp.get(GENERATION)}, last error {error!r}")
    check(forwarding("cnt1", 1), "change_faults_unbuildable_reload_keeps_forwarding", m.output()[-800:])
    # The same through the manager: mboxAdminAction reload(2).
    err, result, text = admin_action(ACTION_RELOAD)
    check(err is None and result == RESULT_FAILED and "keeps forwarding" in text and
          "cannot build the new graph" in text and snmp.get(GENERATION) == "1",
          "change_faults_unbuildable_admin_reload_failed", f"SET {err}; result {result} {text!r}")
    print(f"info: unbuildable configuration refused: {error!r}", flush=True)


def walk(change, refused, applied, what):
    """Fail allocation N = 1, 2, ... of `change` until a change applies:
    refused(result, mark) says what is wrong with a failed one (None: it was
    refused cleanly), applied(result) whether the last one applied.
    Returns (N at which it applied, problems)."""
    problems = []
    for n in range(1, MAX_WALK + 1):
        write(plan_file, f"any:{n}\n")
        mark = len(m.output())
        result = change()
        window = fault_window(mark)
        if not window:
            problems.append(f"N={n}: no fault: line ({result}): {m.output()[mark:][-600:]}")
            break
        if window.group(4) == "none":
            write(plan_file, "")
            if not applied(result):
                problems.append(f"N={n}: nothing failed, yet the {what} did not apply ({result}): "
                                f"{m.output()[mark:][-600:]}")
            return n, problems
        why = refused(result, mark)
        if why:
            problems.append(f"N={n} ({window.group(4)}): {why}")
        if window.group(5) != window.group(6):
            problems.append(f"N={n} ({window.group(4)}): DPDK heap {window.group(5)} bytes before, {window.group(6)} after")
        if m.proc.poll() is not None:
            problems.append(f"N={n}: mboxd exited: {m.output()[-1500:]}")
            break
    write(plan_file, "")
    return None, problems


def reload_walk():
    """2: the reload to GRAPH2 fails at each of its allocations in turn."""
    write(cfg, PLATFORM + GRAPH2)
    running = snmp.get(GENERATION)

    def reload():
        mark = len(m.output())
        m.signal(signal.SIGHUP)
        m.wait_for("reload: ", after=mark)
        return m.output()[mark:]

    def reload_refused(log, mark):
        if f"generation {running} keeps forwarding" not in log:
            return f"not refused with generation {running} forwarding: {log[-400:]}"
        if re.search(r"has 0 error\(s\)|: ; generation", log):
            return f"refused without a reason: {log[-400:]}"
        return None
    last, problems = walk(reload, reload_refused, lambda log: f"reload: generation {int(running) + 1} applied" in log,
                          "reload")
    check(not problems, "change_faults_reload_walk_each_failure_refused_cleanly", "; ".join(problems[:5]))
    check(last is not None and last > 1, "change_faults_reload_walk_reaches_the_end",
          f"the reload applied when allocation {last} was to fail")
    check(forwarding("cnt2", 2), "change_faults_reload_walk_new_graph_forwards", m.output()[-800:])
    print(f"info: reload walk: {last - 1 if last else '?'} allocations along the reload path, each failed once",
          flush=True)


def set_walk():
    """3: a SET whose graph build fails at each of its allocations in turn."""
    state = {"swap": snmp.get(RW_SWAP), "generation": int(snmp.get(GENERATION))}

    def set_swap():
        value = "false" if state["swap"] == "true" else "true"
        return snmp.set(RW_SWAP, "s", value), value

    def set_refused(result, mark):
        err, value = result
        if err != "resourceUnavailable":
            return f"SET answered {err}, expected resourceUnavailable"
        gen, now, error = snmp.get(GENERATION), snmp.get(RW_SWAP), snmp.get(LAST_ERROR) or ""
        if gen != str(state["generation"]) or now != state["swap"]:
            return f"state changed: generation {gen}, swap {now}"
        if "cannot build the new graph" not in error:
            return f"mboxConfigLastError {error!r}"
        return None

    def set_applied(result):
        err, value = result
        return err is None and snmp.get(RW_SWAP) == value and snmp.get(GENERATION) == str(state["generation"] + 1)
    last, problems = walk(set_swap, set_refused, set_applied, "SET")
    check(not problems, "change_faults_set_walk_each_failure_resource_unavailable", "; ".join(problems[:5]))
    check(last is not None and last > 1, "change_faults_set_walk_reaches_the_end",
          f"the SET applied when allocation {last} was to fail")
    check(forwarding("cnt2", state["generation"] + 1), "change_faults_set_walk_forwards", m.output()[-800:])
    print(f"info: SET walk: {last - 1 if last else '?'} allocations building a SET's graph, each failed once",
          flush=True)


def admin_action(action):
    """SET mboxAdminAction; the SET's error, mboxAdminResult and its text."""
    err = snmp.set(ACTION, "i", action)
    wait(lambda: snmp.get(RESULT) in (RESULT_SUCCESS, RESULT_FAILED), 20)
    return err, snmp.get(RESULT), snmp.get(RESULT_TEXT) or ""


def restart_graph_fails():
    """4a: restartGraph (the running text built again) when the build fails."""
    gen = snmp.get(GENERATION)
    write(plan_file, "rte_zmalloc:1\n")
    err, result, text = admin_action(ACTION_RESTART_GRAPH)
    write(plan_file, "")
    check(err is None and result == RESULT_FAILED and "restartGraph:" in text and "cannot build the new graph" in text
          and snmp.get(GENERATION) == gen and forwarding("cnt2", int(gen)), "change_faults_restart_graph_failure_reported",
          f"SET {err}; result {result} {text!r}; generation {snmp.get(GENERATION)} (was {gen})")
    err, result, text = admin_action(ACTION_RESTART_GRAPH)
    check(err is None and result == RESULT_SUCCESS and snmp.get(GENERATION) == str(int(gen) + 1),
          "change_faults_restart_graph_then_applies", f"SET {err}; result {result} {text!r}")


def save_read_only():
    """4: save into a directory mounted read-only (root ignores modes)."""
    before = open(cfg).read()
    subprocess.run(["mount", "--bind", conf_dir, conf_dir], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", conf_dir], check=True)
    gen = snmp.get(GENERATION)
    err, result, text = admin_action(ACTION_SAVE)
    check(err is None and result == RESULT_FAILED and "save:" in text and
          "Read-only file system" in text and cfg in text, "change_faults_save_read_only_fails_with_reason",
          f"SET {err}; result {result} {text!r}")
    check(open(cfg).read() == before and snmp.get(GENERATION) == gen and m.proc.poll() is None and
          "admin action save:" in m.output(), "change_faults_save_read_only_changes_nothing",
          f"generation {snmp.get(GENERATION)} (was {gen}); {m.output()[-600:]}")
    subprocess.run(["umount", conf_dir], check=True)
    print(f"info: save into a read-only directory: {text!r}", flush=True)


def master_stopped():
    """5: snmpd stopped for several ping intervals, then continued."""
    generation = int(snmp.get(GENERATION))
    snmp.snmpd.send_signal(signal.SIGSTOP)
    try:
        stopped_at = time.time()
        dumps = forwarding("cnt2", generation)
        time.sleep(max(0, 4 - (time.time() - stopped_at)))  # four pings unanswered
        check(dumps and m.proc.poll() is None, "change_faults_master_stopped_keeps_forwarding", m.output()[-800:])
    finally:
        snmp.snmpd.send_signal(signal.SIGCONT)
    resumed = time.time()
    answered = wait(lambda: snmp.get(GENERATION, timeout=0.5, retries=0), 30, step=0.2)
    after = time.time() - resumed
    check(answered, "change_faults_master_resumed_subagent_answers",
          f"no answer {after:.1f} s after SIGCONT: {m.output()[-1000:]}")
    value = "true" if snmp.get(RW_SWAP) == "false" else "false"
    err = snmp.set(RW_SWAP, "s", value)
    check(err is None and snmp.get(RW_SWAP) == value, "change_faults_master_resumed_set_applies",
          f"SET {err}; swap {snmp.get(RW_SWAP)}")
    print(f"info: snmpd stopped 4 s: subagent answered {after:.2f} s after it continued", flush=True)


m = None
gen = snmp = None
if check(os.access(FAULTY, os.X_OK), "change_faults_build_present", f"{FAULTY}: build it with `make fault`"):
    write(cfg, PLATFORM + GRAPH1)
    write(plan_file, "")
    snmp = Snmp(d, cfg, f"udp:127.0.0.1:{AGENT}", AUTH)
    m = Mboxd(cfg, binary=FAULTY, env={"MBOX_FAULT_SCOPE": "mbox_dataplane_reload,mbox_dataplane_apply,mbox_change_prepare",
                                         "MBOX_FAULT_FILE": plan_file})
try:
    if m and check(m.start(120), "change_faults_mboxd_starts", m.output()[-2000:]):
        gen = Testpmd(d, [f"net_memif0,role=client,socket={d}/a.sock",
                          f"net_memif1,role=client,socket={d}/b.sock"], prefix="gen_chfaults")
        m.wait_links_up()
        gen.cmd("start")
        check(wait(lambda: snmp.get(GENERATION) == "1", 30) and forwarding("cnt1", 1),
              "change_faults_forwarding_and_serving", m.output()[-1500:])
        for step in (unbuildable_reload, reload_walk, set_walk, restart_graph_fails, save_read_only, master_stopped):
            if m.proc.poll() is not None:
                break  # mboxd died (the sanitizer's report follows): what was not reached is an ERROR
            step()
        gen.cmd("stop")
        m.wait_quiet()
finally:
    if gen:
        gen.quit()
    stats = m.stop() if m and m.proc else None
    if snmp:
        snmp.stop()
    if m and m.proc:
        check(stats is not None and not sanitizer_findings(), "change_faults_mboxd_stops_clean_under_asan",
              f"exit status {m.proc.returncode}; {sanitizer_findings()[:5]}; {m.output()[-2500:]}")
finish()
