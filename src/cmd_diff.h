/* `pgsieve diff --from SOURCE --to SOURCE`: what differs between two schemas (src/diff/diff.h),
 * and the migration that turns one into the other (src/diff/sql_plan.h), linted with the same rules
 * as any migration; and `pgsieve lint --drift`. docs/diff.md describes the command and its
 * formats. */
#ifndef PGSIEVE_CMD_DIFF_H
#define PGSIEVE_CMD_DIFF_H

#include "lint/run.h"
#include "schema/model.h"

/* `pgsieve diff ...`; returns the exit status (0 same, or different without --exit-code; 1
 * different with --exit-code; 2 usage errors and sources that cannot be read). */
int cmd_diff(int argc, char **argv);

/* `pgsieve lint --drift`: compares the model the migrations produce (`replayed`) with the
 * database's (`live`) and records one schema-drift finding in run, at line 1 of `path` (the
 * migrations directory), listing the differences (the first few, with the count). The caller
 * chooses which migrations `replayed` holds (today: all of them). Returns the number of
 * differences. */
size_t diff_report_drift(struct lint_run *run, const char *path, const struct schema_model *replayed,
			 const struct schema_model *live);

#endif
