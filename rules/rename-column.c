/* rename-column: ALTER TABLE ... RENAME COLUMN on a column that existed before this migration.
 * The application version still running names the old column until the new one is deployed. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_RENAME_STMT, LINT_KINDS_END };

const struct rule rule_rename_column = {
	.id = "rename-column",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_COMPATIBILITY,
	.summary = "renaming a column breaks the application version still running",
	.kinds = kinds,
	.visit = visit,
};

/* The column's type as the model knows it, written for the ADD COLUMN of the recipe. */
static const char *column_type(struct lint_ctx *ctx, const struct schema_column *c)
{
	if (!c || !c->type)
		return NULL;
	struct sql_type t = { .name = c->type, .nmods = c->nmods, .array_dims = c->array_dims };
	t.mods[0] = c->mods[0];
	t.mods[1] = c->mods[1];
	char buf[128];
	return lint_printf(ctx, "%s", sql_type_format(&t, buf, sizeof(buf)));
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__RenameStmt *rs = node->rename_stmt;
	if (rs->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ||
	    rs->relation_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !rs->relation ||
	    !*rs->subname || !*rs->newname || lint_table_is_new(ctx, rs->relation))
		return;
	const struct schema_table *t = lint_table(ctx, rs->relation);
	const struct schema_column *c = t ? schema_column_find(t, rs->subname) : NULL;
	if (c && c->added_in_migration)
		return; /* no deployed code knows this column yet */
	const char *rel = lint_rel(ctx, rs->relation);
	const char *from = lint_ident(ctx, rs->subname), *to = lint_ident(ctx, rs->newname);
	const char *type = column_type(ctx, c);
	lint_report(ctx, &rule_rename_column, -1,
		    lint_printf(ctx,
				"expand and contract instead: ALTER TABLE %s ADD COLUMN %s %s; deploy code "
				"that writes both %s and %s (or a trigger that copies %s into %s); "
				"backfill in batches (UPDATE %s SET %s = %s WHERE <key range> AND %s IS NULL); "
				"deploy code that reads only %s; then ALTER TABLE %s DROP COLUMN %s in a "
				"later migration",
				rel, to, type ? type : "<the type of the old column>", from, to, from, to,
				rel, to, from, to, to, rel, from),
		    "ALTER TABLE %s RENAME COLUMN %s TO %s takes an ACCESS EXCLUSIVE lock, and the "
		    "application version still running fails on every query that names %s until the "
		    "new version is deployed",
		    rel, from, to, from);
}
