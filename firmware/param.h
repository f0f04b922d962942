/* Parameter values: text conversion and descriptions shared by the
 * configuration parser, --list-elements and the edit engine. */
#ifndef MBOX_PARAM_H
#define MBOX_PARAM_H

#include <stddef.h>

#include "element.h"

/* What a parameter expects, in words: "an integer from 0 to 65535". */
const char *mbox_ptype_text(const struct mbox_param *q);
/* Parse `text` as a value of q; on error fill msg and return -1. */
int mbox_value_from_text(const struct mbox_param *q, const char *text,
			 struct mbox_value *v, char *msg, size_t msg_size);
unsigned mbox_params_count(const struct mbox_param *params);
/* "192.0.2.0/24", or "192.0.2.1" when len is 32; addr in host order. */
void mbox_prefix_text(uint32_t addr, unsigned len, char *buf, size_t size);

#endif
