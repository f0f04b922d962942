#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <string.h>

#include <rte_common.h>

#include "diag.h"

/* Prints "file:line: LEVEL: message"; the first error is also kept in
 * d->first for the change status. */
static void report(struct mbox_diag *d, bool error, const char *file, int line, const char *fmt, va_list ap)
{
	char where[300], what[512];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (line > 0)
		snprintf(where, sizeof(where), "%s:%d: %s: ", file, line, error ? "error" : "warning");
	else
		snprintf(where, sizeof(where), "%s: %s: ", file, error ? "error" : "warning");
	if (!error) {
		d->warnings++;
	} else if (d->errors++ == 0) {
		size_t n = strlen(where);

		/* Truncation is fine: the log has the whole text. */
		memcpy(d->first, where, RTE_MIN(n + 1, sizeof(d->first)));
		if (n + 1 < sizeof(d->first))
			strncat(d->first, what, sizeof(d->first) - n - 1);
		d->first[sizeof(d->first) - 1] = '\0';
		d->first_what = strlen(where) < sizeof(d->first) ? strlen(where) : sizeof(d->first) - 1;
	}
	if (d->out)
		fprintf(d->out, "%s%s\n", where, what);
}

void mbox_diag_error(struct mbox_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(d, true, file, line, fmt, ap);
	va_end(ap);
}

void mbox_diag_warning(struct mbox_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(d, false, file, line, fmt, ap);
	va_end(ap);
}
