/* `mboxd --provision BASE FRAGMENT [PASSPHRASES]`: a box's configuration
 * from the image's (BASE), what its owner provides (FRAGMENT: tools/flash
 * or a cidata seed) and the SNMPv3 users' passphrases, which are kept apart
 * from the fragment so that it can be shown and logged.  The result is
 * validated like any mbox.cfg and printed only when valid: nothing is half
 * provisioned.  Error messages never quote a passphrase. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "config.h"

struct provision {
	const char *passphrases; /* its file name, for messages */
	unsigned errors;
};

static void __attribute__((format(printf, 4, 5)))
error_at(struct provision *pv, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: error: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pv->errors++;
}

static bool read_file(struct provision *pv, config_t *lc, const char *file)
{
	FILE *f = fopen(file, "r");
	bool ok;

	config_init(lc);
	if (!f) {
		error_at(pv, file, 0, "cannot read: %s", strerror(errno));
		return false;
	}
	ok = config_read(lc, f);
	fclose(f);
	if (ok)
		return true;
	fprintf(stderr, "%s:%d: error: %s\n", config_error_file(lc) ? config_error_file(lc) : file,
		config_error_line(lc), config_error_text(lc));
	pv->errors++;
	return false;
}

/* A deep copy of src as a new member (or element, in a list or array) of parent. */
static void copy_setting(config_setting_t *parent, const config_setting_t *src)
{
	int type = config_setting_type(src);
	bool named = config_setting_type(parent) == CONFIG_TYPE_GROUP;
	config_setting_t *d = config_setting_add(parent, named ? config_setting_name(src) : NULL, type);

	switch (type) {
	case CONFIG_TYPE_INT:
		config_setting_set_int(d, config_setting_get_int(src));
		config_setting_set_format(d, config_setting_get_format(src));
		break;
	case CONFIG_TYPE_INT64:
		config_setting_set_int64(d, config_setting_get_int64(src));
		config_setting_set_format(d, config_setting_get_format(src));
		break;
	case CONFIG_TYPE_FLOAT:
		config_setting_set_float(d, config_setting_get_float(src));
		break;
	case CONFIG_TYPE_STRING:
		config_setting_set_string(d, config_setting_get_string(src));
		break;
	case CONFIG_TYPE_BOOL:
		config_setting_set_bool(d, config_setting_get_bool(src));
		break;
	default:
		for (int i = 0; i < config_setting_length(src); i++)
			copy_setting(d, config_setting_get_elem(src, (unsigned)i));
	}
}

static void replace_member(config_setting_t *group, const config_setting_t *src)
{
	if (config_setting_get_member(group, config_setting_name(src)))
		config_setting_remove(group, config_setting_name(src));
	copy_setting(group, src);
}

/* Each section of the fragment replaces the base's, except that a section
 * which is a group in both replaces member by member: `dpdk = { memory_mb
 * = 512; }` keeps the base's other dpdk fields. */
static void merge(config_t *base, const config_t *fragment)
{
	config_setting_t *root = config_root_setting(base);
	const config_setting_t *froot = config_root_setting(fragment);

	for (int i = 0; i < config_setting_length(froot); i++) {
		const config_setting_t *s = config_setting_get_elem(froot, (unsigned)i);
		config_setting_t *b = config_setting_get_member(root, config_setting_name(s));

		if (b && config_setting_is_group(b) && config_setting_is_group(s)) {
			for (int j = 0; j < config_setting_length(s); j++)
				replace_member(b, config_setting_get_elem(s, (unsigned)j));
		} else {
			replace_member(root, s);
		}
	}
}

/* The element of cfg's snmp.users named name, or NULL. */
static config_setting_t *find_user(const config_t *cfg, const char *name)
{
	config_setting_t *users = config_lookup(cfg, "snmp.users");
	const char *n;

	for (int i = 0; users && i < config_setting_length(users); i++) {
		config_setting_t *u = config_setting_get_elem(users, (unsigned)i);

		if (config_setting_lookup_string(u, "name", &n) && !strcmp(n, name))
			return u;
	}
	return NULL;
}

static void set_string(config_setting_t *group, const char *name, const char *value)
{
	if (config_setting_get_member(group, name))
		config_setting_remove(group, name);
	config_setting_set_string(config_setting_add(group, name, CONFIG_TYPE_STRING), value);
}

