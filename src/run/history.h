/* Which migrations of a directory a live database has applied, as the framework's history table
 * records it (catalog/history.h): `pgsieve status` prints it, `pgsieve lint --db` skips them. */
#ifndef PGSIEVE_RUN_HISTORY_H
#define PGSIEVE_RUN_HISTORY_H

#include <stddef.h>

#include "catalog/history.h"
#include "discover/lint_plan.h"
#include "lint/run.h"

/* One migration set's history, read and compared with the files. */
struct status_set {
	const struct migration_set *set;
	struct history history;
	struct history_status st;
};

/* Reads the history of set from db (table: --history-table or NULL) and compares it; prints the
 * error and returns -1 on failure. status_set_release() is needed either way. */
int status_set_read(const struct migration_set *set, const char *db, const char *table, struct status_set *ss);
void status_set_release(struct status_set *ss);

/* For `lint --db`: reads the history table of each framework set in the plan. The parts of
 * migrations the database has applied (or applied and since modified) get skip[i] = 1: the live
 * model holds their effect already. A modified one is reported as modified-applied-migration
 * when its file is being reported. table: --history-table or NULL. Sets whose history table
 * does not exist are left alone; run->history_checked is set when one exists. Returns the number of migrations skipped, or -1 after printing
 * the error. */
long status_lint_skips(const struct plan *plan, const char *db, const char *table, struct lint_run *run,
		       char *skip);

#endif
