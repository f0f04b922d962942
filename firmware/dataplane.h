/* The control thread's handle on the data plane: start it from a validated
 * configuration, replace its graphs on reload, stop it. */
#ifndef MBOX_DATAPLANE_H
#define MBOX_DATAPLANE_H

#include "runtime.h"

/* Takes ownership of cfg.  Returns 0, or -1 after logging why. */
int mbox_dataplane_start(struct mbox_config *cfg);
/* Where the running configuration came from (mboxConfigSource). */
enum mbox_config_source {
	MBOX_SOURCE_FILE = 1,      /* the configuration file */
	MBOX_SOURCE_LAST_GOOD = 2, /* the file was invalid at start: its last good copy */
};
/* What the control plane reports about the running configuration. */
struct mbox_status {
	unsigned generation;   /* 1 at start, +1 per applied change */
	uint64_t applied_at;   /* timer cycles when it was applied */
	char hash[65];         /* SHA-256 of the running configuration's text */
	char last_error[300];  /* why the last change was rejected */
	unsigned rejections;   /* changes rejected so far */
	uint64_t change_us;    /* the last change: from building it to every worker on it */
	enum mbox_config_source source;
};
const struct mbox_status *mbox_dataplane_status(void);

/* The last good configuration: a copy, at `path`, of the configuration
 * file's text each time that text is known to run.  NULL: no copy. */
void mbox_last_good_init(const char *path);
const char *mbox_last_good_path(void);
/* cfg's text ran from its file (mboxd started with it, a reload applied
 * it, save wrote it): it becomes the last good copy, and the source the
 * file again. */
void mbox_last_good_record(const struct mbox_config *cfg);
/* mboxd starts with the last good copy because its file is invalid: d's
 * errors become last_error, and `why` goes to the log. */
void mbox_last_good_used(const struct mbox_diag *d, const char *why);

/* Re-read `file`; on any error the running graph keeps forwarding. */
int mbox_dataplane_reload(const char *file);
/* Make cfg (owned) the running configuration; `source` names the change in
 * the log.  On any error the running graph keeps forwarding. */
int mbox_dataplane_apply(struct mbox_config *cfg, const char *source);
/* Record a rejected change: d's first error becomes last_error. */
void mbox_dataplane_reject(const struct mbox_diag *d, const char *log_why);
/* Record a refused SET: d's first error without its file:line (the
 * manager wrote no file) becomes last_error; counted as a rejected change
 * like a reload's, so managers other than the one refused hear of it. */
void mbox_dataplane_refuse_set(const struct mbox_diag *d);

/* A change in steps, for SNMP SETs: prepare validates the platform and
 * builds the new graphs (taking cfg) in the reserve phase; publish makes
 * the workers switch at their next walk (action); commit waits for them and
 * frees the old generation, abort returns to it (undo/free). */
struct mbox_change;
struct mbox_change *mbox_change_prepare(struct mbox_config *cfg, struct mbox_diag *d);
void mbox_change_publish(struct mbox_change *c);
void mbox_change_commit(struct mbox_change *c);
void mbox_change_abort(struct mbox_change *c);
void mbox_dataplane_stop(void);

const struct mbox_generation *mbox_dataplane_generation(void);
const struct mbox_worker *mbox_dataplane_workers(unsigned *n);
struct rte_mempool *mbox_dataplane_pool(void);

#endif
