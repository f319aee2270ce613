/* drop-not-null: ALTER COLUMN ... DROP NOT NULL on a column that existed before this migration.
 * The lock is brief, but from then on NULLs can be written that the application version still
 * running never had to handle. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_drop_not_null = {
	.id = "drop-not-null",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_COMPATIBILITY,
	.summary = "DROP NOT NULL lets NULLs in that running code may not expect",
	.kinds = kinds,
	.visit = visit,
};

static void drop_not_null(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			  const PgQuery__AlterTableCmd *cmd)
{
	const char *rel = lint_rel(ctx, rv);
	const char *col = lint_ident(ctx, cmd->name);
	lint_report(ctx, &rule_drop_not_null, -1,
		    lint_printf(ctx,
				"deploy code that copes with NULL in %s (readers first) before this "
				"migration, and only then let writers store NULL there",
				col),
		    "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL lets NULL into %s: the "
		    "application version still running may read NULL where it never saw one "
		    "(the ACCESS EXCLUSIVE lock is brief)",
		    rel, col, col);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	lint_altered_old_columns(ctx, node->alter_table_stmt, PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull,
				 drop_not_null);
}
