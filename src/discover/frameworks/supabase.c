/* The Supabase CLI: supabase/migrations/<ts>_name.sql. The CLI sends a file's statements and
 * its history row as one pipeline, which PostgreSQL runs as one transaction even for a single
 * statement; since v2.109.0 some statements run on their own, outside it (runs_alone).
 * History: supabase_migrations.schema_migrations(version). */
#include "discover/frameworks/framework.h"

#include <stdlib.h>
#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "util/xalloc.h"

static int detect(const char *dir, const char **why)
{
	*why = "a directory named supabase/migrations";
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	char *trimmed = xstrndup(dir, n);
	int supabase = layout_ends_with(trimmed, "supabase/migrations");
	free(trimmed);
	return supabase;
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	layout_load_sql_files(dir, set, LINT_TX_WRAPPED);
	return 0;
}

/* Since v2.109.0 (supabase/cli#5671) the CLI runs CREATE [UNIQUE] INDEX CONCURRENTLY, REINDEX
 * ... CONCURRENTLY, VACUUM, ALTER SYSTEM and CLUSTER on their own, outside the pipeline of the
 * migration file; DROP INDEX CONCURRENTLY joined the list in supabase/cli#6276. */
static int has_concurrently_option(PgQuery__Node *const *params, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (params[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
		    !strcmp(params[i]->def_elem->defname, "concurrently"))
			return 1;
	return 0;
}

static int runs_alone(const void *node)
{
	const PgQuery__Node *n = node;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return n->index_stmt->concurrent;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return n->drop_stmt->concurrent && n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		return has_concurrently_option(n->reindex_stmt->params, n->reindex_stmt->n_params);
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		return n->vacuum_stmt->is_vacuumcmd;
	case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		return 1;
	default:
		return 0;
	}
}

const struct framework_desc framework_supabase = {
	.name = "supabase",
	.detect_rank = 9,
	.detect = detect,
	.load = load,
	.duplicate_versions = "the CLI records migrations by version, so the second one fails or is skipped",
	.runs_alone = runs_alone,
	.history = {
		.schema = "supabase_migrations",
		.table = "schema_migrations",
		.columns = "version::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY 1",
	},
};
