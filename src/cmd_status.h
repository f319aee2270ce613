/* `pgsieve status` and what `pgsieve lint --db` takes from it: which migrations of a directory a
 * live database has applied, as the framework's history table records it (catalog/history.h). */
#ifndef PGSIEVE_CMD_STATUS_H
#define PGSIEVE_CMD_STATUS_H

#include <stddef.h>

#include "discover/lint_plan.h"
#include "lint/run.h"

/* `pgsieve status ...`; returns the exit status. */
int cmd_status(int argc, char **argv);

/* For `lint --db`: reads the history table of each framework set in the plan. The parts of
 * migrations the database has applied (or applied and since modified) get skip[i] = 1: the live
 * model holds their effect already. A modified one is reported as modified-applied-migration
 * when its file is being reported. table: --history-table or NULL. Sets whose history table
 * does not exist are left alone; run->history_checked is set when one exists. Returns the number of migrations skipped, or -1 after printing
 * the error. */
long status_lint_skips(const struct plan *plan, const char *db, const char *table, struct lint_run *run,
		       char *skip);

#endif
