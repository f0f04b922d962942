/* The change API: how the management side changes the running
 * configuration (reload a file, apply a new configuration, or a change in
 * steps for a transaction), what it reads about the change that runs, and
 * the ports' administrative state. */
#ifndef MBOX_CHANGE_H
#define MBOX_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* The running configuration, read-only (valid until the next change). */
const struct mbox_config *mbox_running_config(void);

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
	char removed[256];     /* the elements the last change removed, comma-separated */
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
/* Record a change refused before anything was built (a manager's request
 * that fails its checks): `reason` becomes last_error, and it counts as a
 * rejected change like a reload's, so other managers hear of it. */
void mbox_change_refused(const char *reason);

/* A change in steps, for a manager's transaction: prepare validates the platform and
 * builds the new graphs (taking cfg) in the reserve phase; publish makes
 * the workers switch at their next walk (action); commit waits for them and
 * frees the old generation, abort returns to it (undo/free). */
struct mbox_change;
struct mbox_change *mbox_change_prepare(struct mbox_config *cfg, struct mbox_diag *d);
void mbox_change_publish(struct mbox_change *c);
void mbox_change_commit(struct mbox_change *c);
void mbox_change_abort(struct mbox_change *c);

/* Administrative state of port i (ifAdminStatus): a port that is down is
 * not polled and its port_tx elements drop.  Returns 0, or -1. */
int mbox_port_set_admin(unsigned port_index, bool up);
bool mbox_port_admin_up(unsigned port_index);
/* The link state now, without waiting: the device's, or for a TAP port its
 * kernel interface's (ports.c says why); down while the port is
 * administratively down, on every kind of device. */
bool mbox_port_link_up(unsigned port_index);

#endif
