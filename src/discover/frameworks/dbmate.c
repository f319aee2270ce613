/* dbmate: one file per migration with `-- migrate:up` and `-- migrate:down` sections; each
 * section runs in a transaction unless its marker line says transaction:false, and is sent as
 * one query either way. History: schema_migrations(version). */
#include "discover/frameworks/framework.h"

#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/path.h"
#include "util/xalloc.h"

/* The marker line's offset or -1; whether the rest of the line says transaction:false. */
static long marker(const char *text, size_t len, const char *what, int *no_tx, size_t *line_end)
{
	const char *rest;
	size_t rest_len;
	long at = layout_find_marker(text, len, what, line_end, &rest, &rest_len);
	*no_tx = 0;
	if (at >= 0) {
		char *r = xstrndup(rest, rest_len);
		*no_tx = strstr(r, "transaction:false") != NULL;
		free(r);
	}
	return at;
}

static int is_dbmate_file(const char *dir, const char *name)
{
	if (!layout_ends_with(name, ".sql"))
		return 0;
	char *path = path_join(dir, name);
	size_t len;
	char *text = file_read(path, &len);
	free(path);
	if (!text)
		return 0;
	int no_tx;
	size_t end;
	int r = marker(text, len, "-- migrate:up", &no_tx, &end) >= 0;
	free(text);
	return r;
}

static int detect(const char *dir, const char **why)
{
	*why = "files with a -- migrate:up line";
	return layout_any(dir, is_dbmate_file);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!layout_ends_with(names[i], ".sql"))
			continue;
		char *path = path_join(dir, names[i]);
		size_t len;
		char *text = layout_read_migration(path, &len, errors);
		if (!text) {
			free(path);
			continue;
		}
		int up_no_tx = 0, down_no_tx = 0;
		size_t up_end = 0, down_end = 0;
		long up = marker(text, len, "-- migrate:up", &up_no_tx, &up_end);
		long down = marker(text, len, "-- migrate:down", &down_no_tx, &down_end);
		char *version, *name;
		layout_version_name(names[i], &version, &name);
		struct migration *m = migration_set_add(set, version, name);
		if (up >= 0) {
			/* transaction:false: dbmate still sends the section as one query */
			migration_part_set(&m->up, xstrdup(path), up_no_tx ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED);
			layout_part_region(&m->up, up_end, down > up ? (size_t)down : len, up);
		} else { /* no marker: dbmate refuses such a file; lint it whole */
			migration_part_set(&m->up, xstrdup(path), LINT_TX_WRAPPED);
		}
		if (down >= 0) {
			migration_part_set(&m->down, xstrdup(path), down_no_tx ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED);
			layout_part_region(&m->down, down_end, up > down ? (size_t)up : len, down);
		}
		free(version);
		free(name);
		free(text);
		free(path);
	}
	layout_list_free(names);
	return 0;
}

/* A new migration: <version>_name.sql with its up and down sections, transaction:false on
 * both markers when asked. */
static size_t new_migration(const char *path, const char *name, const char *up, const char *down, int no_tx,
			    struct lint_new_file *out)
{
	char *file = layout_next_path(path, name, ".sql");
	if (!file)
		return 0;
	const char *notx = no_tx ? framework_dbmate.no_tx_marker_suffix : "";
	char *text = xasprintf("-- migrate:up%s\n%s\n-- migrate:down%s\n%s", notx, up, notx, down ? down : "");
	size_t n = 0;
	layout_new_file(out, &n, file, text);
	free(text);
	return n;
}

const struct framework_desc framework_dbmate = {
	.name = "dbmate",
	.no_tx_marker_suffix = " transaction:false",
	.detect_rank = 8,
	.detect = detect,
	.load = load,
	.new_migration = new_migration,
	.flags = FRAMEWORK_DOWNS,
	.duplicate_versions = "dbmate records applied migrations by version: deployed together, the second "
			      "fails to record itself; deployed apart, it is taken as applied and never runs",
	.down_help = "add a `-- migrate:down` section that undoes the `-- migrate:up` section",
	.down_consequence = "`dbmate rollback` cannot undo this migration",
	.history = {
		.table = "schema_migrations",
		.columns = "version::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY 1",
	},
};
