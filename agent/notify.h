/* Notifications sent through the master agent (notify.c). */
#ifndef MBOX_AGENT_NOTIFY_H
#define MBOX_AGENT_NOTIFY_H

void notify_started(void);
void notify_stopping(void);
/* After monitor_tick: the traps for what it found, and for configuration changes. */
void notify_tick(void);

#endif
