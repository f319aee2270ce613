/* node-pg-migrate, SQL migrations: <timestamp>_name.sql with `-- Up Migration` and
 * `-- Down Migration` comments (src/sqlMigration.ts). Each part is one pgm.sql() step; the
 * runner wraps a migration in BEGIN/COMMIT, or all of them in one transaction
 * (singleTransaction); a SQL file has no way to call pgm.noTransaction(). History:
 * pgmigrations(name, run_on), the file name without .sql. */
#include "discover/frameworks/framework.h"

#include <strings.h>

/* /^\s*--[\s-]*(up|down)\s+migration/im */
static enum layout_line line_kind(const char *line, size_t len, int *no_tx)
{
	(void)no_tx;
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < 2 || line[i] != '-' || line[i + 1] != '-')
		return LAYOUT_LINE_SQL;
	i += 2;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '-'))
		i++;
	enum layout_line kind = LAYOUT_LINE_SQL;
	if (len - i >= 2 && !strncasecmp(line + i, "up", 2))
		kind = LAYOUT_LINE_UP, i += 2;
	else if (len - i >= 4 && !strncasecmp(line + i, "down", 4))
		kind = LAYOUT_LINE_DOWN, i += 4;
	else
		return LAYOUT_LINE_SQL;
	size_t ws = i;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == ws || len - i < 9 || strncasecmp(line + i, "migration", 9))
		return LAYOUT_LINE_SQL;
	return kind;
}

static const struct layout_sections sections = {
	.line = line_kind,
	.tx = LINT_TX_WRAPPED,
	.no_tx = LINT_TX_WRAPPED,
};

static int detect(const char *dir, const char **why)
{
	*why = "<timestamp>_name.sql files with a -- Up Migration line";
	return layout_sections_any(dir, &sections, LAYOUT_LINE_UP);
}

const struct framework_desc framework_node_pg_migrate = {
	.name = "node-pg-migrate",
	.detect_rank = 13,
	.detect = detect,
	.load = layout_sections_load,
	.sections = &sections,
	.flags = FRAMEWORK_DOWNS,
	.down_help = "add a `-- Down Migration` section that undoes the `-- Up Migration` section",
	.down_consequence = "`node-pg-migrate down` fails on this migration (it cannot infer a down from SQL)",
	.history = {
		.schema = "public", /* migrationsSchema defaults to the schema option, public */
		.table = "pgmigrations",
		.columns = "name::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY run_on, id",
		.key = HISTORY_KEY_STEM,
	},
};
