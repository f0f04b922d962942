/* The schema engine: a libconfig setting read as a value of a parameter
 * (struct mbox_param), groups of fields with defaults, and error locations.
 * Element kinds, the core's sections and the management side's all use it. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_internal.h"
#include "param.h"

static const char *line_start(const char *text, int line)
{
	for (int l = 1; text && l < line; l++) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	return text;
}

static bool line_holds(const char *text, int line, const char *quoted)
{
	const char *at = line_start(text, line), *end;

	if (!at || line < 1)
		return false;
	end = strchr(at, '\n');
	at = strstr(at, quoted);
	return at && (!end || at < end);
}

/* libconfig dates a scalar inside a list by the token after it, so the last
 * item of a multi-line list is placed on the line of the closing ')'.  Find
 * the string on the reported line or the one before. */
static int string_item_line(struct mbox_parse *p, const config_setting_t *s)
{
	int line = config_setting_source_line(s);
	char quoted[512];

	snprintf(quoted, sizeof(quoted), "\"%s\"", config_setting_get_string(s));
	if (!line_holds(p->text, line, quoted) && line_holds(p->text, line - 1, quoted))
		return line - 1;
	return line;
}

const char *mbox_parse_file(const struct mbox_parse *p, const config_setting_t *s)
{
	const char *f = s ? config_setting_source_file(s) : NULL;

	return f ? f : p->cfg->file;
}

int mbox_parse_line(struct mbox_parse *p, const config_setting_t *s)
{
	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING && !config_setting_name(s))
		return string_item_line(p, s);
	return config_setting_source_line(s);
}

void mbox_parse_error(struct mbox_parse *p, const config_setting_t *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mbox_diag_error(p->d, mbox_parse_file(p, s), mbox_parse_line(p, s), "%s", msg);
}

void mbox_parse_error_at(struct mbox_parse *p, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mbox_diag_error(p->d, p->cfg->file, line, "%s", msg);
}

/* libconfig says "syntax error", "duplicate setting name" ...: its words
 * once, with the line they are about so that it can be found. */
void mbox_parse_read_error(struct mbox_diag *d, const char *file, const char *text, config_t *lc)
{
	int line = config_error_line(lc);
	const char *at = line > 0 ? line_start(text, line) : NULL;
	size_t n = at ? strcspn(at, "\n") : 0;

	while (at && n && isspace((unsigned char)*at))
		at++, n--;
	while (n && isspace((unsigned char)at[n - 1]))
		n--;
	if (n)
		mbox_diag_error(d, file, line, "%s in: %.*s%s", config_error_text(lc), (int)(n > 80 ? 80 : n), at,
				n > 80 ? "..." : "");
	else
		mbox_diag_error(d, file, line, "%s", config_error_text(lc));
}
/* The decimal number at the start of s, in digits only (strtoul alone also
 * takes " 1", "+1" and "-18446744073709551615", as 1); *end after it. */
bool mbox_parse_digits(const char *s, char **end, unsigned long *out)
{
	errno = 0;
	*out = strtoul(s, end, 10);
	return isdigit((unsigned char)*s) && !errno;
}

bool mbox_valid_identifier(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MBOX_NAME_MAX || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}
static bool key_known(const char *key, const struct mbox_param *schema,
		      const char *const *extra)
{
	for (const struct mbox_param *q = schema; q->name; q++)
		if (!strcmp(q->name, key))
			return true;
	for (; extra && *extra; extra++)
		if (!strcmp(*extra, key))
			return true;
	return false;
}

static void list_keys(char *buf, size_t size, const struct mbox_param *schema,
		      const char *const *extra)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; extra && *extra; extra++)
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? ", " : "", *extra);
	for (const struct mbox_param *q = schema; q->name; q++)
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s", len ? ", " : "", q->name);
}

