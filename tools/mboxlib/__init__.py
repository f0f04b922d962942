"""The Python library of mbox's tests (tests/integration) and tools (tools/):
  procs    child processes whose output is matched on demand (BenchError)
  dpdk     the benchmarks' DUTs (mboxd, dpdk-testpmd io) and generators
           (dpdk-testpmd flowgen, build/mbox-gen), a run, their output
  configs  mboxd configurations of the benchmarks (memif ports, element chains)
  snmp     snmpd as mboxd's AgentX master, a GET poller, CPU meter, bulkwalks
  image    the firmware image booted under QEMU (Boot), SNMPv3 and ping helpers
  debugsh  the client of the image's debug shell
  net      free local ports
  cli      argument types and the wrapper that runs a tool's main()
  benches  the benchmarks, one module each: tools/bench, rfc2544, snmp-bench,
           live-bench, soak and image-bench are their command lines
Tools import it from beside them (tools/ is their sys.path[0]); tests/run.sh
puts tools/ on PYTHONPATH for the tests."""
