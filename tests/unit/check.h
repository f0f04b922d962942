/* Minimal test reporting in the format tests/run.sh counts. */
#ifndef MBOX_CHECK_H
#define MBOX_CHECK_H

#include <stdarg.h>
#include <stdio.h>

/* Weak: one counter shared by the test and the harness it links. */
__attribute__((weak)) unsigned check_failures;

static inline __attribute__((format(printf, 3, 4))) void
check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	check_failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#endif
