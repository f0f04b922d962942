/* Integer literals read exactly.  libconfig 1.5 (Debian 12) keeps a plain
 * integer in 32 bits and a hex one in 32 bits too: `4294967297` reads as 1,
 * `0x100000000` as 0, and longer ones saturate, so the value it stores
 * cannot be range-checked.  Every text mboxd parses (the file, a manager's
 * SET value, the text an edit starts from) goes through mbox_config_read:
 * it scans the text with libconfig's own token rules, gives libconfig the
 * 64-bit form ("L") of literals that do not fit 32 bits, and hangs on each
 * integer setting the value its literal denotes, however large.  The schema
 * engine range-checks that value (mbox_setting_int), never a narrowed one. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"

struct literal {
	size_t at, len;
	int line;
	struct mbox_int value;
};

struct scan {
	const char *text;
	struct literal *lits;
	size_t n, cap;
	int include_line; /* an @include, 0 if none */
};

bool mbox_int_parse(const char *s, size_t len, struct mbox_int *v)
{
	size_t i = 0, digits;
	unsigned base = 10;

	memset(v, 0, sizeof(*v));
	snprintf(v->text, sizeof(v->text), len < sizeof(v->text) ? "%.*s" : "%.*s...",
		 (int)(len < sizeof(v->text) ? len : sizeof(v->text) - 4), s);
	if (len > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		v->negative = s[0] == '-';
		i = 1;
	}
	for (digits = 0; i < len && (base == 16 ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]));
	     i++, digits++) {
		unsigned d = isdigit((unsigned char)s[i]) ? (unsigned)(s[i] - '0')
							  : (unsigned)(tolower((unsigned char)s[i]) - 'a' + 10);

		if (v->magnitude > (UINT64_MAX - d) / base)
			v->huge = true;
		v->magnitude = v->magnitude * base + d;
	}
	if (i < len && s[i] == 'L')
		i += i + 1 < len && s[i + 1] == 'L' ? 2 : 1;
	v->negative = v->negative && (v->magnitude || v->huge);
	return digits > 0 && i == len;
}

bool mbox_int_in(const struct mbox_int *v, uint64_t min, uint64_t max)
{
	return !v->negative && !v->huge && v->magnitude >= min && v->magnitude <= max;
}

/* Whether v fits a long long, and then its value. */
static bool int_fits64(const struct mbox_int *v, long long *x)
{
	if (v->huge || v->magnitude > (v->negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return false;
	*x = v->negative ? (long long)(0 - v->magnitude) : (long long)v->magnitude;
	return true;
}

/* Lengths of libconfig 1.5's tokens at s (scanner.l): the longest wins. */
static size_t span(const char *s, const char *set)
{
	return strspn(s, set);
}

#define DIGITS "0123456789"

static size_t exponent_len(const char *s)
{
	size_t i = 1, d;

	if (*s != 'e' && *s != 'E')
		return 0;
	i += span(s + i, "+-") ? 1 : 0;
	d = span(s + i, DIGITS);
	return d ? i + d : 0;
}

static size_t float_len(const char *s)
{
	size_t sign = (*s == '-' || *s == '+'), i = sign + span(s + sign, DIGITS), best = 0;

	if (s[i] == '.') { /* [-+]?[0-9]*\.[0-9]*([eE][-+]?[0-9]+)? */
		size_t j = i + 1 + span(s + i + 1, DIGITS);

		best = j + exponent_len(s + j);
	} else if (i > sign && exponent_len(s + i)) { /* [-+]?[0-9]+[eE][-+]?[0-9]+ */
		best = i + exponent_len(s + i);
	}
	return best;
}

static size_t int_len(const char *s)
{
	size_t i, sign = (*s == '-' || *s == '+');

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2]))
		i = 2 + span(s + 2, "0123456789abcdefABCDEF");
	else if ((i = span(s + sign, DIGITS)) == 0)
		return 0;
	else
		i += sign;
	if (s[i] == 'L')
		i += s[i + 1] == 'L' ? 2 : 1;
	return i;
}

static bool name_start(char c)
{
	return isalpha((unsigned char)c) || c == '*';
}

static int add_literal(struct scan *sc, size_t at, size_t len, int line)
{
	struct literal *l;

	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? 2 * sc->cap : 16;
		struct literal *more = realloc(sc->lits, cap * sizeof(*more));

		if (!more)
			return -1;
		sc->lits = more;
		sc->cap = cap;
	}
	l = &sc->lits[sc->n++];
	l->at = at;
	l->len = len;
	l->line = line;
	mbox_int_parse(sc->text + at, len, &l->value);
	return 0;
}

/* Where a comment or string that starts at s ends. */
static const char *skip_quoted(const char *s, int *line)
{
	const char *end;

	if (s[0] == '/' && s[1] == '*') {
		end = strstr(s + 2, "*/");
		end = end ? end + 2 : s + strlen(s);
	} else if (*s == '#' || (s[0] == '/' && s[1] == '/')) {
		end = s + strcspn(s, "\n");
	} else {
		for (end = s + 1; *end && *end != '"'; end++)
			if (*end == '\\' && end[1])
				end++;
		end += *end == '"';
	}
	for (const char *c = s; c < end; c++)
		*line += *c == '\n';
	return end;
}

