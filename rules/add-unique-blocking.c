/* ADD CONSTRAINT ... UNIQUE or PRIMARY KEY builds a unique index while it holds ACCESS
 * EXCLUSIVE on the table: nothing can read or write it until the index is built (and, for a
 * primary key, until columns that were nullable have been scanned for NULLs). The safe way
 * builds the index with CREATE UNIQUE INDEX CONCURRENTLY and then attaches it with ADD
 * CONSTRAINT ... USING INDEX, which only changes the catalog. UNIQUE or PRIMARY KEY on ADD COLUMN
 * builds the index the same way. Tables created earlier in the migration are empty to
 * everyone else. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
						 LINT_KINDS_END };

const struct rule rule_add_unique_blocking = {
	.id = "add-unique-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "adding a UNIQUE or PRIMARY KEY constraint builds its index under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
};

/* Long expressions make unreadable help texts; past this the recipe shows "...". */
enum { EXPR_MAX = 200 };

static int is_primary(const PgQuery__Constraint *con)
{
	return con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
}

/* The name PostgreSQL would give the constraint (and its index): <table>_pkey, or
 * <table>_<columns>_key. */
static const char *default_name(struct lint_ctx *ctx, const char *table, const char *const *cols,
				size_t n, int primary)
{
	if (primary)
		return lint_printf(ctx, "%s_pkey", table);
	const char *out = table;
	for (size_t i = 0; i < n; i++)
		out = lint_printf(ctx, "%s_%s", out, cols[i]);
	return lint_printf(ctx, "%s_key", out);
}

/* add (a first step, may be ""), then CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT ...
 * USING INDEX. */
static const char *recipe(struct lint_ctx *ctx, const char *rel, const char *add,
			  const PgQuery__Constraint *con, const char *name, const char *cols)
{
	const char *ix = lint_ident(ctx, name);
	const char *index =
		lint_printf(ctx, "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s)", ix, rel, cols);
	if (con->n_including)
		index = lint_printf(ctx, "%s INCLUDE (%s)", index,
				    lint_ident_list(ctx, con->including, con->n_including));
	if (con->nulls_not_distinct)
		index = lint_printf(ctx, "%s NULLS NOT DISTINCT", index);
	const char *attach = lint_printf(ctx, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s%s%s", rel,
					 ix, is_primary(con) ? "PRIMARY KEY" : "UNIQUE", ix,
					 con->deferrable ? " DEFERRABLE" : "",
					 con->initdeferred ? " INITIALLY DEFERRED" : "");
	return lint_printf(ctx,
			   "build the index first without blocking writes, outside a transaction block, "
			   "then attach it, which only changes the catalog%s: %s%s; %s;",
			   is_primary(con) ? " (when its columns are NOT NULL already; otherwise this step "
					     "scans for NULLs, see set-not-null-blocking)"
					   : "",
			   add, index, attach);
}

static void table_constraint(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			     const PgQuery__Constraint *con)
{
	if (*con->indexname) /* USING INDEX: the index exists already */
		return;
	const char *rel = lint_rel(ctx, rv);
	const char *kind = is_primary(con) ? "PRIMARY KEY" : "UNIQUE";
	const char **names = lint_alloc(ctx, (con->n_keys + 1) * sizeof(*names));
	for (size_t i = 0; i < con->n_keys; i++) {
		const char *s = sql_node_str(con->keys[i]);
		names[i] = s ? s : "";
	}
	const char *name = *con->conname
				   ? con->conname
				   : default_name(ctx, rv->relname, names, con->n_keys, is_primary(con));
	const char *cols = lint_ident_list(ctx, con->keys, con->n_keys);
	const char *what = *con->conname
				   ? lint_printf(ctx, "ADD CONSTRAINT %s %s", lint_ident(ctx, name), kind)
				   : lint_printf(ctx, "ADD %s (%s)", kind, cols);
	lint_report(ctx, &rule_add_unique_blocking, con->location, recipe(ctx, rel, "", con, name, cols),
		    "ALTER TABLE %s %s builds its unique index under an %s lock%s: reads and writes "
		    "wait until the index is built",
		    rel, what, lock_mode_name(LOCK_ACCESS_EXCLUSIVE),
		    is_primary(con) ? " (and scans for NULLs in key columns that allow them)" : "");
}

static void column_constraint(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			      const PgQuery__ColumnDef *cd, const PgQuery__Constraint *con)
{
	const char *rel = lint_rel(ctx, rv), *col = lint_ident(ctx, cd->colname);
	const char *kind = is_primary(con) ? "PRIMARY KEY" : "UNIQUE";
	const char *colname = cd->colname;
	const char *name = *con->conname ? con->conname
					 : default_name(ctx, rv->relname, &colname, 1, is_primary(con));
	/* The column without the constraint: its type, default and NOT NULL as written (a
	 * primary key's column with a default can be NOT NULL from the start). */
	const char *type = lint_type_sql(ctx, cd->type_name);
	const char *extra = "";
	int has_default = 0, not_null = 0;
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
			has_default = 1;
		} else if (c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) {
			not_null = 1;
		}
	}
	if (not_null || (has_default && is_primary(con)))
		extra = lint_printf(ctx, "%s NOT NULL", extra);
	const char *add = lint_printf(ctx, "ALTER TABLE %s ADD COLUMN %s %s%s; ", rel, col,
				      type ? type : "...", extra);
	lint_report(ctx, &rule_add_unique_blocking, con->location, recipe(ctx, rel, add, con, name, col),
		    "ALTER TABLE %s ADD COLUMN %s %s builds a unique index under an %s lock: reads "
		    "and writes wait until the index is built",
		    rel, col, kind, lock_mode_name(LOCK_ACCESS_EXCLUSIVE));
}

static int wanted(const PgQuery__Constraint *con)
{
	return con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE || is_primary(con);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
	if (lint_altered_table(ctx, as))
		lint_added_constraints(ctx, as, wanted, table_constraint, column_constraint);
}
