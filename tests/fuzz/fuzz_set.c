/* libFuzzer target: SNMP SET values.  The first input byte picks a
 * parameter of an element of a configuration with every kind (or a
 * threshold); the rest is the value text a manager sent.  Runs the checks
 * of RESERVE1 (value, or one list row) and, when they pass, the edit and
 * re-validation of RESERVE2.  Oracle: an integer that went in reads back as
 * the integer its text denotes (tests/fuzz/literal.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "literal.h"
#include "sections.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE_CONFIG "tests/fuzz/set-base.cfg"

static struct mbox_config *base;
static FILE *quiet;

static void load_base(void)
{
	struct mbox_diag d = { .out = stderr };

	quiet = fopen("/dev/null", "w");
	base = mbox_config_load(BASE_CONFIG, &d);
	if (!base) {
		fprintf(stderr, "fuzz_set: %s does not load (run from the repository root)\n", BASE_CONFIG);
		exit(1);
	}
}

/* The integer value the edit set, read from the edited configuration,
 * against what its text says (when the text is one plain literal). */
static void check_read_back(const struct mbox_config *next, const struct mbox_edit *edit)
{
	const struct mbox_value *v = edit->section
		? mbox_section_value(next, mbox_section_find(edit->section), edit->param->name)
		: mbox_param(&next->elements[edit->element], edit->param->name);
	const char *text = edit->text + strspn(edit->text, " \t"), *end;
	uint64_t x;

	if (!fuzz_literal_value(text, &x, &end) || end[strspn(end, " \t")] != '\0')
		return;
	if (v->u != x) {
		fprintf(stderr, "fuzz_set: %s = \"%s\" read back as %llu\n", edit->param->name, edit->text,
			(unsigned long long)v->u);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbox_diag d = { 0 };
	struct mbox_edit edit = { 0 };
	unsigned pick, n = 0;
	char *text;

	if (!base)
		load_base();
	if (size < 1)
		return 0;
	d.out = quiet;
	pick = data[0];
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	/* Parameter number `pick` over all elements, then the thresholds. */
	edit.element = -1;
	for (unsigned e = 0; e < base->n_elements && !edit.param; e++)
		for (unsigned q = 0; base->elements[e].kind->params[q].name && !edit.param; q++)
			if (n++ == pick % 64) {
				edit.element = (int)e;
				edit.param = &base->elements[e].kind->params[q];
			}
	if (!edit.param) {
		edit.section = mbox_thresholds_section.name;
		edit.param = mbox_threshold_param((enum mbox_threshold)(pick % MBOX_THRESHOLDS));
	}
	edit.text = text;
	if (edit.param->type == MBOX_P_LIST && (pick & 0x80)) {
		edit.op = EDIT_ROW_INSERT;
		edit.row = mbox_param(&base->elements[edit.element], edit.param->name)->list.n;
		if (mbox_config_check_row(base, edit.param, "fuzz", text, &d) < 0)
			edit.param = NULL;
	} else if (mbox_config_check_value(base, edit.param, "fuzz", text, &d) < 0) {
		edit.param = NULL;
	}
	if (edit.param) {
		char *edited = mbox_config_edit(base, &edit, 1, &d);
		struct mbox_config *next = edited ? mbox_config_parse("fuzz.cfg", edited, &d) : NULL;

		if (next && edit.op == EDIT_VALUE && edit.param->type == MBOX_P_UINT)
			check_read_back(next, &edit);
		mbox_config_free(next);
		free(edited);
	}
	free(text);
	return 0;
}
