/* Problems of a migration set as a whole, which the runner refuses or silently mishandles:
 * two migrations with one version, an Alembic revision graph with several unmerged heads, a
 * down_revision or depends_on naming no revision, a cycle, a Sqitch plan entry without a
 * deploy script and a deploy script the plan does not name.
 *
 * Found while the set is read (discover/migrations.c, discover/alembic.c) and reported after
 * linting with lint_run_report_file(), at the line that says it: the second file's first
 * line, the `revision =` or `down_revision =` line, the plan's line. No statement visitor. */
#include "lint/rule.h"

const struct rule rule_migration_graph = {
	.id = "migration-graph",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "duplicate versions, unmerged or missing revisions, cycles, a plan out of step with its scripts",
};
