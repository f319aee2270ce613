/* ALTER TABLE ... ADD CONSTRAINT ... CHECK without NOT VALID checks every existing row while it
 * holds ACCESS EXCLUSIVE on the table: nothing can read or write it until the scan ends. NOT
 * VALID skips the scan (new rows are still checked); VALIDATE CONSTRAINT later scans under
 * SHARE UPDATE EXCLUSIVE, which lets reads and writes through.
 *
 * A CHECK written on ADD COLUMN is checked against every row too, with or without a default
 * (PostgreSQL 15 scans the table even when the new column is NULL everywhere), and a column
 * constraint cannot be NOT VALID, so it is reported as well. Tables created earlier in the
 * migration are empty to everyone else. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
						 LINT_KINDS_END };

const struct rule rule_add_check_blocking = {
	.id = "add-check-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "adding a CHECK constraint scans the whole table under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
	.fix = "NOT VALID, then VALIDATE CONSTRAINT in its own transaction, for a named CHECK (the next statement outside a transaction, a new migration where the runner wraps this one)",
};

/* Long expressions make unreadable help texts; past this the recipe shows "(...)". */
enum { EXPR_MAX = 200 };

static const char *check_sql(struct lint_ctx *ctx, const PgQuery__Constraint *con)
{
	const char *e = lint_expr_sql(ctx, con->raw_expr);
	if (!e || strlen(e) > EXPR_MAX)
		e = "...";
	return lint_printf(ctx, "CHECK (%s)%s", e, con->is_no_inherit ? " NO INHERIT" : "");
}

static const char *recipe(struct lint_ctx *ctx, const char *rel, const char *add, const char *name,
			  const char *check)
{
	return lint_printf(ctx,
			   "add it NOT VALID, which only checks new rows, then validate it in a later "
			   "transaction (a separate migration when the runner wraps each one): VALIDATE "
			   "CONSTRAINT holds SHARE UPDATE EXCLUSIVE, so reads and writes go on while it "
			   "scans: %sALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID; ALTER TABLE %s VALIDATE "
			   "CONSTRAINT %s;",
			   add, rel, lint_ident(ctx, name), check, rel, lint_ident(ctx, name));
}

static void table_check(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			const PgQuery__Constraint *con)
{
	if (con->skip_validation)
		return;
	const char *rel = lint_rel(ctx, rv);
	/* PostgreSQL names an unnamed one after the table and, when the expression uses one
	 * column, that column; any name will do for the recipe as long as both steps use it */
	const char *name = *con->conname ? con->conname : lint_printf(ctx, "%s_check", rv->relname);
	const char *what = *con->conname
				   ? lint_printf(ctx, "ADD CONSTRAINT %s CHECK", lint_ident(ctx, name))
				   : "ADD CHECK";
	/* The fix: NOT VALID at the end of the statement and the VALIDATE after it, committed apart
	 * (outside a transaction); only for a named constraint, which the VALIDATE must name */
	if (*con->conname && lint_fix_single_alter(ctx) && lint_fix_possible(ctx) && !lint_in_transaction(ctx)) {
		struct lint_fix *fix = lint_fix_new(ctx, "add the CHECK NOT VALID, then VALIDATE it in its own transaction");
		lint_fix_replace(ctx, fix, lint_mark_here(ctx, -1).end, 0,
				 lint_printf(ctx, " NOT VALID;\nALTER TABLE %s VALIDATE CONSTRAINT %s", rel, lint_ident(ctx, name)));
		lint_fix_attach(ctx, fix);
	} else if (*con->conname && lint_fix_single_alter(ctx) && lint_fix_possible(ctx)) {
		/* in a transaction: the VALIDATE in the next migration, or the ADD's ACCESS
		 * EXCLUSIVE lock would be held through it */
		struct lint_fix *fix = lint_fix_new(ctx, "add the CHECK NOT VALID, then VALIDATE it in a new migration");
		lint_fix_replace(ctx, fix, lint_mark_here(ctx, -1).end, 0, " NOT VALID");
		if (lint_fix_validate_next(ctx, fix, rel, name))
			lint_fix_attach(ctx, fix);
	}
	lint_report(ctx, &rule_add_check_blocking, con->location,
		    recipe(ctx, rel, "", name, check_sql(ctx, con)),
		    "ALTER TABLE %s %s takes an %s lock and scans every row: reads and writes wait "
		    "until the scan ends",
		    rel, what, lock_mode_name(LOCK_ACCESS_EXCLUSIVE));
}

static void column_check(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			 const PgQuery__ColumnDef *cd, const PgQuery__Constraint *con)
{
	const char *rel = lint_rel(ctx, rv), *col = lint_ident(ctx, cd->colname);
	const char *name = *con->conname ? con->conname
					 : lint_printf(ctx, "%s_%s_check", rv->relname, cd->colname);
	/* The column as it can be added without the scan: its type and the default, if any
	 * (NOT NULL with a default needs no scan either, from PostgreSQL 11). */
	const char *type = lint_type_sql(ctx, cd->type_name);
	const char *extra = "";
	for (size_t i = 0; i < cd->n_constraints; i++) {
		const PgQuery__Node *n = cd->constraints[i];
		if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		const PgQuery__Constraint *c = n->constraint;
		if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT) {
			const char *e = lint_expr_sql(ctx, c->raw_expr);
			if (!e || strlen(e) > EXPR_MAX)
				e = "...";
			extra = lint_printf(ctx, "%s DEFAULT %s", extra, e);
		} else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) {
			extra = lint_printf(ctx, "%s NOT NULL", extra);
		}
	}
	const char *add = lint_printf(ctx, "ALTER TABLE %s ADD COLUMN %s %s%s; ", rel, col,
				      type ? type : "...", extra);
	lint_report(ctx, &rule_add_check_blocking, con->location,
		    recipe(ctx, rel, add, name, check_sql(ctx, con)),
		    "ALTER TABLE %s ADD COLUMN %s with a CHECK constraint takes an %s lock and scans "
		    "every row to check it: reads and writes wait until the scan ends",
		    rel, col, lock_mode_name(LOCK_ACCESS_EXCLUSIVE));
}

static int wanted(const PgQuery__Constraint *con)
{
	return con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
	if (lint_altered_table(ctx, as))
		lint_added_constraints(ctx, as, wanted, table_check, column_check);
}
