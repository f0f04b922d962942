/* Diagnostics for configuration errors: every message names file:line and
 * the field, and says what was expected.  All errors are reported, not only
 * the first, so an operator fixes a file in one pass.  Warnings name a
 * valid setting that is likely a mistake (a firewall left open); they do
 * not make the configuration invalid. */
#ifndef MBOX_DIAG_H
#define MBOX_DIAG_H

#include <stdio.h>

struct mbox_diag {
	FILE *out;   /* where messages go (stderr, a log, or a test buffer) */
	unsigned errors;
	unsigned warnings;
	/* The first error in full ("file:line: error: what"), and where its
	 * "what" starts: the text for a notification or a refused change's reason. */
	char first[256];
	size_t first_what;
};

void mbox_diag_error(struct mbox_diag *d, const char *file, int line,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void mbox_diag_warning(struct mbox_diag *d, const char *file, int line,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
