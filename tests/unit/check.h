/* Minimal test reporting in the format tests/run.sh counts (docs/testing.md);
 * a crash is counted by run.sh from the exit status. */
#ifndef MBOX_CHECK_H
#define MBOX_CHECK_H

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Weak: one counter shared by the test and the harness it links. */
__attribute__((weak)) unsigned check_failures;

static inline __attribute__((format(printf, 3, 4))) void
check(int ok, const char *name, const char *fmt, ...)
{
	const char *only = getenv("MBOX_TEST_CASE"); /* tests/run.sh TEST:GLOB */
	va_list ap;

	if (only && *only && fnmatch(only, name, 0) != 0)
		return;
	/* Flushed: a crash must not take reported lines with it. */
	if (ok) {
		printf("PASS %s\n", name);
		fflush(stdout);
		return;
	}
	check_failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#endif
