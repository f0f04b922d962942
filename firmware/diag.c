#include <stdarg.h>

#include "diag.h"

void mbox_diag_error(struct mbox_diag *d, const char *file, int line,
		     const char *fmt, ...)
{
	va_list ap;

	d->errors++;
	if (!d->out)
		return;
	if (line > 0)
		fprintf(d->out, "%s:%d: error: ", file, line);
	else
		fprintf(d->out, "%s: error: ", file);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}
