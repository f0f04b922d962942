/* The fuzzers' oracle for integers: what a libconfig integer literal
 * denotes, read with strtoull, apart from mboxd's own reader. */
#ifndef MBOX_FUZZ_LITERAL_H
#define MBOX_FUZZ_LITERAL_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* The value of the literal at s ("12", "-0", "0x1F", "5L"), which ends at
 * a character that cannot continue it; *end is set there.  false when it
 * is none, negative or beyond 64 bits. */
static inline bool fuzz_literal_value(const char *s, uint64_t *x, const char **end)
{
	bool negative = *s == '-', hex;
	char *e;

	s += *s == '-' || *s == '+';
	hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (!(hex ? isxdigit((unsigned char)s[2]) : isdigit((unsigned char)s[0])))
		return false;
	errno = 0;
	*x = strtoull(s, &e, hex ? 16 : 10);
	if (*e == 'L')
		e += e[1] == 'L' ? 2 : 1;
	*end = e;
	return errno == 0 && !(negative && *x) && !isalnum((unsigned char)*e) && *e != '.' && *e != '_';
}

#endif
