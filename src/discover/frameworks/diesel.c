/* Diesel: migrations/<ts>_name/up.sql and down.sql. A migration runs in a transaction unless
 * its metadata.toml says run_in_transaction = false; either way the file is one query
 * (diesel_migrations: batch_execute). History: __diesel_schema_migrations(version). */
#include "discover/frameworks/framework.h"

#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/xalloc.h"

static int is_diesel_dir(const char *dir, const char *name)
{
	return layout_has_file(dir, name, "up.sql");
}

static int detect(const char *dir, const char **why)
{
	*why = "directories holding an up.sql";
	return layout_any(dir, is_diesel_dir);
}

static int owns_subdir(const char *setdir, const char *subdir)
{
	(void)setdir;
	return layout_has_file(subdir, NULL, "up.sql");
}

/* Diesel orders by the version with its dashes removed, so 2017-09-23-170700 comes after
 * 20170309000000 */
static void undash(char *version)
{
	size_t w = 0;
	for (size_t r = 0; version[r]; r++)
		if (version[r] != '-')
			version[w++] = version[r];
	version[w] = '\0';
}

/* without its transaction Diesel still sends the file as one query (batch_execute): an
 * implicit transaction when it holds several statements */
static enum lint_tx migration_tx(const char *sub)
{
	char *meta = path_join(sub, "metadata.toml");
	int no_tx = layout_file_has_setting(meta, "run_in_transaction", "false");
	free(meta);
	return no_tx ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED;
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	layout_load_dirs(dir, set, "up.sql", "down.sql", migration_tx, undash);
	return 0;
}

/* A new migration: the directory <version>_name beside this one's, with up.sql, down.sql and,
 * when asked, a metadata.toml that turns the transaction off. */
static size_t new_migration(const char *path, const char *name, const char *up, const char *down, int no_tx,
			    struct lint_new_file *out)
{
	if (!layout_ends_with(path, "/up.sql"))
		return 0;
	char *dir = xstrndup(path, strlen(path) - strlen("/up.sql"));
	char *sub = layout_next_path(dir, name, "");
	free(dir);
	if (!sub)
		return 0;
	size_t n = 0;
	layout_new_file(out, &n, path_join(sub, "up.sql"), up);
	if (down)
		layout_new_file(out, &n, path_join(sub, "down.sql"), down);
	if (no_tx)
		layout_new_file(out, &n, path_join(sub, "metadata.toml"), framework_diesel.no_tx_line);
	free(sub);
	return n;
}

const struct framework_desc framework_diesel = {
	.name = "diesel",
	.detect_rank = 4,
	.detect = detect,
	.load = load,
	.new_migration = new_migration,
	.no_tx_file = "metadata.toml",
	.no_tx_key = "run_in_transaction",
	.no_tx_line = "run_in_transaction = false\n",
	.flags = FRAMEWORK_DOWNS,
	.owns_subdir = owns_subdir,
	.duplicate_versions = "Diesel records migrations by version, so only one of them is ever run",
	.down_help = "add down.sql to the migration's directory, undoing what up.sql does",
	.down_consequence = "`diesel migration revert` and `redo` fail on this migration",
	.history = {
		.table = "__diesel_schema_migrations",
		.columns = "version::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY 1",
	},
};
