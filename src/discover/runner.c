#include "discover/runner.h"

#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "sql/sql.h"

/* ---- Flyway ----
 *
 * Flyway's PostgreSQL parser (PostgreSQLParser.detectCanExecuteInTransaction) looks at the
 * first keywords of each statement: CREATE/DROP DATABASE, TABLESPACE or SUBSCRIPTION, ALTER
 * SYSTEM, CREATE [UNIQUE] INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX of a SCHEMA,
 * DATABASE or SYSTEM, VACUUM, DISCARD ALL, and ALTER TYPE ... ADD VALUE on servers before 12.
 * Anything else (REINDEX TABLE ... CONCURRENTLY, DETACH PARTITION CONCURRENTLY, CLUSTER, a DO
 * block) it takes for transactional and runs in the migration's transaction. */
static const char *flyway_nontransactional(const PgQuery__Node *n, int pg_version)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATEDB_STMT:
		return "CREATE DATABASE";
	case PG_QUERY__NODE__NODE_DROPDB_STMT:
		return "DROP DATABASE";
	case PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT:
		return "CREATE TABLESPACE";
	case PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT:
		return "DROP TABLESPACE";
	case PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT:
		return "CREATE SUBSCRIPTION";
	case PG_QUERY__NODE__NODE_DROP_SUBSCRIPTION_STMT:
		return "DROP SUBSCRIPTION";
	case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
		return "ALTER SYSTEM";
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return n->index_stmt->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return n->drop_stmt->concurrent &&
				       n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX
			       ? "DROP INDEX CONCURRENTLY"
			       : NULL;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		switch (n->reindex_stmt->kind) {
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
			return "REINDEX SCHEMA";
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM:
			return "REINDEX SYSTEM";
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE:
			return "REINDEX DATABASE";
		default:
			return NULL;
		}
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		return n->vacuum_stmt->is_vacuumcmd ? "VACUUM" : NULL;
	case PG_QUERY__NODE__NODE_DISCARD_STMT:
		return n->discard_stmt->target == PG_QUERY__DISCARD_MODE__DISCARD_ALL ? "DISCARD ALL" : NULL;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		return pg_version < 12 && *n->alter_enum_stmt->new_val && !*n->alter_enum_stmt->old_val
			       ? "ALTER TYPE ... ADD VALUE"
			       : NULL;
	default:
		return NULL;
	}
}

struct flyway_scan {
	int pg_version;
	int transactional, nontransactional;
	uint32_t mixed_at;
	const char *what;
};

static int flyway_statement(void *ud, const struct sql_stmt *st)
{
	struct flyway_scan *s = ud;
	const char *w = st->node ? flyway_nontransactional(st->node, s->pg_version) : NULL;
	if (w) {
		s->nontransactional = 1;
		if (!s->what)
			s->what = w;
	} else {
		s->transactional = 1;
	}
	if (s->transactional && s->nontransactional && s->mixed_at == UINT32_MAX)
		s->mixed_at = st->start;
	return 0;
}

enum lint_tx runner_flyway_tx(const char *text, size_t len, uint32_t offset, size_t n,
			      int pg_version, uint32_t *mixed_at, const char **what)
{
	struct flyway_scan s = { pg_version, 0, 0, UINT32_MAX, NULL };
	struct sql_callbacks cb = { &s, NULL, flyway_statement };
	sql_parse_region(text, len, offset, n, &cb);
	*mixed_at = s.mixed_at;
	*what = s.what;
	return s.nontransactional ? LINT_TX_NONE : LINT_TX_WRAPPED;
}

/* ---- Supabase CLI ----
 *
 * Since v2.109.0 (supabase/cli#5671) the CLI runs CREATE [UNIQUE] INDEX CONCURRENTLY, REINDEX
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

int runner_supabase_alone(const void *node)
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
