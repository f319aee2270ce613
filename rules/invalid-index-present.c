/* invalid-index-present: with a live database (--db), an INVALID index on a table the migration
 * touches, or a CREATE INDEX IF NOT EXISTS whose name is an INVALID index. A CREATE INDEX
 * CONCURRENTLY that failed (a duplicate key for a unique index, a deadlock, a cancelled
 * statement) leaves its index behind, marked invalid: queries never use it, every write still
 * maintains it, and CREATE INDEX IF NOT EXISTS with its name does nothing, so a migration that is
 * re-run after the failure "succeeds" without the index it was written for.
 *
 * Validity is a fact of the database (pg_index.indisvalid): a schema file has none, so with
 * --schema every index is valid and the rule says nothing. Each invalid index is reported once
 * per migration, at the first statement on its table; a DROP INDEX or REINDEX of the index itself
 * is the fix and is not reported. */
#include <string.h>

#include "effects/notx.h"
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_INDEX_STMT,
	PG_QUERY__NODE__NODE_DROP_STMT,
	PG_QUERY__NODE__NODE_REINDEX_STMT,
	LINT_KINDS_END,
};

const struct rule rule_invalid_index_present = {
	.id = "invalid-index-present",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "an INVALID index left by a failed CREATE INDEX CONCURRENTLY on a table the migration touches (schema-aware)",
	.kinds = kinds,
	.visit = visit,
};

/* The model's invalid indexes, listed once per migration (only a database source has any, and
 * migrations never add one, so the list only gets shorter). */
struct invalid {
	const char *key, *name, *table_key;
	int reported;
	struct invalid *next;
};

struct state {
	struct invalid *list;
};

static struct state *get_state(struct lint_ctx *ctx)
{
	int fresh;
	struct state *st = lint_rule_memory(ctx, &rule_invalid_index_present, sizeof(*st), &fresh);
	if (fresh) {
		const struct schema_model *m = lint_model(ctx);
		size_t it = 0;
		const char *key;
		void *v;
		while (strmap_next(&m->indexes, &it, &key, &v)) {
			const struct schema_index *ix = v;
			if (ix->valid)
				continue;
			struct invalid *e = lint_alloc(ctx, sizeof(*e));
			e->key = lint_printf(ctx, "%s", key);
			e->name = lint_printf(ctx, "%s", ix->name);
			e->table_key = lint_printf(ctx, "%s", ix->table_key);
			e->next = st->list;
			st->list = e;
		}
	}
	return st;
}

static const char *help_for(struct lint_ctx *ctx, const struct invalid *e)
{
	return lint_printf(ctx,
			   "drop it and build it again, each outside a transaction block: DROP INDEX CONCURRENTLY %s; "
			   "then the CREATE INDEX CONCURRENTLY that failed, after fixing what made it fail (for a "
			   "unique index, the duplicate rows); or REINDEX INDEX CONCURRENTLY %s",
			   e->key, e->key);
}

/* The statement touches the table with model key table_key; `except` is an index key the
 * statement itself drops or rebuilds (NULL: none). */
static void touched(struct lint_ctx *ctx, const char *table_key, const char *except)
{
	for (struct invalid *e = get_state(ctx)->list; e; e = e->next) {
		if (e->reported || strcmp(e->table_key, table_key))
			continue;
		if (except && !strcmp(e->key, except)) {
			e->reported = 1; /* the migration deals with it */
			continue;
		}
		e->reported = 1;
		lint_report(ctx, &rule_invalid_index_present, -1, help_for(ctx, e),
			    "%s has an INVALID index %s, left by a CREATE INDEX CONCURRENTLY that failed: queries do "
			    "not use it, yet every write to the table updates it",
			    table_key, lint_ident(ctx, e->name));
	}
}

static const char *table_key_of(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	if (!rv || lint_table_is_new(ctx, rv))
		return NULL;
	return lint_table(ctx, rv) ? lint_relation_key(ctx, rv) : NULL;
}

static void visit_index(struct lint_ctx *ctx, const PgQuery__IndexStmt *is)
{
	const struct schema_model *m = lint_model(ctx);
	if (is->if_not_exists && *is->idxname) {
		const struct schema_table *t = is->relation ? lint_table(ctx, is->relation) : NULL;
		const char *schema = is->relation && *is->relation->schemaname ? is->relation->schemaname
										: t ? t->schema : NULL;
		const struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, is->idxname);
		if (ix && !ix->valid) {
			for (struct invalid *e = get_state(ctx)->list; e; e = e->next)
				if (!strcmp(e->name, ix->name) && !strcmp(e->table_key, ix->table_key)) {
					e->reported = 1;
					lint_report(ctx, &rule_invalid_index_present, -1, help_for(ctx, e),
						    "CREATE INDEX IF NOT EXISTS %s does nothing: %s exists, INVALID (a "
						    "CREATE INDEX CONCURRENTLY of it failed), so the table is left without "
						    "a usable index and the migration succeeds as if it had built one",
						    lint_ident(ctx, is->idxname), e->key);
				}
		}
	}
	const char *key = table_key_of(ctx, is->relation);
	if (key)
		touched(ctx, key, NULL);
}

static void visit_drop(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	if (ds->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX)
		return;
	const struct schema_model *m = lint_model(ctx);
	for (size_t i = 0; i < ds->n_objects; i++) {
		PgQuery__RangeVar buf;
		const PgQuery__RangeVar *rv = sql_name_list_rangevar(ds->objects[i], &buf);
		const struct schema_index *ix =
			rv ? schema_object_find(m, SCHEMA_KIND_INDEX, *rv->schemaname ? rv->schemaname : NULL, rv->relname) : NULL;
		if (ix && !schema_relation_is_new(m, ix->schema, ix->name))
			touched(ctx, ix->table_key, lint_printf(ctx, "%s.%s", ix->schema, ix->name));
	}
}

static void visit_reindex(struct lint_ctx *ctx, const PgQuery__ReindexStmt *rs)
{
	if (!rs->relation)
		return;
	const struct schema_model *m = lint_model(ctx);
	if (rs->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX) {
		const struct schema_index *ix =
			schema_object_find(m, SCHEMA_KIND_INDEX, *rs->relation->schemaname ? rs->relation->schemaname : NULL,
					   rs->relation->relname);
		if (ix)
			touched(ctx, ix->table_key, lint_printf(ctx, "%s.%s", ix->schema, ix->name));
	} else if (rs->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE) {
		/* REINDEX TABLE rebuilds its invalid indexes too; with CONCURRENTLY it skips them */
		const char *key = table_key_of(ctx, rs->relation);
		if (key && notx_reindex_concurrently(rs)) {
			touched(ctx, key, NULL);
		} else if (key) {
			for (struct invalid *e = get_state(ctx)->list; e; e = e->next)
				if (!strcmp(e->table_key, key))
					e->reported = 1;
		}
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (!lint_model(ctx)->complete)
		return;
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
		const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
		const char *key = as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ? table_key_of(ctx, as->relation) : NULL;
		if (key)
			touched(ctx, key, NULL);
		break;
	}
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		visit_index(ctx, node->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		visit_drop(ctx, node->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		visit_reindex(ctx, node->reindex_stmt);
		break;
	default:
		break;
	}
}
