"""Configurations of the device under test for the benchmarks: mboxd's
ports on two memif links and, per direction, a chain of elements (the core
chain, every element kind alone, classifier -> acl -> router -> counter)."""
import subprocess

from .dpdk import FILE_PREFIX, MBUFS, MEMORY_MB, dut_mboxd
from .procs import BenchError


CLASSIFY_UDP = '{{ name = "cls{i}"; kind = "classifier"; rules = ( {{ name = "udp"; proto = 17; }} ); }}'


def chain_default(i, tx):
    """classifier -> counter -> ether_rewrite, the core elements."""
    return ([CLASSIFY_UDP.format(i=i), f'{{ name = "cnt{i}"; kind = "counter"; }}',
             f'{{ name = "rw{i}"; kind = "ether_rewrite"; swap = true; }}'],
            [f"rx{i} -> cls{i}", f"cls{i}[udp] -> cnt{i} -> rw{i} -> {tx}", f"cls{i}[default] -> cnt{i}"])


def acl_element(i, n_rules=100):
    """n_rules - 1 rules flowgen's UDP never matches, then one that permits it."""
    rules = ", ".join(f'{{ src = "10.{r}.0.0/16"; proto = 17; dst_port = "{1000 + 10 * r}-{1009 + 10 * r}"; '
                      f'action = "deny"; }}' for r in range(n_rules - 1))
    rules += ', { dst = "10.253.0.0/16"; proto = 17; action = "permit"; }'
    return (f'{{ name = "acl{i}"; kind = "acl"; default_action = "permit"; arp = "permit"; '
            f'rules = ( {rules} ); }}')


def router_element(n_routes=10000):
    """One router for both directions, an interface per port.  testpmd 22.11
    flowgen sends 10.254.0.0 -> 10.253.0.0..10.253.3.255 (1024 flows): one /32
    per flow address, alternating between the next hops on p0 and p1, then
    /24 fillers the flows never match.  Next-hop MACs are static."""
    ifaces = ", ".join(f'{{ name = "p{i}"; port = "p{i}"; address = "10.0.{i}.1"; prefix_len = 24; '
                       f'mac = "02:00:00:00:0{i}:01"; }}' for i in range(2))
    hops = ", ".join(f'{{ name = "nh{i}"; address = "10.0.{i}.2"; mac = "02:00:00:00:0{i}:02"; }}' for i in range(2))
    routes = [f'{{ prefix = "10.253.{f >> 8}.{f & 255}"; next_hop = "nh{f % 2}"; }}' for f in range(1024)]
    routes += [f'{{ prefix = "100.{k >> 8}.{k & 255}.0/24"; next_hop = "nh{k % 2}"; }}' for k in range(n_routes - 1024)]
    return (f'{{ name = "rt"; kind = "router"; interfaces = ( {ifaces} ); next_hops = ( {hops} ); '
            f'routes = ( {", ".join(routes)} ); }}')


def chain_router(i, tx, acl=False):
    """classifier -> [acl] -> router (10k routes) -> counter: the router leaves
    by the port its route names, so each direction's counter follows rt[p<i>]."""
    elements = [CLASSIFY_UDP.format(i=i), f'{{ name = "cnt{i}"; kind = "counter"; }}']
    links = [f"rt[p{i}] -> cnt{i} -> tx{i}", f"cls{i}[default] -> rt"]
    if acl:
        elements.append(acl_element(i))
        links.append(f"rx{i} -> cls{i}[udp] -> acl{i} -> rt")
    else:
        links.append(f"rx{i} -> cls{i}[udp] -> rt")
    if i == 0:
        elements.append(router_element())
    return elements, links


def chain_one(element, second=None):
    """rx -> ELEMENT -> tx through its first output; `second` names another
    output, linked to the same port."""
    def chain(i, tx):
        if not second:
            return [element.format(i=i)], [f"rx{i} -> e{i} -> {tx}"]
        return [element.format(i=i)], [f"rx{i} -> e{i}[0] -> {tx}", f"e{i}[{second}] -> {tx}"]
    return chain


