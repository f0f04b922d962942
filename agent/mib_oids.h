/* Every OID the subagent names, written once, by its name in the MIB that
 * defines it: MBOX-MIB (mib/MBOX-MIB.txt), and the IF-MIB and SNMPv2-MIB
 * objects it serves or sends.  tests/unit/test_mib_oids.c checks each arc
 * here, and each column of the tables in objects.c, against the MIB files. */
#ifndef MBOX_AGENT_MIB_OIDS_H
#define MBOX_AGENT_MIB_OIDS_H

/* The enterprise number under which MBOX-MIB lives: the one place to
 * change it (with the MIB's MODULE-IDENTITY, see mib/README.md). */
#define MBOX_ENTERPRISE 99999
#define OID_mbox 1, 3, 6, 1, 4, 1, MBOX_ENTERPRISE

/* The nodes under which the arcs below are numbered. */
#define OID_mboxNotifications OID_mbox, 0
#define OID_mboxSystem OID_mbox, 1, 1
#define OID_mboxPortEntry OID_mbox, 1, 2, 1, 1
#define OID_mboxElementEntry OID_mbox, 1, 3, 1, 1
#define OID_mboxElementOutputEntry OID_mbox, 1, 3, 2, 1
#define OID_mboxElementCounterEntry OID_mbox, 1, 3, 3, 1
#define OID_mboxElementParamEntry OID_mbox, 1, 3, 4, 1
#define OID_mboxElementRowEntry OID_mbox, 1, 3, 5, 1
#define OID_mboxCoreEntry OID_mbox, 1, 4, 1, 1
#define OID_mboxPoolEntry OID_mbox, 1, 5, 1, 1
#define OID_mboxThresholds OID_mbox, 1, 6
#define OID_ifEntry 1, 3, 6, 1, 2, 1, 2, 2, 1
#define OID_ifXEntry 1, 3, 6, 1, 2, 1, 31, 1, 1, 1
#define OID_snmpTrap 1, 3, 6, 1, 6, 3, 1, 1, 4
#define OID_snmpTraps 1, 3, 6, 1, 6, 3, 1, 1, 5

/* X(node, name, arc): every notification, scalar and column the C code
 * uses, under its node above.  The names become the enum below. */
