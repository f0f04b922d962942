/* libFuzzer target: the configuration parser and graph validation (what
 * `mboxd --check` and a reload run) on arbitrary text.  Oracle: every
 * integer an accepted configuration holds equals the integer its literal
 * denotes, read here with strtoull, apart from the parser's own reader. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "literal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '*';
}

/* Whether a "name = LITERAL" or "name: LITERAL" on `line` denotes x; true
 * too when the line has none outside strings and before a comment (the
 * value on a later line, or hidden from this simple reading). */
static bool literal_says(const char *text, int line, const char *name, uint64_t x)
{
	const char *at = text;
	size_t n = strlen(name);
	bool found = false, quoted = false;

	for (int l = 1; at && l < line; l++)
		at = (at = strchr(at, '\n')) ? at + 1 : NULL;
	for (const char *s = at; s && *s && *s != '\n'; s++) {
		const char *v = s + n, *after;
		uint64_t y;

		if (quoted) {
			s += *s == '\\' && s[1] && s[1] != '\n';
			quoted = *s != '"';
			continue;
		}
		if (*s == '"') {
			quoted = true;
			continue;
		}
		if (*s == '#' || (s[0] == '/' && (s[1] == '/' || s[1] == '*')))
			break;
		if (strncmp(s, name, n) || (s > at && name_char(s[-1])) || name_char(*v))
			continue;
		v += strspn(v, " \t");
		if (*v != '=' && *v != ':')
			continue;
		v += 1 + strspn(v + 1, " \t");
		if (!*v || *v == '\n')
			continue;
		found = true;
		if (fuzz_literal_value(v, &y, &after) && y == x)
			return true;
	}
	return !found;
}

static void check_values(const char *text, const struct mbox_param *schema, const struct mbox_value *values)
{
	for (unsigned i = 0; schema && schema[i].name; i++) {
		const struct mbox_param *q = &schema[i];
		const struct mbox_value *v = &values[i];
		unsigned nf = 0;

		if (!v->present)
			continue;
		if (q->type == MBOX_P_UINT && v->line > 0 && !literal_says(text, v->line, q->name, v->u)) {
			fprintf(stderr, "fuzz_config: line %d: %s read as %llu, not what its literal says\n", v->line,
				q->name, (unsigned long long)v->u);
			abort();
		}
		if (q->type != MBOX_P_LIST)
			continue;
		while (q->fields[nf].name)
			nf++;
		for (unsigned r = 0; r < v->list.n; r++)
			check_values(text, q->fields, &v->list.items[r * nf]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sections[] = { "dpdk", "snmp", "thresholds" };
	static FILE *quiet;
	char *text = malloc(size + 1);
	struct mbox_diag d = { 0 };
	struct mbox_config *cfg;

	if (!quiet)
		quiet = fopen("/dev/null", "w");
	d.out = quiet;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = mbox_config_parse("fuzz.cfg", text, &d);
	/* Either a configuration or at least one error, never both or neither. */
	if (!cfg == !d.errors)
		abort();
	/* The literal reader and libconfig must cut the text alike (the text
	 * itself may hold these words: a syntax error quotes its line). */
	if (!strncmp(d.first + d.first_what, "integer ", 8) && strstr(d.first, ": read differently by libconfig")) {
		fprintf(stderr, "%s\n", d.first);
		abort();
	}
	for (unsigned e = 0; cfg && e < cfg->n_elements; e++)
		check_values(text, cfg->elements[e].kind->params, cfg->elements[e].values);
	for (size_t s = 0; cfg && s < sizeof(sections) / sizeof(sections[0]); s++) {
		const struct mbox_section *sec = mbox_section_find(sections[s]);

		check_values(text, sec->schema, cfg->section_values[sec->index]);
	}
	mbox_config_free(cfg);
	free(text);
	return 0;
}