# Each kind alone between the ports (cycles per packet are the kind's own),
# then the combined chain of issue 5's target.
ELEMENT_CASES = [
    ("classifier", chain_one('{{ name = "e{i}"; kind = "classifier"; rules = ( {{ name = "udp"; proto = 17; dst_port = 7; }} ); }}',
                             "default"),
     "e"),
    ("acl 100 rules", lambda i, tx: ([acl_element(i)], [f"rx{i} -> acl{i} -> {tx}"]), "acl"),
    ("router 10k routes", lambda i, tx: ([router_element()] if i == 0 else [], [f"rx{i} -> rt", f"rt[p{i}] -> tx{i}"]),
     "rt"),
    ("policer", chain_one('{{ name = "e{i}"; kind = "policer"; cir = 100000000000; cbs = 1000000; red = "pass"; }}'), "e"),
    ("load_balancer", lambda i, tx: ([f'{{ name = "e{i}"; kind = "load_balancer"; outputs = ( {{ name = "a"; weight = 3; }}, '
                                      f'{{ name = "b"; weight = 1; }} ); }}'],
                                     [f"rx{i} -> e{i}[a] -> {tx}", f"e{i}[b] -> {tx}"]), "e"),
    ("vlan push", chain_one('{{ name = "e{i}"; kind = "vlan"; mode = "push"; vid = 100; }}'), "e"),
    ("mirror (copies)", lambda i, tx: ([f'{{ name = "e{i}"; kind = "mirror"; }}', f'{{ name = "c{i}"; kind = "counter"; }}',
                                        f'{{ name = "d{i}"; kind = "drop"; }}'],
                                       [f"rx{i} -> e{i}[out] -> {tx}", f"e{i}[copy] -> c{i} -> d{i}"]), "e"),
    ("nat", lambda i, tx: ([f'{{ name = "nat{i}"; kind = "nat"; address = "198.51.100.{i + 1}"; }}'],
                           [f"rx{i} -> nat{i}[outside] -> {tx}", f"nat{i}[inside] -> tx{i}"]), "nat"),
    ("http_filter", chain_one('{{ name = "e{i}"; kind = "http_filter"; rules = ( {{ host = "example.com"; action = "deny"; }} ); }}',
                              "reverse"),
     "e"),
    ("sequencer", chain_one('{{ name = "e{i}"; kind = "sequencer"; port = 1001; }}'), "e"),
    ("cls->acl->rt->cnt", lambda i, tx: chain_router(i, tx, acl=True), None),
]


def mboxd_config(socks, chain, extra="", element_cycles=False):
    """A DUT configuration: port elements, then chain(i, tx) -> (elements, links)
    for each direction i (rx<i> to the other port's tx), or rx<i> -> tx when
    chain is None (pass-through); element_cycles times every element."""
    elements, links = [], []
    for i in range(len(socks)):
        elements += [f'{{ name = "rx{i}"; kind = "port_rx"; port = "p{i}"; }}',
                     f'{{ name = "tx{i}"; kind = "port_tx"; port = "p{i}"; }}']
    for i, tx in ((0, "tx1"), (1, "tx0")):
        if chain:
            e, l = chain(i, tx)
            elements += e
            links += l
        else:
            links.append(f"rx{i} -> {tx}")
    ports = ",\n  ".join(f'{{ name = "p{i}"; device = "net_memif{i},role=server,socket={s}"; }}'
                         for i, s in enumerate(socks))
    return (f'dpdk = {{ lcores = "0,1"; main_lcore = 1; memory_mb = {MEMORY_MB}; mbufs = {MBUFS};\n'
            f'  file_prefix = "{FILE_PREFIX}_dut"; eal_args = ( "--in-memory" );\n'
            f'  element_cycles = {"true" if element_cycles else "false"}; }};\n'
            f"ports = (\n  {ports}\n);\n"
            "elements = (\n  " + ",\n  ".join(elements) + "\n);\n"
            "links = ( " + ", ".join(f'"{l}"' for l in links) + " );\n" + extra)


def mboxd_case(mboxd, path, socks, chain, label, element_cycles=False):
    """Writes the DUT configuration of chain (see mboxd_config) to path and
    has mboxd check it; returns what starts that DUT."""
    with open(path, "w") as f:
        f.write(mboxd_config(socks, chain, element_cycles=element_cycles))
    check = subprocess.run([mboxd, "--check", path], capture_output=True, text=True)
    if check.returncode != 0:
        raise BenchError(f"{label}: {path} does not validate:\n{check.stdout}{check.stderr}")
    return lambda: dut_mboxd(mboxd, path)