/* One line of the passphrase file: "NAME AUTH_PASS [PRIV_PASS]" (the privacy
 * passphrase defaults to the authentication one); blank lines and lines
 * starting with '#' are skipped. */
static void apply_passphrase_line(struct provision *pv, int line, char *text, const config_t *fragment,
				  config_t *merged, char seen[][33], unsigned *n_seen)
{
	char *save, *name = strtok_r(text, " \t\r\n", &save);
	char *auth = name ? strtok_r(NULL, " \t\r\n", &save) : NULL;
	char *priv = auth ? strtok_r(NULL, " \t\r\n", &save) : NULL;
	config_setting_t *user;

	if (!name || name[0] == '#')
		return;
	if (!auth || (priv && strtok_r(NULL, " \t\r\n", &save))) {
		error_at(pv, pv->passphrases, line,
			 "expected \"NAME AUTH_PASS [PRIV_PASS]\" (passphrases without spaces)");
		return;
	}
	if (strlen(name) > 32 || !find_user(fragment, name)) {
		error_at(pv, pv->passphrases, line, "a passphrase for user '%.32s', which the provided "
			 "configuration does not define: expected a user of its snmp.users", name);
		return;
	}
	for (unsigned i = 0; i < *n_seen; i++)
		if (!strcmp(seen[i], name)) {
			error_at(pv, pv->passphrases, line, "user '%s' has passphrases on an earlier line, "
				 "expected one line per user", name);
			return;
		}
	if (*n_seen < 64)
		snprintf(seen[(*n_seen)++], 33, "%s", name);
	user = find_user(merged, name);
	set_string(user, "auth_pass", auth);
	set_string(user, "priv_pass", priv ? priv : auth);
}

static void apply_passphrases(struct provision *pv, const config_t *fragment, config_t *merged)
{
	FILE *f = strcmp(pv->passphrases, "-") ? fopen(pv->passphrases, "r") : stdin;
	char *text = NULL, seen[64][33];
	unsigned n_seen = 0;
	size_t size = 0;
	int line = 0;

	if (!f) {
		error_at(pv, pv->passphrases, 0, "cannot read: %s", strerror(errno));
		return;
	}
	while (getline(&text, &size, f) >= 0)
		apply_passphrase_line(pv, ++line, text, fragment, merged, seen, &n_seen);
	/* The buffer held passphrases: cleared before it goes back to malloc. */
	if (text)
		memset(text, 0, size);
	free(text);
	if (f != stdin)
		fclose(f);
}

int mbox_provision(const char *base_file, const char *fragment_file, const char *passphrases)
{
	struct provision pv = { .passphrases = passphrases };
	config_t base, fragment;
	char *text = NULL, label[512];
	size_t size = 0;
	struct mbox_diag d = { .out = stderr };
	struct mbox_config *cfg;
	bool valid = false, read_ok;
	FILE *mem;

	/* Both files read, so that the errors of both are listed. */
	read_ok = read_file(&pv, &base, base_file);
	read_ok = read_file(&pv, &fragment, fragment_file) && read_ok;
	if (read_ok) {
		merge(&base, &fragment);
		if (passphrases)
			apply_passphrases(&pv, &fragment, &base);
	}
	/* Validated even after a passphrase error, so that every reason is
	 * listed at once. */
	if (read_ok && (mem = open_memstream(&text, &size))) {
		config_write(&base, mem);
		fclose(mem);
		/* Line numbers are the merged file's: the fragment's own lines
		 * moved when its sections joined the base's. */
		snprintf(label, sizeof(label), "%s (provided) over %s", fragment_file, base_file);
		cfg = mbox_config_parse(label, text, &d);
		valid = cfg != NULL && !pv.errors;
		if (valid)
			fputs(text, stdout);
		mbox_config_free(cfg);
	}
	if (text)
		memset(text, 0, size);
	free(text);
	config_destroy(&base);
	config_destroy(&fragment);
	if (valid && !fflush(stdout))
		return 0;
	fprintf(stderr, "mboxd --provision: refused, nothing provisioned (%u error(s))\n", pv.errors + d.errors);
	return 1;
}
