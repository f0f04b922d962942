/* Logging with levels to stderr, or syslog when running as a service. */
#ifndef MBOX_LOG_H
#define MBOX_LOG_H

#include <stdbool.h>
#include <syslog.h>

void mbox_log_init(int max_level, bool use_syslog);
void mbox_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) mbox_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...) mbox_log(LOG_WARNING, __VA_ARGS__)
#define log_info(...) mbox_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) mbox_log(LOG_DEBUG, __VA_ARGS__)

#endif
