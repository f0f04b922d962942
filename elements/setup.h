/* Checks that several kinds' setup() share: parameters that depend on a
 * mode, and outputs named by a list parameter (vlan split, load_balancer). */
#ifndef MBOX_ELEMENTS_SETUP_H
#define MBOX_ELEMENTS_SETUP_H

#include <string.h>

#include "config.h"

/* Append output `name`, given by item i of list parameter `list` at `line`.
 * Links address outputs as elem[name], so names must be unique, must not
 * contain ']' or spaces, and must not be one of `reserved` (NULL-ended:
 * the outputs the kind adds itself).  Returns 0, or -1 after reporting. */
static inline int elem_output_add(struct mbox_element *e, struct mbox_diag *d, int line,
				  const char *list, unsigned i, const char *name,
				  const char *const *reserved)
{
	bool taken = false;

	for (unsigned o = 0; o < e->n_outputs; o++)
		taken |= !strcmp(e->output_names[o], name);
	for (const char *const *r = reserved; *r; r++)
		taken |= !strcmp(*r, name);
	if (taken || strpbrk(name, "] ")) {
		mbox_diag_error(d, e->file, line, "element '%s': %s[%u]: output name '%s' is %s, expected a unique name without ']' or spaces",
				e->name, list, i, name, taken ? "used twice or reserved" : "malformed");
		return -1;
	}
	e->output_names[e->n_outputs++] = name;
	return 0;
}

/* For kinds whose ENUM parameter `mode` decides which other parameters
 * mean something: report each of `unused` (NULL-ended) set in the
 * configuration, and each of `needed` missing.  Only optional parameters
 * without defaults belong in either list.  Returns 0, or -1 after reporting. */
static inline int elem_check_mode(const struct mbox_element *e, struct mbox_diag *d,
				  const char *const *unused, const char *const *needed)
{
	const struct mbox_value *mode = mbox_param(e, "mode");
	const char *mode_text = e->kind->params[mbox_kind_param_index(e->kind, "mode")].choices[mode->u];
	int rc = 0;

	for (; *unused; unused++)
		if (mbox_param(e, *unused)->present) {
			mbox_diag_error(d, e->file, mbox_param(e, *unused)->line,
					"element '%s': '%s' does not apply to mode \"%s\", expected it removed or another mode",
					e->name, *unused, mode_text);
			rc = -1;
		}
	for (; *needed; needed++)
		if (!mbox_param(e, *needed)->present) {
			mbox_diag_error(d, e->file, mode->line ? mode->line : e->line,
					"element '%s': mode \"%s\" needs '%s'", e->name, mode_text, *needed);
			rc = -1;
		}
	return rc;
}

#endif
