/* ADD COLUMN ... NOT NULL (or PRIMARY KEY) without a default fails on a table that has any row:
 * the new column would be NULL in every existing row, so PostgreSQL stops with "column ...
 * contains null values". Identity, serial and generated columns get a value in every row, so
 * they are fine here (add-column-rewrite covers what they cost); DEFAULT NULL is no default.
 * Tables created earlier in the migration are empty. */
#include "effects/types.h"
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
						 LINT_KINDS_END };

const struct rule rule_add_column_required = {
	.id = "add-column-required",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "ADD COLUMN NOT NULL without a default fails on a table that has rows",
	.kinds = kinds,
	.visit = visit,
};

/* The release from which a constant default is stored in the catalog instead of written
 * into every row. */
enum { FAST_DEFAULT_SINCE = 11 };

/* NULL, or NULL cast to some type. */
static int is_null(const PgQuery__Node *e)
{
	while (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && e->type_cast)
		e = e->type_cast->arg;
	return !e || (e->node_case == PG_QUERY__NODE__NODE_A_CONST && e->a_const && e->a_const->isnull);
}

static void add_column(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const PgQuery__AlterTableCmd *cmd,
		       const PgQuery__ColumnDef *cd)
{
	const struct schema_table *t = lint_table(ctx, rv);
	if (cmd->missing_ok && t && schema_column_find(t, cd->colname))
		return; /* IF NOT EXISTS of a column that is there: does nothing */
	struct sql_type ty;
	sql_type_from_node(cd->type_name, &ty);
	if (type_is_serial(ty.name))
		return;
	const PgQuery__Constraint *required = NULL;
	for (size_t i = 0; i < cd->n_constraints; i++) {
		const PgQuery__Node *n = cd->constraints[i];
		if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		const PgQuery__Constraint *c = n->constraint;
		switch (c->contype) {
		case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
			if (!is_null(c->raw_expr))
				return;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
		case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
			return;
		case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
		case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
			if (!required)
				required = c;
			break;
		default:
			break;
		}
	}
	if (!required && !cd->is_not_null)
		return;
	const char *rel = lint_rel(ctx, rv), *col = lint_ident(ctx, cd->colname);
	const char *type = lint_type_sql(ctx, cd->type_name);
	if (!type)
		type = ty.name;
	const char *clause = required && required->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY
				     ? "PRIMARY KEY"
				     : "NOT NULL";
	const char *help;
	if (lint_pg_version(ctx) >= FAST_DEFAULT_SINCE)
		help = lint_printf(ctx,
				   "give it a default, which PostgreSQL %d stores once without rewriting the "
				   "table when it is not volatile: ALTER TABLE %s ADD COLUMN %s %s NOT NULL "
				   "DEFAULT <value>; or add it nullable, fill it in batches and then make it "
				   "NOT NULL (see set-not-null-blocking)",
				   lint_pg_version(ctx), rel, col, type);
	else
		help = lint_printf(ctx,
				   "add it nullable (on PostgreSQL %d a default would rewrite the table), "
				   "set the default for new rows, fill existing rows in batches, then add "
				   "CHECK (%s IS NOT NULL) NOT VALID and validate it: ALTER TABLE %s ADD "
				   "COLUMN %s %s; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT <value>; ...",
				   lint_pg_version(ctx), col, rel, col, type, rel, col);
	lint_report(ctx, &rule_add_column_required, required ? required->location : cd->location, help,
		    "ALTER TABLE %s ADD COLUMN %s %s %s has no default: it fails if %s has any row, "
		    "since the new column would be NULL in all of them",
		    rel, col, type, clause, rel);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	lint_altered_columns(ctx, node->alter_table_stmt, PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn,
			     add_column);
}
