/* ory/pop (Kratos): <ts>_name[.postgres][.autocommit].{up,down}.sql; variants of other
 * databases (.mysql., .sqlite3., .cockroach. ...) are not PostgreSQL's, a .postgres. variant
 * wins over a neutral one. A migration runs in a transaction (ory/x popx/migration_box.go:
 * tx.Exec(content)), an .autocommit. one outside it, still as one query. History:
 * schema_migration(version). */
#include "discover/frameworks/framework.h"

#include <string.h>

static int is_pop_file(const char *dir, const char *name)
{
	return layout_is_up_down_file(dir, name) &&
	       (strstr(name, ".postgres.") || strstr(name, ".autocommit.") || layout_foreign_dialect(name));
}

static int detect(const char *dir, const char **why)
{
	*why = "up/down files with a .postgres., .autocommit. or other database's variant";
	return layout_any(dir, is_pop_file);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	layout_load_up_down(dir, set, framework_pop.name, 1);
	return 0;
}

const struct framework_desc framework_pop = {
	.name = "pop",
	.detect_rank = 5,
	.detect = detect,
	.refines = "golang-migrate",
	.load = load,
	.flags = FRAMEWORK_DOWNS,
	.down_help = "add the matching .down.sql file that undoes this migration",
	.down_consequence = "pop refuses to run a directory where an up has no down (\"has no corresponding down migration\")",
	.history = {
		.table = "schema_migration",
		.columns = "version::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY 1",
	},
};
