/* sql-migrate (rubenv/sql-migrate): <version>_name.sql with `-- +migrate Up` and
 * `-- +migrate Down` sections, each marker optionally followed by `notransaction`. The
 * statements (split at a line ending in ';', or between StatementBegin and StatementEnd) run
 * one by one in a transaction, or each on its own. History: gorp_migrations(id), the file name. */
#include "discover/frameworks/framework.h"

#include <string.h>

/* "-- +migrate <Command> [options]" (sqlparse.go: the prefix and command compare exactly) */
static enum layout_line line_kind(const char *line, size_t len, int *no_tx)
{
	static const char prefix[] = "-- +migrate ";
	size_t pl = sizeof(prefix) - 1;
	if (len < pl || strncmp(line, prefix, pl))
		return LAYOUT_LINE_SQL;
	const char *p = line + pl, *end = line + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *w = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	size_t wl = (size_t)(p - w);
	enum layout_line kind = wl == 2 && !strncmp(w, "Up", 2)     ? LAYOUT_LINE_UP
			      : wl == 4 && !strncmp(w, "Down", 4) ? LAYOUT_LINE_DOWN
								  : LAYOUT_LINE_SQL;
	if (wl == 14 && !strncmp(w, "StatementBegin", 14))
		return LAYOUT_LINE_BLOCK_BEGIN;
	if (wl == 12 && !strncmp(w, "StatementEnd", 12))
		return LAYOUT_LINE_BLOCK_END;
	/* the options: whitespace-separated words, notransaction among them */
	while (kind != LAYOUT_LINE_SQL && p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *o = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if ((size_t)(p - o) == 13 && !strncmp(o, "notransaction", 13))
			*no_tx = 1;
	}
	return kind;
}

static int is_migration(const char *name)
{
	return layout_ends_with(name, ".sql"); /* every *.sql file, numbered or not */
}

static const struct layout_sections sections = {
	.line = line_kind,
	.tx = LINT_TX_WRAPPED,
	.no_tx = LINT_TX_NONE, /* dbMap.Exec per statement, outside any transaction */
	.is_migration = is_migration,
};

static const struct layout_split split = {
	.runner = "sql-migrate",
	.block_begin = "-- +migrate StatementBegin",
	.block_end = "-- +migrate StatementEnd",
	.unfinished = "\"The last statement must be ended by a semicolon or '-- +migrate StatementEnd' marker\"",
};

static int detect(const char *dir, const char **why)
{
	*why = "*.sql files with a -- +migrate Up line";
	return layout_sections_any(dir, &sections, LAYOUT_LINE_UP);
}

const struct framework_desc framework_sql_migrate = {
	.name = "sql-migrate",
	.detect_rank = 11,
	.detect = detect,
	.load = layout_sections_load,
	.sections = &sections,
	.flags = FRAMEWORK_DOWNS,
	.check_part = layout_sections_check,
	.split = &split,
	.down_help = "add a `-- +migrate Down` section that undoes the `-- +migrate Up` section",
	.down_consequence = "`sql-migrate down` runs nothing for this migration and records it as undone while its changes stay",
	.history = {
		.table = "gorp_migrations",
		.columns = "id::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY applied_at, id",
		.key = HISTORY_KEY_FILE,
	},
};
