/* tern (jackc/tern): NNN_name.sql, the up part above `---- create above / drop below ----`
 * and the down part below it. A part runs in a transaction as one query; with
 * `---- tern: disable-tx ----` in it, tern splits it into statements and runs each on its own.
 * History: a table of one row, schema_version(version), the number of migrations applied. */
#include "discover/frameworks/framework.h"

#include <string.h>

static int is_line(const char *line, size_t len, const char *what)
{
	size_t n = strlen(what);
	return len == n && !memcmp(line, what, n);
}

static int contains(const char *line, size_t len, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(line + i, what, n))
			return 1;
	return 0;
}

static enum layout_line line_kind(const char *line, size_t len, int *no_tx)
{
	(void)no_tx;
	/* migrate.go splits the file at the first occurrence of the separator, anywhere in a line;
	 * teams write it alone on its line */
	if (contains(line, len, "---- create above / drop below ----"))
		return LAYOUT_LINE_DOWN;
	if (is_line(line, len, "---- tern: disable-tx ----")) /* (?m)^---- tern: disable-tx ----$ */
		return LAYOUT_LINE_NO_TX_PART;
	return LAYOUT_LINE_SQL;
}

static const struct layout_sections sections = {
	.line = line_kind,
	.tx = LINT_TX_WRAPPED,
	.no_tx = LINT_TX_NONE, /* sqlsplit.Split, each statement its own Exec */
};

static int detect(const char *dir, const char **why)
{
	*why = "NNN_name.sql files with a ---- create above / drop below ---- or ---- tern: disable-tx ---- line";
	return layout_sections_any(dir, &sections, LAYOUT_LINE_DOWN) ||
	       layout_sections_any(dir, &sections, LAYOUT_LINE_NO_TX_PART);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	layout_load_sections(dir, set, &sections, errors);
	return 0;
}

const struct framework_desc framework_tern = {
	.name = "tern",
	.detect_rank = 12,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_DOWNS,
	.duplicate_versions = "tern refuses the directory (\"Duplicate migration\")",
	.down_help = "add the statements that undo this migration below a `---- create above / drop below ----` line",
	.down_consequence = "`tern migrate` to an earlier version stops here (\"Irreversible migration\")",
	.history = {
		.schema = "public", /* tern's default version_table: public.schema_version */
		.table = "schema_version",
		/* version 0: nothing applied yet */
		.columns = "version::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " WHERE version > 0",
		.kind = HISTORY_KIND_CURRENT,
	},
};
