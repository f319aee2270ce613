/* rename-table: ALTER TABLE ... RENAME TO on a table that existed before this migration. The
 * application version still running names the old table until the new one is deployed. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_RENAME_STMT, LINT_KINDS_END };

const struct rule rule_rename_table = {
	.id = "rename-table",
	.severity = SEVERITY_ERROR,
	.category = "compatibility",
	.summary = "renaming a table breaks the application version still running",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__RenameStmt *rs = node->rename_stmt;
	if (rs->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !rs->relation ||
	    !*rs->newname || lint_table_is_new(ctx, rs->relation))
		return;
	const PgQuery__RangeVar *rv = rs->relation;
	/* RENAME TO keeps the table in its schema, and the view takes the old name there */
	PgQuery__RangeVar renamed = *rv;
	renamed.relname = rs->newname;
	const char *old = lint_rel(ctx, rv), *new = lint_rel(ctx, &renamed);
	lint_report(ctx, &rule_rename_table, -1,
		    lint_printf(ctx,
				"rename it and keep the old name working as a view, in one transaction: "
				"ALTER TABLE %s RENAME TO %s; CREATE VIEW %s AS SELECT * FROM %s; (a "
				"view over one table passes INSERT, UPDATE and DELETE through); deploy the "
				"code that uses %s, then DROP VIEW %s in a later migration",
				old, lint_ident(ctx, rs->newname), old, new, new, old),
		    "ALTER TABLE %s RENAME TO %s takes an ACCESS EXCLUSIVE lock, and the application "
		    "version still running fails on every query that names %s until the new version "
		    "is deployed",
		    old, lint_ident(ctx, rs->newname), old);
}