#define MIB_ARCS(X) \
	X(mboxNotifications, mboxConfigApplied, 1) \
	X(mboxNotifications, mboxConfigRejected, 2) \
	X(mboxNotifications, mboxThresholdCrossed, 4) \
	X(mboxNotifications, mboxFirmwareStarted, 5) \
	X(mboxNotifications, mboxFirmwareStopping, 6) \
	X(mboxNotifications, mboxRestarted, 7) \
	X(mboxNotifications, mboxConfigLastGoodUsed, 8) \
	X(mboxSystem, mboxFirmwareVersion, 1) \
	X(mboxSystem, mboxUptime, 2) \
	X(mboxSystem, mboxOperState, 3) \
	X(mboxSystem, mboxConfigGeneration, 4) \
	X(mboxSystem, mboxConfigHash, 5) \
	X(mboxSystem, mboxConfigLastError, 6) \
	X(mboxSystem, mboxConfigAppliedTime, 7) \
	X(mboxSystem, mboxAdminAction, 8) \
	X(mboxSystem, mboxActionResult, 9) \
	X(mboxSystem, mboxActionResultText, 10) \
	X(mboxSystem, mboxRestartCount, 11) \
	X(mboxSystem, mboxConfigRemovedElements, 12) \
	X(mboxSystem, mboxConfigSource, 13) \
	X(mboxPortEntry, mboxPortName, 2) \
	X(mboxPortEntry, mboxPortDevice, 3) \
	X(mboxPortEntry, mboxPortMacAddress, 4) \
	X(mboxPortEntry, mboxPortLinkState, 5) \
	X(mboxPortEntry, mboxPortSpeed, 6) \
	X(mboxPortEntry, mboxPortMtu, 7) \
	X(mboxPortEntry, mboxPortAdminStatus, 8) \
	X(mboxPortEntry, mboxPortInPackets, 9) \
	X(mboxPortEntry, mboxPortOutPackets, 10) \
	X(mboxPortEntry, mboxPortInOctets, 11) \
	X(mboxPortEntry, mboxPortOutOctets, 12) \
	X(mboxPortEntry, mboxPortInErrors, 13) \
	X(mboxPortEntry, mboxPortOutErrors, 14) \
	X(mboxPortEntry, mboxPortInMissed, 15) \
	X(mboxPortEntry, mboxPortRxNoMbufDrops, 16) \
	X(mboxPortEntry, mboxPortIfIndex, 17) \
	X(mboxElementEntry, mboxElementName, 2) \
	X(mboxElementEntry, mboxElementKind, 3) \
	X(mboxElementEntry, mboxElementState, 4) \
	X(mboxElementEntry, mboxElementInPackets, 5) \
	X(mboxElementEntry, mboxElementDrops, 6) \
	X(mboxElementEntry, mboxElementCalls, 7) \
	X(mboxElementEntry, mboxElementCycles, 8) \
	X(mboxElementEntry, mboxElementCyclesPerPacket, 9) \
	X(mboxElementEntry, mboxElementOutputs, 10) \
	X(mboxElementEntry, mboxElementLastChange, 11) \
	X(mboxElementOutputEntry, mboxElementOutputName, 2) \
	X(mboxElementOutputEntry, mboxElementOutputPackets, 3) \
	X(mboxElementOutputEntry, mboxElementOutputTarget, 4) \
	X(mboxElementCounterEntry, mboxElementCounterName, 2) \
	X(mboxElementCounterEntry, mboxElementCounterValue, 3) \
	X(mboxElementParamEntry, mboxElementParamName, 2) \
	X(mboxElementParamEntry, mboxElementParamValue, 3) \
	X(mboxElementParamEntry, mboxElementParamWritable, 4) \
	X(mboxElementParamEntry, mboxElementParamType, 5) \
	X(mboxElementRowEntry, mboxElementRowValue, 2) \
	X(mboxElementRowEntry, mboxElementRowHits, 3) \
	X(mboxElementRowEntry, mboxElementRowStatus, 4) \
	X(mboxCoreEntry, mboxCoreLcore, 2) \
	X(mboxCoreEntry, mboxCoreBusyPercent, 3) \
	X(mboxCoreEntry, mboxCorePackets, 4) \
	X(mboxCoreEntry, mboxCoreWalks, 5) \
	X(mboxPoolEntry, mboxPoolName, 2) \
	X(mboxPoolEntry, mboxPoolSize, 3) \
	X(mboxPoolEntry, mboxPoolInUse, 4) \
	X(mboxPoolEntry, mboxPoolInUsePercent, 5) \
	X(mboxThresholds, mboxThresholdDropRate, 1) \
	X(mboxThresholds, mboxThresholdCoreBusy, 2) \
	X(mboxThresholds, mboxThresholdPoolUsage, 3) \
	X(mboxThresholds, mboxThresholdCrossedType, 4) \
	X(mboxThresholds, mboxThresholdCrossedSubject, 5) \
	X(mboxThresholds, mboxThresholdCrossedValue, 6) \
	X(mboxThresholds, mboxThresholdCrossedLimit, 7) \
	X(mboxThresholds, mboxThresholdTableFill, 8) \
	X(ifEntry, ifIndex, 1) \
	X(ifEntry, ifDescr, 2) \
	X(ifEntry, ifType, 3) \
	X(ifEntry, ifMtu, 4) \
	X(ifEntry, ifSpeed, 5) \
	X(ifEntry, ifPhysAddress, 6) \
	X(ifEntry, ifAdminStatus, 7) \
	X(ifEntry, ifOperStatus, 8) \
	X(ifEntry, ifLastChange, 9) \
	X(ifEntry, ifInOctets, 10) \
	X(ifEntry, ifInUcastPkts, 11) \
	X(ifEntry, ifInDiscards, 13) \
	X(ifEntry, ifInErrors, 14) \
	X(ifEntry, ifInUnknownProtos, 15) \
	X(ifEntry, ifOutOctets, 16) \
	X(ifEntry, ifOutUcastPkts, 17) \
	X(ifEntry, ifOutDiscards, 19) \
	X(ifEntry, ifOutErrors, 20) \
	X(ifXEntry, ifName, 1) \
	X(ifXEntry, ifHCInOctets, 6) \
	X(ifXEntry, ifHCInUcastPkts, 7) \
	X(ifXEntry, ifHCOutOctets, 10) \
	X(ifXEntry, ifHCOutUcastPkts, 11) \
	X(ifXEntry, ifLinkUpDownTrapEnable, 14) \
	X(ifXEntry, ifHighSpeed, 15) \
	X(ifXEntry, ifPromiscuousMode, 16) \
	X(ifXEntry, ifConnectorPresent, 17) \
	X(ifXEntry, ifAlias, 18) \
	X(ifXEntry, ifCounterDiscontinuityTime, 19) \
	X(snmpTrap, snmpTrapOID, 1) \
	X(snmpTraps, linkDown, 3) \
	X(snmpTraps, linkUp, 4)

/* Each name above is its arc: mboxPortName is 2. */
enum mib_arc {
#define MIB_ARC_ENUM(node, name, arc) name = arc,
	MIB_ARCS(MIB_ARC_ENUM)
#undef MIB_ARC_ENUM
};

#endif
