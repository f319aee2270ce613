/* rename-table: a table, view, materialized view or foreign table that existed before this
 * migration renamed (ALTER ... RENAME TO) or moved to another schema (ALTER ... SET SCHEMA). The
 * application version still running names it the old way until the new one is deployed. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_RENAME_STMT,
						 PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT, LINT_KINDS_END };

const struct rule rule_rename_table = {
	.id = "rename-table",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_COMPATIBILITY,
	.summary = "renaming a table or view, or moving it to another schema, breaks the application version still running",
	.kinds = kinds,
	.visit = visit,
};

/* "TABLE", "VIEW", ... for the relation kinds the rule covers, else NULL. */
static const char *relation_kind(PgQuery__ObjectType t)
{
	switch (t) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
		return "TABLE";
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
		return "VIEW";
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
		return "MATERIALIZED VIEW";
	case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
		return "FOREIGN TABLE";
	default:
		return NULL;
	}
}

static int existed(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	return !schema_relation_is_new(lint_model(ctx), *rv->schemaname ? rv->schemaname : NULL, rv->relname);
}

static void report(struct lint_ctx *ctx, const char *kind, const char *old, const char *new,
		   const char *change)
{
	/* a view keeps the old name working: for a table a view over it passes writes through */
	const char *help =
		kind[0] == 'T'
			? lint_printf(ctx,
				      "keep the old name working as a view, in the same transaction: %s; "
				      "CREATE VIEW %s AS SELECT * FROM %s; (a view over one table passes INSERT, "
				      "UPDATE and DELETE through); deploy the code that uses %s, then DROP VIEW "
				      "%s in a later migration",
				      change, old, new, new, old)
			: lint_printf(ctx,
				      "create it under the new name beside the old one (the same query), deploy "
				      "the code that uses %s, then drop %s in a later migration",
				      new, old);
	lint_report(ctx, &rule_rename_table, -1, help,
		    "%s takes an ACCESS EXCLUSIVE lock, and the application version still running fails "
		    "on every query that names %s until the new version is deployed",
		    change, old);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_RENAME_STMT) {
		const PgQuery__RenameStmt *rs = node->rename_stmt;
		const char *kind = relation_kind(rs->rename_type);
		if (!kind || !rs->relation || !*rs->newname || !existed(ctx, rs->relation))
			return;
		/* RENAME TO keeps the relation in its schema */
		PgQuery__RangeVar renamed = *rs->relation;
		renamed.relname = rs->newname;
		const char *old = lint_rel(ctx, rs->relation), *new = lint_rel(ctx, &renamed);
		report(ctx, kind, old, new,
		       lint_printf(ctx, "ALTER %s %s RENAME TO %s", kind, old, lint_ident(ctx, rs->newname)));
		return;
	}
	const PgQuery__AlterObjectSchemaStmt *as = node->alter_object_schema_stmt;
	const char *kind = relation_kind(as->object_type);
	if (!kind || !as->relation || !*as->newschema || !existed(ctx, as->relation))
		return;
	PgQuery__RangeVar moved = *as->relation;
	moved.schemaname = as->newschema;
	const char *old = lint_rel(ctx, as->relation), *new = lint_rel(ctx, &moved);
	report(ctx, kind, old, new,
	       lint_printf(ctx, "ALTER %s %s SET SCHEMA %s", kind, old, lint_ident(ctx, as->newschema)));
}