int mbox_parse_value(struct mbox_parse *p, const config_setting_t *s,
		     const struct mbox_param *q, const char *what, struct mbox_value *v)
{
	char msg[256];
	int type = config_setting_type(s);

	v->line = config_setting_source_line(s);
	switch (q->type) {
	case MBOX_P_UINT:
	{
		struct mbox_int x;

		if (!mbox_setting_int(s, &x)) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		/* The literal's own value: libconfig's may have lost bits. */
		if (!mbox_int_in(&x, q->min, q->max)) {
			ERR(p, s, "%s: field '%s': %s is out of range, expected %s",
			    what, q->name, x.text, mbox_ptype_text(q));
			return -1;
		}
		v->u = x.magnitude;
		break;
	}
	case MBOX_P_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		v->b = config_setting_get_bool(s);
		break;
	case MBOX_P_STRING:
	case MBOX_P_MAC:
	case MBOX_P_PORT:
	case MBOX_P_IPV4:
	case MBOX_P_PREFIX:
	case MBOX_P_RANGE:
	case MBOX_P_ENUM:
		if (type != CONFIG_TYPE_STRING) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		if (q->type == MBOX_P_PORT) {
			const char *name = config_setting_get_string(s);
			int idx = mbox_config_port_index(p->cfg, name);

			if (idx < 0) {
				ERR(p, s, "%s: field '%s': unknown port '%s', expected the name of a port in 'ports'",
				    what, q->name, name);
				return -1;
			}
			v->port = (unsigned)idx;
			break;
		}
		if (mbox_value_from_text(q, config_setting_get_string(s), v, msg, sizeof(msg)) < 0) {
			ERR(p, s, "%s: field '%s': %s", what, q->name, msg);
			return -1;
		}
		if (q->type == MBOX_P_ENUM && q->warnings && q->warnings[v->u])
			mbox_diag_warning(p->d, mbox_parse_file(p, s), mbox_parse_line(p, s),
					  "%s: field '%s' = \"%s\": %s", what, q->name, q->choices[v->u],
					  q->warnings[v->u]);
		break;
	case MBOX_P_STRLIST:
	case MBOX_P_LIST: {
		unsigned n = (unsigned)config_setting_length(s);
		bool strings = q->type == MBOX_P_STRLIST;
		unsigned nf = strings ? 1 : mbox_params_count(q->fields);
		int bad = 0;

		if (type != CONFIG_TYPE_LIST && !(strings && type == CONFIG_TYPE_ARRAY)) {
			ERR(p, s, "%s: field '%s': expected %s", what, q->name, mbox_ptype_text(q));
			return -1;
		}
		if (q->max && (n < q->min || n > q->max)) {
			ERR(p, s, "%s: field '%s': %u items, expected %" PRIu64 " to %" PRIu64,
			    what, q->name, n, q->min, q->max);
			return -1;
		}
		v->list.n = n;
		v->list.items = mbox_config_alloc(p->cfg, (n ? n : 1) * nf * sizeof(*v->list.items));
		for (unsigned i = 0; i < n; i++) {
			const config_setting_t *item = config_setting_get_elem(s, i);
			char item_what[128];

			snprintf(item_what, sizeof(item_what), "%s: %s[%u]", what, q->name, i);
			if (strings) {
				if (config_setting_type(item) != CONFIG_TYPE_STRING) {
					ERR(p, item, "%s: expected a string", item_what);
					bad = -1;
					continue;
				}
				v->list.items[i].present = true;
				v->list.items[i].line = mbox_parse_line(p, item);
				v->list.items[i].s = config_setting_get_string(item);
			} else if (config_setting_type(item) != CONFIG_TYPE_GROUP) {
				ERR(p, item, "%s: expected a group { ... }", item_what);
				bad = -1;
			} else if (mbox_parse_group(p, item, q->fields, NULL, item_what,
					       &v->list.items[i * nf]) < 0) {
				bad = -1;
			}
		}
		if (bad)
			return -1;
		break;
	}
	}
	v->present = true;
	return 0;
}

int mbox_parse_group(struct mbox_parse *p, const config_setting_t *group,
		     const struct mbox_param *schema, const char *const *extra,
		     const char *what, struct mbox_value *out)
{
	int rc = 0;
	char keys[512], msg[256];

	for (int i = 0; group && i < config_setting_length(group); i++) {
		const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
		const char *key = config_setting_name(m);

		if (!key_known(key, schema, extra)) {
			list_keys(keys, sizeof(keys), schema, extra);
			ERR(p, m, "%s: unknown field '%s', expected one of: %s", what, key, keys);
			rc = -1;
		}
	}
	for (unsigned i = 0; schema[i].name; i++) {
		const struct mbox_param *q = &schema[i];
		const config_setting_t *m = group ? config_setting_get_member(group, q->name) : NULL;

		memset(&out[i], 0, sizeof(out[i]));
		if (m) {
			if (mbox_parse_value(p, m, q, what, &out[i]) < 0)
				rc = -1;
		} else if (q->def) {
			if (mbox_value_from_text(q, q->def, &out[i], msg, sizeof(msg)) < 0) {
				ERR(p, group, "%s: default of '%s': %s", what, q->name, msg);
				rc = -1;
			}
		} else if (!q->optional) {
			ERR(p, group, "%s: missing field '%s' (%s)", what, q->name, mbox_ptype_text(q));
			rc = -1;
		}
	}
	return rc;
}
