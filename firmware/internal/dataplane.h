/* The control thread's handle on the data plane: start it from a validated
 * configuration, replace its graphs on reload, stop it. */
#ifndef MBOX_DATAPLANE_H
#define MBOX_DATAPLANE_H

#include "change.h"
#include "runtime.h"

/* Takes ownership of cfg.  Returns 0, or -1 after logging why. */
int mbox_dataplane_start(struct mbox_config *cfg);
void mbox_dataplane_stop(void);

const struct mbox_generation *mbox_dataplane_generation(void);
const struct mbox_worker *mbox_dataplane_workers(unsigned *n);
struct rte_mempool *mbox_dataplane_pool(void);

#endif
