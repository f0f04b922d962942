/* Shared by the configuration's own files (config.c, conf_*.c): the
 * schema engine's pieces that sections registered elsewhere do not need. */
#ifndef MBOX_CONF_INTERNAL_H
#define MBOX_CONF_INTERNAL_H

#include "config.h"

/* The file and line of setting s, as messages name them: libconfig dates
 * the last string of a multi-line list by the ')' after it. */
const char *mbox_parse_file(const struct mbox_parse *p, const config_setting_t *s);
int mbox_parse_line(struct mbox_parse *p, const config_setting_t *s);
/* Read setting s as a value of q into v.  Returns 0, or -1 after reporting. */
int mbox_parse_value(struct mbox_parse *p, const config_setting_t *s,
		     const struct mbox_param *q, const char *what, struct mbox_value *v);
/* libconfig's syntax error in lc, named after `file`. */
void mbox_parse_read_error(struct mbox_diag *d, const char *file, config_t *lc);

#define ERR(p, s, ...) mbox_parse_error((p), (s), __VA_ARGS__)

#endif
