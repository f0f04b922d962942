#include <stdarg.h>

#include <string.h>

#include <rte_common.h>

#include "diag.h"

void mbox_diag_error(struct mbox_diag *d, const char *file, int line,
		     const char *fmt, ...)
{
	char where[300], what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(where, sizeof(where), "%s:%d: error: ", file, line);
	else
		snprintf(where, sizeof(where), "%s: error: ", file);
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
