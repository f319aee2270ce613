/* Plain SQL: *.sql files in name order, each run as the file itself says (its own BEGIN and
 * COMMIT; --assume-in-transaction says a runner wraps it). Never detected: what a directory
 * is when no runner's layout matches. */
#include "discover/frameworks/framework.h"

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	layout_load_sql_files(dir, set, LINT_TX_UNKNOWN);
	return 0;
}

/* A new migration: the next numbered file (NNN_name.sql), for directories named so. */
static size_t new_migration(const char *path, const char *name, const char *up, const char *down, int no_tx,
			    struct lint_new_file *out)
{
	(void)down;
	(void)no_tx; /* run as written: nothing wraps the file */
	char *file = layout_next_path(path, name, ".sql");
	size_t n = 0;
	if (file)
		layout_new_file(out, &n, file, up);
	return n;
}

const struct framework_desc framework_sql = {
	.name = "sql",
	.load = load,
	.new_migration = new_migration,
};
