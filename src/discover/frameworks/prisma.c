/* Prisma: migrations/<ts>_name/migration.sql (migration_lock.toml beside them), sent as one
 * query; no downs by design, a down.sql beside migration.sql when a team keeps one. History:
 * _prisma_migrations, keyed by the directory's name, with a SHA-256 checksum. */
#include "discover/frameworks/framework.h"

#include <stdlib.h>


static int is_prisma_dir(const char *dir, const char *name)
{
	return layout_has_file(dir, name, "migration.sql");
}

static int detect(const char *dir, const char **why)
{
	*why = "a migration_lock.toml, or directories holding a migration.sql";
	return layout_exists_in(dir, "migration_lock.toml") || layout_any(dir, is_prisma_dir);
}

static int owns_subdir(const char *setdir, const char *subdir)
{
	(void)setdir;
	return layout_has_file(subdir, NULL, "migration.sql");
}

static enum lint_tx migration_tx(const char *sub)
{
	(void)sub;
	return LINT_TX_IMPLICIT;
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	layout_load_dirs(dir, set, "migration.sql", "down.sql", migration_tx, NULL);
	return 0;
}

const struct framework_desc framework_prisma = {
	.name = "prisma",
	.detect_rank = 3,
	.detect = detect,
	.load = load,
	.owns_subdir = owns_subdir,
	.down_help = "add down.sql beside migration.sql (require-down is set in the configuration)",
	.down_consequence = "this migration cannot be rolled back with the team's down scripts",
	.history = {
		.table = "_prisma_migrations",
		.columns = "migration_name::text, NULL, checksum::text, NULL, NULL,"
			   " finished_at IS NULL AND rolled_back_at IS NULL, rolled_back_at IS NOT NULL, 0",
		.rest = " ORDER BY started_at, id",
		.key = HISTORY_KEY_DIRECTORY,
		.checksum = CHECKSUM_PRISMA_SHA256,
		.repeats = HISTORY_REPEATS_ATTEMPTS,
		.failed_detail = "started but never finished: Prisma refuses to migrate until it is "
				 "resolved (prisma migrate resolve)",
		.rolled_back_detail = "rolled back (prisma migrate resolve --rolled-back): Prisma applies it again",
		.modified_help = "put the edit in a new migration (prisma migrate dev --create-only) "
				 "and restore this file; prisma migrate dev would otherwise ask "
				 "to reset the development database",
	},
};
