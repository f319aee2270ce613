/* drop-table: DROP TABLE of a table that existed before this migration. Dropping a table the
 * migration created itself loses nothing, so those are left out of the finding. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_DROP_STMT, LINT_KINDS_END };

const struct rule rule_drop_table = {
	.id = "drop-table",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_DESTRUCTIVE,
	.summary = "DROP TABLE of an existing table loses its data and breaks code that still reads it",
	.kinds = kinds,
	.visit = visit,
};

/* A DROP TABLE object is a list of String nodes: [[catalog,] schema,] name. */
static int object_rangevar(const PgQuery__Node *obj, PgQuery__RangeVar *rv)
{
	if (!obj || obj->node_case != PG_QUERY__NODE__NODE_LIST || !obj->list->n_items)
		return -1;
	const PgQuery__List *l = obj->list;
	const char *name = sql_node_str(l->items[l->n_items - 1]);
	const char *schema = l->n_items >= 2 ? sql_node_str(l->items[l->n_items - 2]) : NULL;
	if (!name)
		return -1;
	*rv = (PgQuery__RangeVar)PG_QUERY__RANGE_VAR__INIT;
	rv->relname = (char *)name;
	if (schema)
		rv->schemaname = (char *)schema;
	return 0;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__DropStmt *ds = node->drop_stmt;
	if (ds->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	struct lint_names dropped = { 0 };
	for (size_t i = 0; i < ds->n_objects; i++) {
		PgQuery__RangeVar rv;
		if (object_rangevar(ds->objects[i], &rv) == 0 && !lint_table_is_new(ctx, &rv))
			lint_names_add(ctx, &dropped, lint_rel(ctx, &rv));
	}
	size_t n = dropped.n;
	const char *names = dropped.list, *first = dropped.first;
	if (!n)
		return;
	int cascade = ds->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
	const char *help = lint_printf(
		ctx,
		"drop a table only after no deployed code uses it: first deploy the application version "
		"that no longer reads or writes %s, then drop %s in a later migration (keep a copy with "
		"pg_dump --table if the rows may be needed again)%s",
		n > 1 ? "these tables" : first, n > 1 ? "them" : "it",
		cascade ? "; instead of CASCADE, drop what depends on it by name first (DROP VIEW ..., "
			  "ALTER TABLE ... DROP CONSTRAINT ...) so the migration shows all it removes"
			: "");
	lint_report(ctx, &rule_drop_table, -1, help,
		    "DROP TABLE %s%s takes an ACCESS EXCLUSIVE lock and deletes %s with all %s rows: "
		    "the application version still running fails on every query that uses %s%s%s",
		    names, cascade ? " CASCADE" : "", n > 1 ? "the tables" : "the table",
		    n > 1 ? "their" : "its", n > 1 ? "them" : "it",
		    cascade ? "; CASCADE also drops the views and other tables' foreign keys that "
			      "depend on "
			    : "",
		    cascade ? (n > 1 ? "them" : "it") : "");
}
