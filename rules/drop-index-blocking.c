/* DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table. The drop itself
 * is quick, but the lock request queues behind every running query on the table and every
 * query that arrives after it queues behind the lock. Indexes created earlier in the migration
 * (or on tables created in it) are nobody else's yet.
 *
 * A DROP INDEX followed, later in the same migration part, by a DROP TABLE of its table says
 * nothing of its own: the DROP TABLE takes the same ACCESS EXCLUSIVE lock and drops the index
 * anyway (what Alembic autogenerate writes for every table it drops). Such a finding is held
 * back (pending) and withdrawn at the DROP TABLE. The index's table comes from the model, or
 * from the runner's bridge when the SQL does not say it (Alembic's table_name=). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_DROP_STMT, LINT_KINDS_END };

const struct rule rule_drop_index_blocking = {
	.id = "drop-index-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "DROP INDEX without CONCURRENTLY blocks reads and writes of the table",
	.kinds = kinds,
	.visit = visit,
	.fix = "CONCURRENTLY IF EXISTS, for one index alone in its migration (with dbmate's or sqlx's no-transaction marker)",
};

/* An index dropped here that other sessions may be using: one not created in this migration,
 * on a table not created in it. */
static int index_is_live(struct lint_ctx *ctx, const char *schema, const char *name)
{
	struct schema_model *m = lint_model(ctx);
	const struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, name);
	if (!ix)
		return 1;
	if (ix->created_in_migration)
		return 0;
	const struct schema_table *t = strmap_get(&m->tables, ix->table_key);
	return !(t && t->created_in_migration);
}

/* A name of this migration part, for pending findings that only a later statement of the
 * same part takes back: the address of the rule's per-part data. */
static const char *part_key(struct lint_ctx *ctx, const char *table)
{
	void **data = lint_rule_data(ctx, &rule_drop_index_blocking);
	if (!*data)
		*data = lint_alloc(ctx, 1);
	return lint_printf(ctx, "%p %s", *data, table);
}

/* The unqualified name of the table an index is on, or NULL. */
static const char *index_table(struct lint_ctx *ctx, const char *schema, const char *name)
{
	const struct schema_index *ix = schema_object_find(lint_model(ctx), SCHEMA_KIND_INDEX, schema, name);
	if (ix && ix->table_key) {
		const char *dot = strrchr(ix->table_key, '.');
		return dot ? dot + 1 : ix->table_key;
	}
	return lint_statement_index_table(ctx);
}

static void drop_tables(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	for (size_t i = 0; i < ds->n_objects; i++) {
		const PgQuery__Node *obj = ds->objects[i];
		if (obj->node_case != PG_QUERY__NODE__NODE_LIST || obj->list->n_items == 0)
			continue;
		const char *name = sql_node_str(obj->list->items[obj->list->n_items - 1]);
		if (name)
			lint_withdraw(ctx, &rule_drop_index_blocking, part_key(ctx, name));
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__DropStmt *ds = node->drop_stmt;
	if (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
		drop_tables(ctx, ds);
		return;
	}
	if (ds->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX || ds->concurrent)
		return;
	for (size_t i = 0; i < ds->n_objects; i++) {
		const PgQuery__Node *obj = ds->objects[i];
		if (obj->node_case != PG_QUERY__NODE__NODE_LIST || obj->list->n_items == 0)
			continue;
		const PgQuery__List *l = obj->list;
		const char *name = sql_node_str(l->items[l->n_items - 1]);
		const char *schema = l->n_items >= 2 ? sql_node_str(l->items[l->n_items - 2]) : NULL;
		if (!name || !index_is_live(ctx, schema, name))
			continue;
		const char *shown = schema ? lint_printf(ctx, "%s.%s", lint_ident(ctx, schema), lint_ident(ctx, name))
					   : lint_ident(ctx, name);
		const char *table = index_table(ctx, schema, name);
		/* The fix: CONCURRENTLY (and IF EXISTS, so that a retry after an interrupted drop
		 * does not fail), where it can run as it stands; one index per statement, no CASCADE */
		uint32_t at, end;
		if (ds->n_objects == 1 && ds->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE &&
		    lint_fix_runs_alone(ctx) &&
		    lint_find_token(ctx, PG_QUERY__TOKEN__INDEX, lint_mark_here(ctx, -1).offset, &at, &end) == 0) {
			struct lint_fix *fix = lint_fix_new(ctx, "drop the index with DROP INDEX CONCURRENTLY");
			lint_fix_replace(ctx, fix, end, 0, ds->missing_ok ? " CONCURRENTLY" : " CONCURRENTLY IF EXISTS");
			lint_fix_notx_marker(ctx, fix);
			lint_fix_attach(ctx, fix);
		}
		/* CONCURRENTLY drops one index per statement and refuses CASCADE */
		lint_report_pending(ctx, &rule_drop_index_blocking, -1, part_key(ctx, table ? table : ""),
			    lint_printf(ctx,
					"drop it without blocking the table, outside a transaction block (in a "
					"migration of its own that runs without one): DROP INDEX CONCURRENTLY "
					"%s%s; it waits for running queries instead of blocking new ones. It drops "
					"one index per statement and refuses CASCADE%s; if it is interrupted the "
					"index is left INVALID (no longer used by queries, still updated by "
					"writes): run the DROP again",
					ds->missing_ok ? "IF EXISTS " : "", shown,
					ds->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE
						? " (drop the dependent objects first)"
						: ""),
			    "DROP INDEX %s takes an %s lock on its table: reads and writes of the table wait "
			    "until it is dropped, including while it waits for running queries",
			    shown, lock_mode_name(LOCK_ACCESS_EXCLUSIVE));
	}
}
