/* The libconfig configuration: parsed and fully validated without touching
 * DPDK, so `mboxd --check` and the unit tests run anywhere. */
#ifndef MBOX_CONFIG_H
#define MBOX_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "diag.h"
#include "element.h"

#define MBOX_MAX_PORTS 32
#define MBOX_MAX_ELEMENTS 256
#define MBOX_MAX_LCORES 128

struct mbox_port_cfg {
	char name[MBOX_NAME_MAX + 1];
	const char *device;   /* PCI address or vdev string */
	bool is_pci;
	unsigned rx_queues;   /* RSS queues; worker w polls queue w if w < rx_queues */
	unsigned rx_desc, tx_desc;
	unsigned mtu;         /* 0: leave the device default */
	bool promiscuous;
	int line;
};

struct mbox_dpdk_cfg {
	const char *lcores;   /* EAL -l list, e.g. "0,1" or "0-3" */
	unsigned main_lcore;
	const char *cpus;     /* NULL, or the CPU list all lcores share */
	unsigned workers;     /* lcores other than the main one */
	unsigned worker_lcores[MBOX_MAX_LCORES];
	unsigned memory_mb;
	unsigned mbufs;       /* mbufs in the packet pool */
	const char *file_prefix;
	const char **eal_args;
	unsigned n_eal_args;
};

#define MBOX_MAX_SECTIONS 16

struct mbox_section;

struct mbox_config {
	config_t lc;          /* owns every string the structures point to */
	char *text;           /* the text lc was parsed from */
	void *arena;          /* blocks from mbox_config_alloc, freed together */
	const char *file;
	struct mbox_dpdk_cfg dpdk;
	unsigned n_ports;
	struct mbox_port_cfg ports[MBOX_MAX_PORTS];
	unsigned n_elements;
	struct mbox_element elements[MBOX_MAX_ELEMENTS];
	/* Per registered section (mbox_section.index): its schema's values
	 * and what its parse hook built. */
	const struct mbox_value *section_values[MBOX_MAX_SECTIONS];
	void *section_data[MBOX_MAX_SECTIONS];
};

/* What a section's parse hook works with: the configuration being built,
 * where errors go, and the text and root setting it was parsed from. */
struct mbox_parse {
	struct mbox_config *cfg;
	struct mbox_diag *d;
	const char *text;
	const config_setting_t *root;
};

/* A top-level section of the configuration, owned by the part of mboxd
 * that uses it: the core registers dpdk, ports, elements and links; the
 * management side its own.  Registered at load time like element kinds. */
struct mbox_section {
	const char *name;
	unsigned order;  /* parse order: a section after those it reads */
	/* Parsed only if every chained section before it parsed (the graph
	 * needs the ports, the links need the elements). */
	bool chained;
	/* A group of these fields, defaults applied when the section is
	 * absent; NULL: the hook reads the setting itself. */
	const struct mbox_param *schema;
	/* Check what the schema cannot and build the section's data
	 * (mbox_section_set_data).  s is NULL when the section is absent.
	 * Returns 0, or -1 after reporting to p->d. */
	int (*parse)(struct mbox_parse *p, const config_setting_t *s, const struct mbox_value *values);
	unsigned index;  /* set at registration */
	struct mbox_section *next;
};

