/* Prisma: migrations/<ts>_name/migration.sql (migration_lock.toml beside them), sent as one
 * query; no downs by design, a down.sql beside migration.sql when a team keeps one. History:
 * _prisma_migrations, keyed by the directory's name, with a SHA-256 checksum. */
#include "discover/frameworks/framework.h"

#include <stdlib.h>
#include <string.h>

#include "util/path.h"
#include "util/xalloc.h"

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

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char *sub = path_join(dir, names[i]);
		char *up = path_join(sub, "migration.sql"), *down = path_join(sub, "down.sql");
		if (layout_is_file(up)) {
			const char *us = strchr(names[i], '_');
			char *version = xstrndup(names[i], us ? (size_t)(us - names[i]) : strlen(names[i]));
			struct migration *m = migration_set_add(set, version, us ? us + 1 : names[i]);
			migration_part_set(&m->up, up, LINT_TX_IMPLICIT);
			up = NULL;
			if (layout_is_file(down)) {
				migration_part_set(&m->down, down, LINT_TX_IMPLICIT);
				down = NULL;
			}
			free(version);
		}
		free(up);
		free(down);
		free(sub);
	}
	layout_list_free(names);
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
