/* golang-migrate: N_name.up.sql / N_name.down.sql, paired by the number; each file sent as
 * one query (database/postgres/postgres.go: ExecContext on the whole file). History: one row
 * of schema_migrations(version, dirty), the version last migrated to. */
#include "discover/frameworks/framework.h"

#include <stdlib.h>

#include "util/xalloc.h"

static int detect(const char *dir, const char **why)
{
	*why = "N_name.up.sql and N_name.down.sql files";
	return layout_any(dir, layout_is_up_down_file);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	/* two files of one number are found while pairing, so no duplicate_versions */
	layout_load_up_down(dir, set, framework_golang_migrate.name, 0);
	return 0;
}

/* A new migration: N_name.up.sql, and .down.sql. The file is sent as one query, so a statement
 * alone in it runs outside a transaction: no marker needed (golang-migrate has none). */
static size_t new_migration(const char *path, const char *name, const char *up, const char *down, int no_tx,
			    struct lint_new_file *out)
{
	(void)no_tx;
	char *base = layout_ends_with(path, ".up.sql") ? layout_next_path(path, name, "") : NULL;
	if (!base)
		return 0;
	size_t n = 0;
	layout_new_file(out, &n, xasprintf("%s.up.sql", base), up);
	if (down)
		layout_new_file(out, &n, xasprintf("%s.down.sql", base), down);
	free(base);
	return n;
}

const struct framework_desc framework_golang_migrate = {
	.name = "golang-migrate",
	.detect_rank = 6,
	.detect = detect,
	.load = load,
	.new_migration = new_migration,
	.flags = FRAMEWORK_DOWNS,
	.down_help = "add a .down.sql file with the same version number that undoes this migration",
	.down_consequence = "`migrate down` cannot undo this version",
	.history = {
		.table = "schema_migrations",
		.columns = "version::text, NULL, NULL, NULL, NULL, dirty, false, 0",
		.rest = "",
		.kind = HISTORY_KIND_CURRENT,
	},
};
