/* Notifications sent through the master agent (notify.c). */
#ifndef MBOX_AGENT_NOTIFY_H
#define MBOX_AGENT_NOTIFY_H

void notify_init(void);
void notify_started(void);
void notify_stopping(void);
void notify_tick(void);

#endif
