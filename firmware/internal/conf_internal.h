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
/* libconfig's syntax error in lc, named after `file`; text is what was read. */
void mbox_parse_read_error(struct mbox_diag *d, const char *file, const char *text, config_t *lc);

/* An integer literal as written and the exact value it denotes. */
struct mbox_int {
	bool negative;      /* below zero */
	bool huge;          /* magnitude beyond 64 bits */
	uint64_t magnitude;
	char text[40];      /* the literal, cut with "..." when longer */
};

/* Read text into lc (initialised) as libconfig would, every integer
 * setting carrying its exact value (conf_literal.c).  `file` names the
 * text in messages.  Returns 0, or -1 after reporting to d. */
int mbox_config_read(config_t *lc, const char *file, const char *text, struct mbox_diag *d);
/* The exact value of integer setting s; false if s is no integer. */
bool mbox_setting_int(const config_setting_t *s, struct mbox_int *v);
/* Parse text[0..len) as one libconfig integer literal ("-12", "0x1F",
 * "5L"); false if it is not exactly one. */
bool mbox_int_parse(const char *text, size_t len, struct mbox_int *v);
/* Whether v is within [min, max]. */
bool mbox_int_in(const struct mbox_int *v, uint64_t min, uint64_t max);

#define ERR(p, s, ...) mbox_parse_error((p), (s), __VA_ARGS__)

bool mbox_parse_digits(const char *s, char **end, unsigned long *out);

#endif
