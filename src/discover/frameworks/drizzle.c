/* Drizzle (drizzle-kit migrations run by drizzle-orm's migrator): drizzle/NNNN_name.sql
 * listed in drizzle/meta/_journal.json, whose entries (tag, when) are the order; statements
 * are separated by `--> statement-breakpoint` and run one by one. drizzle-orm's PostgreSQL
 * migrator (pg-core/dialect.ts PgDialect.migrate) runs every pending migration in one
 * session.transaction(), each statement with tx.execute, and records (hash, created_at = the
 * entry's when) in drizzle.__drizzle_migrations; a migration is pending when its when is
 * after the created_at of the last row. So the locks an earlier pending migration takes are
 * held through the later ones (FRAMEWORK_ONE_TRANSACTION). */
#include "discover/frameworks/framework.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/xalloc.h"

static int detect(const char *dir, const char **why)
{
	*why = "a meta/_journal.json file";
	return layout_has_file(dir, "meta", "_journal.json");
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	char *journal_path = path_join(dir, "meta/_journal.json");
	json_error_t jerr;
	json_t *journal = json_load_file(journal_path, 0, &jerr);
	json_t *entries = journal ? json_object_get(journal, "entries") : NULL;
	if (!json_is_array(entries)) {
		fprintf(stderr, "pgsieve: cannot read the Drizzle journal '%s': %s\n", journal_path,
			journal ? "it has no \"entries\" list" : jerr.text);
		(*errors)++;
		json_decref(journal);
		free(journal_path);
		return 0;
	}
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e) {
		const char *tag = json_string_value(json_object_get(e, "tag"));
		json_t *when = json_object_get(e, "when");
		if (!tag || !json_is_integer(when)) {
			migration_set_problem(set, "migration-graph", journal_path, 0,
					      "regenerate the journal with drizzle-kit generate",
					      "entry %zu of the Drizzle journal has no tag or no when: drizzle-kit "
					      "migrate fails on it", i);
			continue;
		}
		char version[32];
		snprintf(version, sizeof(version), "%lld", (long long)json_integer_value(when));
		char *file = xasprintf("%s/%s.sql", dir, tag);
		if (!layout_is_file(file)) {
			migration_set_problem(set, "migration-graph", journal_path, 0,
					      "restore the file, or remove its entry from meta/_journal.json",
					      "the journal's migration '%s' has no file %s.sql: the migrator fails "
					      "when it reads the journal", tag, tag);
			free(file);
			continue;
		}
		struct migration *m = migration_set_add(set, version, tag);
		/* every pending migration runs inside the migrator's one transaction */
		migration_part_set(&m->up, file, LINT_TX_WRAPPED);
	}
	/* a .sql file the journal does not list is never run */
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t k = 0; k < n; k++) {
		if (!layout_ends_with(names[k], ".sql"))
			continue;
		int listed = 0;
		for (size_t j = 0; j < set->n && !listed; j++)
			listed = !strcmp(strrchr(set->items[j].up.path, '/') + 1, names[k]);
		if (!listed) {
			char *path = path_join(dir, names[k]);
			migration_set_problem(set, "migration-graph", path, 0,
					      "generate migrations with drizzle-kit generate, which lists them in "
					      "meta/_journal.json, or delete the file",
					      "'%s' is not in meta/_journal.json: the Drizzle migrator never runs it",
					      names[k]);
			free(path);
		}
	}
	layout_list_free(names);
	json_decref(journal);
	free(journal_path);
	return 0;
}

const struct framework_desc framework_drizzle = {
	.name = "drizzle",
	.detect_rank = 17,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_OWN_ORDER /* the journal's order */ | FRAMEWORK_ONE_TRANSACTION,
	.history = {
		.schema = "drizzle",
		.table = "__drizzle_migrations",
		/* the migrator compares each entry's when with the created_at of the last row */
		.columns = "created_at::text, NULL, hash::text, NULL, NULL, false, false, 0",
		.rest = " ORDER BY created_at",
		.kind = HISTORY_KIND_CURRENT,
	},
};
