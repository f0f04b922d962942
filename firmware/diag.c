#include <stdarg.h>

#include <string.h>

#include <rte_common.h>

#include "diag.h"

/* "file:line: LEVEL: " into where, the message into what. */
static void diag_format(char *where, size_t where_size, char *what, size_t what_size, const char *level,
			const char *file, int line, const char *fmt, va_list ap)
{
	vsnprintf(what, what_size, fmt, ap);
	if (line > 0)
		snprintf(where, where_size, "%s:%d: %s: ", file, line, level);
	else
		snprintf(where, where_size, "%s: %s: ", file, level);
}

void mbox_diag_error(struct mbox_diag *d, const char *file, int line,
		     const char *fmt, ...)
{
	char where[300], what[512];
	va_list ap;

	va_start(ap, fmt);
	diag_format(where, sizeof(where), what, sizeof(what), "error", file, line, fmt, ap);
	va_end(ap);
	if (d->errors++ == 0) {
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

void mbox_diag_warning(struct mbox_diag *d, const char *file, int line,
		       const char *fmt, ...)
{
	char where[300], what[512];
	va_list ap;

	va_start(ap, fmt);
	diag_format(where, sizeof(where), what, sizeof(what), "warning", file, line, fmt, ap);
	va_end(ap);
	d->warnings++;
	if (d->out)
		fprintf(d->out, "%s%s\n", where, what);
}
