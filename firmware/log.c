#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static int log_max_level = LOG_INFO;
static bool log_to_syslog;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void mbox_log_init(int max_level, bool use_syslog)
{
	log_max_level = max_level;
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog("mboxd", LOG_PID, LOG_DAEMON);
}

void mbox_log(int level, const char *fmt, ...)
{
	va_list ap;
	struct timespec ts;

	if (level > log_max_level)
		return;
	va_start(ap, fmt);
	if (log_to_syslog) {
		vsyslog(level, fmt, ap);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "mboxd[%ld.%03ld] %s: ", (long)ts.tv_sec,
			ts.tv_nsec / 1000000, level_names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
