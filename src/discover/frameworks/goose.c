/* goose (pressly/goose): <version>_name.sql with `-- +goose Up` and `-- +goose Down`
 * sections. goose splits a section into statements (at a line ending in ';', or between
 * `-- +goose StatementBegin` and `StatementEnd`) and runs them one by one in a transaction,
 * or each on its own with `-- +goose NO TRANSACTION` anywhere in the file; between
 * `-- +goose ENVSUB ON` and `OFF` it first replaces $NAME and ${NAME...} with environment
 * variables. History: goose_db_version(version_id, is_applied), the latest row of a version
 * decides. */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

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
	if (annotation(line, len, "+goose statementbegin"))
		return LAYOUT_LINE_BLOCK_BEGIN;
	if (annotation(line, len, "+goose statementend"))
		return LAYOUT_LINE_BLOCK_END;
	return LAYOUT_LINE_SQL;
}

static int name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* One ENVSUB line: each $NAME and ${NAME...} becomes `_NAME` padded with '_' to the
 * expansion's length. goose puts the variable's value there, which pgsieve does not know (and
 * must not print: such variables hold passwords); an identifier of the same length keeps the
 * statement parsable and every position of the line. \$ is goose's escape, and $NAME$ is kept
 * as a dollar-quote tag. */
static void envsub_line(char *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] == '\\' && p[i + 1] == '$') {
			i++;
			continue;
		}
		if (p[i] != '$')
			continue;
		size_t name, name_len, end;
		if (p[i + 1] == '{') {
			name = i + 2;
			size_t k = name;
			while (k < len && name_char(p[k]))
				k++;
			name_len = k - name;
			while (k < len && p[k] != '}')
				k++;
			if (!name_len || !name_start(p[name]) || k >= len)
				continue;
			end = k + 1;
		} else {
			name = i + 1;
			if (!name_start(p[name]))
				continue;
			size_t k = name;
			while (k < len && name_char(p[k]))
				k++;
			name_len = k - name;
			if (k < len && p[k] == '$') { /* $tag$ */
				i = k;
				continue;
			}
			end = k;
		}
		p[i] = '_';
		memmove(p + i + 1, p + name, name_len);
		memset(p + i + 1 + name_len, '_', end - (i + 1 + name_len));
		i = end - 1;
	}
}

static char *copy_text(const char *text, size_t len)
{
	char *c = xmalloc(len + 1);
	memcpy(c, text, len);
	c[len] = '\0';
	return c;
}

/* ENVSUB ON/OFF may stand anywhere (the state carries over from the up section to the down
 * one, as goose reads the file top to bottom); a file without ENVSUB ON is left alone. */
static void envsub(const char *text, size_t len, struct migration *m)
{
	char *copy = NULL;
	int on = 0;
	for (size_t i = 0, n; i < len;) {
		size_t eol = layout_line_end(text, len, i, &n);
		if (annotation(text + i, n, "+goose envsub on")) {
			on = 1;
		} else if (annotation(text + i, n, "+goose envsub off")) {
			on = 0;
		} else if (on && memchr(text + i, '$', n)) {
			if (!copy)
				copy = copy_text(text, len);
			envsub_line(copy + i, n);
		}
		i = eol < len ? eol + 1 : eol;
	}
	if (!copy)
		return;
	/* each part owns its text (migration_set_release frees both) */
	struct migration_part *parts[2] = { &m->up, &m->down };
	for (int d = 0; d < 2; d++)
		if (parts[d]->path)
			migration_part_text_in_place(parts[d], copy, len);
	free(copy);
}

static const struct layout_sections sections = {
	.line = line_kind,
	.tx = LINT_TX_WRAPPED,
	.no_tx = LINT_TX_NONE, /* each statement on its own: db.ExecContext per statement */
	.rewrite = envsub,
};

static const struct layout_split split = {
	.runner = "goose",
	.block_begin = "-- +goose StatementBegin",
	.block_end = "-- +goose StatementEnd",
	.unfinished = "\"unexpected unfinished SQL query ... missing semicolon?\"",
};

static int detect(const char *dir, const char **why)
{
	*why = "<version>_name.sql files with a -- +goose Up line";
	return layout_sections_any(dir, &sections, LAYOUT_LINE_UP);
}

/* A new migration: <version>_name.sql with its Up and Down sections, NO TRANSACTION at the top
 * when asked (goose's template puts it there; it applies to both sections). */
static size_t new_migration(const char *path, const char *name, const char *up, const char *down, int no_tx,
			    struct lint_new_file *out)
{
	char *file = layout_next_path(path, name, ".sql");
	if (!file)
		return 0;
	char *text = xasprintf("%s-- +goose Up\n%s\n-- +goose Down\n%s", no_tx ? "-- +goose NO TRANSACTION\n" : "", up,
			       down ? down : "");
	size_t n = 0;
	layout_new_file(out, &n, file, text);
	free(text);
	return n;
}

const struct framework_desc framework_goose = {
	.name = "goose",
	.detect_rank = 10,
	.detect = detect,
	.load = layout_sections_load,
	.sections = &sections,
	.new_migration = new_migration,
	.no_tx_first_line = "-- +goose NO TRANSACTION\n",
	.flags = FRAMEWORK_DOWNS,
	.check_part = layout_sections_check,
	.split = &split,
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