/* Collect the integer literals of the text in order, as libconfig's
 * scanner would cut it.  Returns -1 when memory runs out. */
static int scan_literals(struct scan *sc)
{
	const char *s = sc->text;
	int line = 1;
	bool line_start = true;

	while (*s) {
		size_t n;

		if (*s == '\n') {
			line++, s++, line_start = true;
			continue;
		}
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f') {
			s++;
			continue;
		}
		if (line_start && !strncmp(s, "@include", 8) && (s[8] == ' ' || s[8] == '\t') && !sc->include_line)
			sc->include_line = line;
		line_start = false;
		if (*s == '"' || *s == '#' || (s[0] == '/' && (s[1] == '*' || s[1] == '/'))) {
			s = skip_quoted(s, &line);
		} else if (name_start(*s)) {
			s += 1 + span(s + 1, "-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_*");
		} else if ((n = int_len(s)) > 0 && n > float_len(s)) {
			if (add_literal(sc, (size_t)(s - sc->text), n, line) < 0)
				return -1;
			s += n;
		} else {
			n = float_len(s);
			s += n ? n : 1;
		}
	}
	return 0;
}

/* The text libconfig reads: the literals that do not fit 32 bits get "L",
 * so that libconfig keeps (and writes back) their 64-bit value. */
static char *widened(const struct scan *sc)
{
	size_t len = strlen(sc->text);
	char *out = malloc(len + sc->n + 1), *o = out;
	size_t from = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < sc->n; i++) {
		const struct literal *l = &sc->lits[i];
		long long x;

		if (sc->text[l->at + l->len - 1] == 'L' || (int_fits64(&l->value, &x) && x >= INT32_MIN && x <= INT32_MAX))
			continue;
		memcpy(o, sc->text + from, l->at + l->len - from);
		o += l->at + l->len - from;
		*o++ = 'L';
		from = l->at + l->len;
	}
	memcpy(o, sc->text + from, len - from + 1);
	return out;
}

/* Hang the exact values on the integer settings, in document order. */
static int attach(config_setting_t *s, const struct scan *sc, size_t *next, const struct literal **bad)
{
	int type = config_setting_type(s);

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		const struct literal *l = *next < sc->n ? &sc->lits[(*next)++] : NULL;
		struct mbox_int *v;
		long long x;

		/* A literal that fits is stored as is: anything else means the
		 * scan above and libconfig cut the text differently. */
		if (!l || (int_fits64(&l->value, &x) && x != config_setting_get_int64(s))) {
			*bad = l ? l : &sc->lits[sc->n ? sc->n - 1 : 0];
			return -1;
		}
		if (!(v = malloc(sizeof(*v))))
			return -1;
		*v = l->value;
		config_setting_set_hook(s, v);
		return 0;
	}
	for (int i = 0; config_setting_is_aggregate(s) && i < config_setting_length(s); i++)
		if (attach(config_setting_get_elem(s, (unsigned)i), sc, next, bad) < 0)
			return -1;
	return 0;
}

int mbox_config_read(config_t *lc, const char *file, const char *text, struct mbox_diag *d)
{
	struct scan sc = { .text = text };
	const struct literal *bad = NULL;
	char *wide = NULL;
	size_t next = 0;
	int rc = -1;

	config_set_destructor(lc, free);
	if (scan_literals(&sc) < 0 || !(wide = widened(&sc))) {
		mbox_diag_error(d, file, 0, "out of memory");
	} else if (sc.include_line) {
		mbox_diag_error(d, file, sc.include_line,
				"@include is not supported, expected the whole configuration in one file");
	} else if (!config_read_string(lc, wide)) {
		mbox_parse_read_error(d, file, text, lc);
	} else if (attach(config_root_setting(lc), &sc, &next, &bad) < 0 || next != sc.n) {
		if (!bad && next != sc.n)
			bad = &sc.lits[next];
		if (bad)
			mbox_diag_error(d, file, bad->line, "integer %s: read differently by libconfig (a bug in mboxd)",
					bad->value.text);
		else
			mbox_diag_error(d, file, 0, "out of memory");
	} else {
		rc = 0;
	}
	free(wide);
	free(sc.lits);
	return rc;
}

bool mbox_setting_int(const config_setting_t *s, struct mbox_int *v)
{
	const struct mbox_int *exact = config_setting_get_hook(s);
	long long x;

	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return false;
	if (exact) {
		*v = *exact;
		return true;
	}
	/* A setting made in memory, not read from text: libconfig's value. */
	x = config_setting_get_int64(s);
	memset(v, 0, sizeof(*v));
	v->negative = x < 0;
	v->magnitude = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
	snprintf(v->text, sizeof(v->text), "%lld", x);
	return true;
}
