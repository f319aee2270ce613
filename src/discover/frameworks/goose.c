/* goose (pressly/goose): <version>_name.sql with `-- +goose Up` and `-- +goose Down`
 * sections. goose splits a section into statements (at a line ending in ';', or between
 * `-- +goose StatementBegin` and `StatementEnd`) and runs them one by one in a transaction,
 * or each on its own with `-- +goose NO TRANSACTION` anywhere in the file. History:
 * goose_db_version(version_id, is_applied), the latest row of a version decides. */
#include "discover/frameworks/framework.h"

#include <string.h>
#include <strings.h>

/* An annotation is a line starting with "--" whose trimmed rest is "+goose <what>"; newer
 * releases compare without case. */
static int annotation(const char *line, size_t len, const char *what)
{
	if (len < 2 || line[0] != '-' || line[1] != '-')
		return 0;
	size_t s = 2, e = len;
	while (s < e && (line[s] == ' ' || line[s] == '\t'))
		s++;
	while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t'))
		e--;
	size_t wl = strlen(what);
	return e - s == wl && !strncasecmp(line + s, what, wl);
}

static enum layout_line line_kind(const char *line, size_t len, int *no_tx)
{
	(void)no_tx;
	if (annotation(line, len, "+goose up"))
		return LAYOUT_LINE_UP;
	if (annotation(line, len, "+goose down"))
		return LAYOUT_LINE_DOWN;
	if (annotation(line, len, "+goose no transaction"))
		return LAYOUT_LINE_NO_TX;
	return LAYOUT_LINE_SQL;
}

static const struct layout_sections sections = {
	.line = line_kind,
	.tx = LINT_TX_WRAPPED,
	.no_tx = LINT_TX_NONE, /* each statement on its own: db.ExecContext per statement */
};

static int detect(const char *dir, const char **why)
{
	*why = "<version>_name.sql files with a -- +goose Up line";
	return layout_sections_any(dir, &sections, LAYOUT_LINE_UP);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	layout_load_sections(dir, set, &sections, errors);
	return 0;
}

const struct framework_desc framework_goose = {
	.name = "goose",
	.detect_rank = 10,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_DOWNS,
	.duplicate_versions = "goose refuses to run a directory with duplicate versions (\"found duplicate "
			      "migration version\")",
	.down_help = "add a `-- +goose Down` section that undoes the `-- +goose Up` section",
	.down_consequence = "`goose down` runs nothing for this version and records it as undone while its changes stay",
	.history = {
		.table = "goose_db_version",
		/* version 0 is the row goose writes when it creates the table; the latest row of a
		 * version decides (goose status lists them ORDER BY id DESC) */
		.columns = "version_id::text, NULL, NULL, NULL, NULL, false, NOT is_applied, 0",
		.rest = " WHERE version_id <> 0 ORDER BY id DESC",
		.key = HISTORY_KEY_NUMBER,
		.rolled_back_detail = "rolled back (a row with is_applied = false, written by goose down in "
				      "releases before v3.8): goose applies it again",
	},
};
