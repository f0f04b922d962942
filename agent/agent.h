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

#endif
