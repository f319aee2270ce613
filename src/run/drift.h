/* Drift, for `pgsieve lint --drift`: the schema the migrations produce against the database's
 * (or the schema file's), compared with src/diff/diff.h and reported as one schema-drift finding. */
#ifndef PGSIEVE_RUN_DRIFT_H
#define PGSIEVE_RUN_DRIFT_H

#include "discover/lint_plan.h"
#include "lint/run.h"
#include "schema/model.h"

/* `pgsieve lint --drift`: compares the model the migrations produce (`replayed`) with the
 * database's (`live`) and records one schema-drift finding in run, at line 1 of `path` (the
 * migrations directory), listing the differences (the first few, with the count). The caller
 * chooses which migrations `replayed` holds (today: all of them). Returns the number of
 * differences. */
size_t diff_report_drift(struct lint_run *run, const char *path, const struct schema_model *replayed,
			 const struct schema_model *live);

/* The whole of `lint --drift`: replays the migrations onto an empty model (those the database's
 * history table records as applied, skip[i] set, when run->history_checked; else every migration
 * of paths, in framework's order), leaves the frameworks' own history tables out of run->model's
 * copy and reports the differences with diff_report_drift() at paths[0]. Returns 0, or -1 when
 * the migrations could not be read (printed on stderr). */
int drift_check(struct lint_run *run, const struct plan *plan, const char *skip, char *const *paths,
		size_t npaths, int framework);

#endif
