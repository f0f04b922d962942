/* The embedded SNMP AgentX subagent.  Every Net-SNMP call happens on the
 * control thread, inside these functions: the library is not thread-safe,
 * and the workers never wait on it. */
#ifndef MBOX_AGENT_H
#define MBOX_AGENT_H

#include <stdbool.h>
#include <stdio.h>

struct mbox_config;

/* Connect to snmpd (and keep reconnecting) as cfg's snmp section says.
 * restart_count is how often a supervisor restarted mboxd (mboxRestarted).
 * Returns 0, or -1 after logging why. */
int mbox_agent_start(const struct mbox_config *cfg, unsigned restart_count);
/* Serve SNMP requests for up to timeout_ms milliseconds. */
void mbox_agent_wait(unsigned timeout_ms);
/* Every 100 ms: link, configuration and threshold notifications, and the
 * administrative action a SET asked for. */
void mbox_agent_tick(void);
/* Send mboxFirmwareStopping and disconnect. */
void mbox_agent_stop(void);
/* Whether cfg's snmp section runs the subagent. */
bool mbox_agent_enabled(const struct mbox_config *cfg);
/* Write the master snmpd's configuration for cfg's snmp section. */
void mbox_snmpd_conf_write(const struct mbox_config *cfg, FILE *out);
/* mboxd --provision: print base_file with fragment_file's sections over it
 * and the passphrases of passphrases (a file, "-" for stdin, or NULL) set on
 * the fragment's SNMPv3 users, when the result is a valid configuration.
 * Returns 0, or 1 after saying why on stderr (no passphrase quoted). */
int mbox_provision(const char *base_file, const char *fragment_file, const char *passphrases);

#endif
