/* sqlx (launchbadge/sqlx): migrations/<version>_<description>.sql, or reversible
 * <version>_<description>.up.sql and .down.sql. A migration runs in a transaction with its
 * history row unless its text starts with `-- no-transaction` (sqlx-core migrate/source.rs:
 * sql.starts_with("-- no-transaction")); either way the file is sent as one query
 * (sqlx-postgres migrate.rs: execute_migration). Recognised next to a Cargo.toml that names
 * sqlx, since the file names alone are golang-migrate's or plain SQL's. History:
 * _sqlx_migrations(version, success, checksum). */
#include "discover/frameworks/framework.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/xalloc.h"

static int cargo_names_sqlx(const char *dir)
{
	char *parent = path_dirname(dir);
	char *cargo = path_join(parent, "Cargo.toml");
	size_t len;
	char *text = layout_is_file(cargo) ? file_read(cargo, &len) : NULL;
	if (!text)
		error_clear();
	int r = text && strstr(text, "sqlx") != NULL;
	free(text);
	free(cargo);
	free(parent);
	return r;
}

static int is_sqlx_file(const char *dir, const char *name)
{
	(void)dir;
	size_t v = layout_digits(name);
	return v > 0 && name[v] == '_' && layout_ends_with(name, ".sql");
}

static int detect(const char *dir, const char **why)
{
	*why = "<version>_<description>.sql files beside a Cargo.toml that depends on sqlx";
	return layout_any(dir, is_sqlx_file) && cargo_names_sqlx(dir);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		const char *f = names[i];
		/* <VERSION>_<DESCRIPTION>.sql: splitn(2, '_'), the rest ending in .sql */
		if (!is_sqlx_file(dir, f))
			continue;
		int up = layout_ends_with(f, ".up.sql"), down = layout_ends_with(f, ".down.sql");
		char *path = path_join(dir, f);
		size_t len;
		char *text = layout_read_migration(path, &len, errors);
		if (!text) {
			free(path);
			continue;
		}
		/* without its transaction sqlx still sends the file as one query */
		enum lint_tx tx = len >= 17 && !memcmp(text, "-- no-transaction", 17) ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED;
		free(text);
		size_t v = layout_digits(f);
		char *version = xstrndup(f, v);
		size_t suffix = up ? 7 : down ? 9 : 4;
		char *name = xstrndup(f + v + 1, strlen(f + v + 1) - suffix);
		struct migration *m = migration_set_find(set, version);
		if (!m)
			m = migration_set_add(set, version, name);
		migration_part_set(down ? &m->down : &m->up, path, tx);
		free(version);
		free(name);
	}
	layout_list_free(names);
	return 0;
}

/* A new migration: <version>_name.sql, or .up.sql and .down.sql beside a reversible one;
 * `-- no-transaction` as the first bytes of each when asked. */
static size_t new_migration(const char *path, const char *name, const char *up, const char *down, int no_tx,
			    struct lint_new_file *out)
{
	int reversible = layout_ends_with(path, ".up.sql");
	char *base = layout_next_path(path, name, "");
	if (!base)
		return 0;
	const char *notx = no_tx ? framework_sqlx.no_tx_first_line : "";
	char *text = xasprintf("%s%s", notx, up);
	size_t n = 0;
	layout_new_file(out, &n, xasprintf("%s%s", base, reversible ? ".up.sql" : ".sql"), text);
	free(text);
	if (reversible && down) {
		text = xasprintf("%s%s", notx, down);
		layout_new_file(out, &n, xasprintf("%s.down.sql", base), text);
		free(text);
	}
	free(base);
	return n;
}

const struct framework_desc framework_sqlx = {
	.name = "sqlx",
	.no_tx_first_line = "-- no-transaction\n",
	.detect_rank = 5,
	.detect = detect,
	.refines = "golang-migrate", /* the same file names, with a Cargo.toml that names sqlx */
	.load = load,
	.new_migration = new_migration,
	.duplicate_versions = "sqlx records migrations by version, so the second one is never run",
	.history = {
		.table = "_sqlx_migrations",
		.columns = "version::text, NULL, encode(checksum, 'hex'), NULL, NULL, NOT success, false, 0",
		.rest = " ORDER BY version",
		.key = HISTORY_KEY_NUMBER,
		.checksum = CHECKSUM_SQLX_SHA384,
		.modified_help = "put the edit in a new migration and restore this file: sqlx refuses to "
				 "migrate while an applied migration's checksum differs (\"was previously "
				 "applied but has been modified\")",
		.failed_detail = "it failed part-way (success = false): sqlx refuses to migrate until the "
				 "row is removed (a dirty migration)",
	},
};
