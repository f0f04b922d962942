/* Naming the outputs of kinds whose outputs come from a list parameter
 * (vlan split, load_balancer), checked in setup() like any other field. */
#ifndef MBOX_ELEMENTS_OUTPUTS_H
#define MBOX_ELEMENTS_OUTPUTS_H

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

#endif
