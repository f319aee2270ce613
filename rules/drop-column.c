/* drop-column: ALTER TABLE ... DROP COLUMN of a column that existed before this migration. The
 * column's data is gone, and the application version still running names it in its queries. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_drop_column = {
	.id = "drop-column",
	.severity = SEVERITY_ERROR,
	.category = "destructive",
	.summary = "DROP COLUMN loses data and breaks the application version still reading it",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
	if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !as->relation ||
	    lint_table_is_new(ctx, as->relation))
		return;
	const struct schema_table *t = lint_table(ctx, as->relation);
	const char *rel = NULL;
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn))) {
		if (!*cmd->name)
			continue;
		const struct schema_column *c = t ? schema_column_find(t, cmd->name) : NULL;
		if (c && c->added_in_migration)
			continue; /* no deployed code knows this column yet */
		if (!rel)
			rel = lint_rel(ctx, as->relation);
		const char *col = lint_ident(ctx, cmd->name);
		int cascade = cmd->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
		lint_report(ctx, &rule_drop_column, -1,
			    lint_printf(ctx,
					"stop reading it first: deploy the application version that no longer "
					"reads or writes %s (ORMs that list every column need to be told to "
					"ignore it), then drop it in a later migration; keep a copy of the "
					"values if they may be needed again%s",
					col,
					cascade ? "; instead of CASCADE, drop the views, indexes and constraints "
						  "that use it by name first"
						: ""),
			    "ALTER TABLE %s DROP COLUMN %s takes an ACCESS EXCLUSIVE lock and deletes the "
			    "column's data: the application version still running fails on every query "
			    "that names %s%s",
			    rel, col, col,
			    cascade ? "; CASCADE also drops the views and constraints that use it" : "");
	}
}