void mbox_section_register(struct mbox_section *section);
const struct mbox_section *mbox_section_find(const char *name);
#define MBOX_SECTION_REGISTER(section) \
	RTE_INIT(mbox_register_section_##section) { mbox_section_register(&(section)); }

/* The field `name` of a section's schema in cfg (the name must exist). */
const struct mbox_value *mbox_section_value(const struct mbox_config *cfg,
					    const struct mbox_section *section, const char *name);
/* What the section's parse hook built, NULL if nothing. */
void *mbox_section_data(const struct mbox_config *cfg, const struct mbox_section *section);
void mbox_section_set_data(struct mbox_parse *p, const struct mbox_section *section, void *data);

/* Report an error at setting s (file:line), or at a line of the file. */
void mbox_parse_error(struct mbox_parse *p, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mbox_parse_error_at(struct mbox_parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read every field of `schema` from `group` into out[], applying defaults
 * and rejecting unknown keys (keys in `extra` are the caller's).  A NULL
 * group yields the defaults.  Returns 0, or -1 after reporting. */
int mbox_parse_group(struct mbox_parse *p, const config_setting_t *group,
		     const struct mbox_param *schema, const char *const *extra,
		     const char *what, struct mbox_value *out);
/* Field `name` of values read with `schema` (the name must be declared). */
const struct mbox_value *mbox_values_get(const struct mbox_param *schema,
					 const struct mbox_value *values, const char *name);
/* Whether s is a name: letters, digits and '_', not starting with a digit. */
bool mbox_valid_identifier(const char *s);

/* One change to a configuration's text: parameter `param` of element
 * `element`, or field `param` of section `section` when that is set, to
 * `text` as a manager writes it (strings without quotes; the empty text
 * unsets an optional parameter).  A whole value, or one item (row) of a
 * MBOX_P_LIST parameter: rows count from 0; later rows shift on insert
 * and delete. */
enum mbox_edit_op { EDIT_VALUE, EDIT_ROW_SET, EDIT_ROW_INSERT, EDIT_ROW_DELETE };

struct mbox_edit {
	int element;
	const char *section; /* a group section's name instead of an element */
	const struct mbox_param *param;
	const char *text; /* EDIT_ROW_*: one item "{ ... }" (braces optional) */
	enum mbox_edit_op op;
	unsigned row;
};

/* Parse and validate `file`.  Returns a configuration, or NULL after every
 * error found was reported to d. */
struct mbox_config *mbox_config_load(const char *file, struct mbox_diag *d);
/* The same for text already in memory; `file` names it in messages. */
struct mbox_config *mbox_config_parse(const char *file, const char *text, struct mbox_diag *d);
/* Check `text` as a value of parameter q, as the configuration file would:
 * type, range and syntax (port names against cfg's ports).  Returns 0, or
 * -1 after reporting to d. */
int mbox_config_check_value(const struct mbox_config *cfg, const struct mbox_param *q,
			    const char *what, const char *text, struct mbox_diag *d);
/* Write text over file atomically (temporary file, fsync, rename, fsync of
 * the directory).  Returns 0, or -1 with why in err. */
int mbox_config_write_file(const char *file, const char *text, char *err, size_t err_size);
/* The same with cfg's text over its file. */
int mbox_config_save(const struct mbox_config *cfg, char *err, size_t err_size);
/* cfg's text with the edits applied (malloc'ed; comments are not kept), or
 * NULL after reporting to d.  The result still needs mbox_config_parse. */
char *mbox_config_edit(const struct mbox_config *cfg, const struct mbox_edit *edits,
		       unsigned n, struct mbox_diag *d);
/* A value as text, the way a manager reads it and mbox_config_edit takes
 * it: integers in decimal, strings without quotes, lists in configuration
 * syntax.  Returns buf. */
char *mbox_config_value_text(const struct mbox_config *cfg, int element,
			     const struct mbox_param *q, char *buf, size_t size);
/* The same for field q of a group section. */
char *mbox_config_section_text(const struct mbox_config *cfg, const struct mbox_section *section,
			       const struct mbox_param *q, char *buf, size_t size);
/* Item `row` of list parameter q of an element as text "{ ... }". */
char *mbox_config_row_text(const struct mbox_config *cfg, unsigned element,
			   const struct mbox_param *q, unsigned row, char *buf, size_t size);
/* Check one list item's text against q's item schema (as in a SET). */
int mbox_config_check_row(const struct mbox_config *cfg, const struct mbox_param *q,
			  const char *what, const char *text, struct mbox_diag *d);
void mbox_config_free(struct mbox_config *cfg);
/* Zeroed memory that lives as long as cfg; aborts when memory is exhausted. */
void *mbox_config_alloc(struct mbox_config *cfg, size_t size);

int mbox_config_element_index(const struct mbox_config *cfg, const char *name);
int mbox_config_port_index(const struct mbox_config *cfg, const char *name);

/* Whether b can replace a on a running mboxd: same EAL settings and ports.
 * If not, names the first difference in why. */
bool mbox_config_same_platform(const struct mbox_config *a, const struct mbox_config *b,
			       char *why, size_t why_size);

/* Print every registered element kind and its parameters. */
void mbox_kinds_print(FILE *out);

#endif
