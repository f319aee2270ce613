/* Adding a foreign key to a table that already has rows checks every row against the
 * referenced table while both tables are locked in SHARE ROW EXCLUSIVE mode: reads go on,
 * writes to either table wait until the check ends. NOT VALID skips the check, and VALIDATE
 * CONSTRAINT later runs it under locks that let writes through.
 *
 * ADD COLUMN ... REFERENCES is checked only when the new column gets a value: with no default
 * every existing row holds NULL, which needs no check, and PostgreSQL skips the validation
 * (transformFKConstraints; seen on a server: no scan of the table); with a DEFAULT, a serial
 * type or a generated expression it validates every row. Without a value it still takes SHARE
 * ROW EXCLUSIVE on the referenced table until the transaction ends, so writes to that table
 * (often the busiest: users, accounts) wait for the rest of the migration: reported one
 * severity lower. Tables created earlier in the migration are empty to everyone else. */
#include <string.h>

#include "effects/types.h"
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
						 LINT_KINDS_END };

const struct rule rule_add_foreign_key_blocking = {
	.id = "add-foreign-key-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "adding a foreign key validates every row while both tables are locked",
	.kinds = kinds,
	.visit = visit,
	.fix = "NOT VALID, then VALIDATE CONSTRAINT in its own transaction (the next statement outside a transaction, a new migration where the runner wraps this one)",
};

/* "orders_user_id" from the table and column names, like PostgreSQL's default names. */
static const char *name_stem(struct lint_ctx *ctx, const char *table, PgQuery__Node *const *cols,
			     size_t n, const char *col)
{
	const char *out = table;
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(cols[i]);
		out = lint_printf(ctx, "%s_%s", out, s ? s : "");
	}
	if (col)
		out = lint_printf(ctx, "%s_%s", out, col);
	return out;
}

/* pg_constraint's confupdtype / confdeltype letters; NO ACTION is the default and omitted. */
static const char *fk_action(const char *code)
{
	switch (code && *code ? *code : 'a') {
	case 'r':
		return "RESTRICT";
	case 'c':
		return "CASCADE";
	case 'n':
		return "SET NULL";
	case 'd':
		return "SET DEFAULT";
	default:
		return NULL;
	}
}

/* The constraint's REFERENCES clause and options as SQL, from the tree. */
static const char *references_sql(struct lint_ctx *ctx, const PgQuery__Constraint *con)
{
	const char *s = lint_printf(ctx, "REFERENCES %s", lint_rel(ctx, con->pktable));
	if (con->n_pk_attrs)
		s = lint_printf(ctx, "%s (%s)", s, lint_ident_list(ctx, con->pk_attrs, con->n_pk_attrs));
	if (con->fk_matchtype && *con->fk_matchtype == 'f')
		s = lint_printf(ctx, "%s MATCH FULL", s);
	const char *upd = fk_action(con->fk_upd_action), *del = fk_action(con->fk_del_action);
	if (upd)
		s = lint_printf(ctx, "%s ON UPDATE %s", s, upd);
	if (del) {
		s = lint_printf(ctx, "%s ON DELETE %s", s, del);
		if (con->n_fk_del_set_cols)
			s = lint_printf(ctx, "%s (%s)", s,
					lint_ident_list(ctx, con->fk_del_set_cols, con->n_fk_del_set_cols));
	}
	if (con->deferrable)
		s = lint_printf(ctx, "%s DEFERRABLE", s);
	if (con->initdeferred)
		s = lint_printf(ctx, "%s INITIALLY DEFERRED", s);
	return s;
}

/* The safe way: `add` (a first step, may be ""), then the constraint `def` NOT VALID, then
 * VALIDATE CONSTRAINT `name` in a later transaction. */
static const char *recipe(struct lint_ctx *ctx, const char *rel, const char *refrel,
			  const char *add, const char *def, const char *name)
{
	return lint_printf(ctx,
			   "add it NOT VALID, which skips the check and holds its locks only briefly, then "
			   "validate it in a later transaction (a separate migration when the runner wraps "
			   "each one), which holds SHARE UPDATE EXCLUSIVE on %s and ROW SHARE on %s, so "
			   "reads and writes go on while it scans: %sALTER TABLE %s ADD CONSTRAINT %s NOT "
			   "VALID; ALTER TABLE %s VALIDATE CONSTRAINT %s;",
			   rel, refrel, add, rel, def, rel, lint_ident(ctx, name));
}

static void table_constraint(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			     const PgQuery__Constraint *con)
{
	if (con->skip_validation || !con->pktable)
		return;
	const char *rel = lint_rel(ctx, rv), *refrel = lint_rel(ctx, con->pktable);
	const char *cols = lint_ident_list(ctx, con->fk_attrs, con->n_fk_attrs);
	const char *name = *con->conname
				   ? con->conname
				   : lint_printf(ctx, "%s_fkey",
						 name_stem(ctx, rv->relname, con->fk_attrs, con->n_fk_attrs, NULL));
	const char *what = *con->conname
				   ? lint_printf(ctx, "ADD CONSTRAINT %s FOREIGN KEY", lint_ident(ctx, name))
				   : lint_printf(ctx, "ADD FOREIGN KEY (%s)", cols);
	const char *def = lint_printf(ctx, "%s FOREIGN KEY (%s) %s", lint_ident(ctx, name), cols,
				      references_sql(ctx, con));
	const char *help = recipe(ctx, rel, refrel, "", def, name);
	/* The fix: NOT VALID at the end of the statement and the VALIDATE after it, committed apart
	 * (outside a transaction); an unnamed key gets the name PostgreSQL would give it, which
	 * the VALIDATE needs */
	if (lint_fix_single_alter(ctx) && strlen(name) < 64 && lint_fix_possible(ctx) && !lint_in_transaction(ctx)) {
		struct lint_mark m = lint_mark_here(ctx, -1), at = lint_mark_here(ctx, con->location);
		struct lint_fix *fix = lint_fix_new(ctx, "add the foreign key NOT VALID, then VALIDATE it in its own transaction");
		if (!*con->conname)
			lint_fix_replace(ctx, fix, at.offset, 0, lint_printf(ctx, "CONSTRAINT %s ", lint_ident(ctx, name)));
		lint_fix_replace(ctx, fix, m.end, 0,
				 lint_printf(ctx, " NOT VALID;\nALTER TABLE %s VALIDATE CONSTRAINT %s", rel, lint_ident(ctx, name)));
		lint_fix_attach(ctx, fix);
	} else if (lint_fix_single_alter(ctx) && strlen(name) < 64 && lint_fix_possible(ctx)) {
		/* in a transaction: the VALIDATE in the next migration, or the ADD's lock would be
		 * held through it */
		struct lint_mark m = lint_mark_here(ctx, -1), at = lint_mark_here(ctx, con->location);
		struct lint_fix *fix = lint_fix_new(ctx, "add the foreign key NOT VALID, then VALIDATE it in a new migration");
		if (!*con->conname)
			lint_fix_replace(ctx, fix, at.offset, 0, lint_printf(ctx, "CONSTRAINT %s ", lint_ident(ctx, name)));
		lint_fix_replace(ctx, fix, m.end, 0, " NOT VALID");
		if (lint_fix_validate_next(ctx, fix, rel, name))
			lint_fix_attach(ctx, fix);
	}
	if (!strcmp(rel, refrel)) /* a key into the same table */
		lint_report(ctx, &rule_add_foreign_key_blocking, con->location, help,
			    "ALTER TABLE %s %s takes a %s lock on %s and checks every row against the "
			    "table itself: writes to it wait until the validation ends",
			    rel, what, lock_mode_name(LOCK_SHARE_ROW_EXCLUSIVE), rel);
	else
		lint_report(ctx, &rule_add_foreign_key_blocking, con->location, help,
			    "ALTER TABLE %s %s takes %s locks on %s and %s and checks every row against %s: "
			    "writes to both tables wait until the validation ends",
			    rel, what, lock_mode_name(LOCK_SHARE_ROW_EXCLUSIVE), rel, refrel, refrel);
}

/* The DEFAULT or GENERATED clause that gives the new column a value in existing rows, which
 * makes PostgreSQL validate a foreign key on it (as does a serial type; see the caller). */
static const PgQuery__Constraint *filled_by(const PgQuery__ColumnDef *cd)
{
	for (size_t i = 0; i < cd->n_constraints; i++) {
		const PgQuery__Node *n = cd->constraints[i];
		if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		PgQuery__ConstrType t = n->constraint->contype;
		if (t == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT ||
		    t == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED)
			return n->constraint;
	}
	return NULL;
}

static void column_reference(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			     const PgQuery__ColumnDef *cd, const PgQuery__Constraint *con)
{
	if (!con->pktable)
		return;
	struct sql_type ty;
	sql_type_from_node(cd->type_name, &ty);
	const PgQuery__Constraint *fill = filled_by(cd);
	int serial = type_is_serial(ty.name);
	const char *rel = lint_rel(ctx, rv), *refrel = lint_rel(ctx, con->pktable);
	const char *col = lint_ident(ctx, cd->colname);
	if (!fill && !serial && !cd->raw_default) {
		/* every existing row is NULL: no validation, only the locks */
		lint_report_lowered(
			ctx, &rule_add_foreign_key_blocking, con->location,
			lint_printf(ctx, "give the statement a transaction of its own, after SET "
					 "lock_timeout = '5s';, so that %s is locked for a moment and not "
					 "for the rest of the migration; with a runner that wraps each "
					 "migration in a transaction, make it a migration of its own",
				    refrel),
			"ALTER TABLE %s ADD COLUMN %s REFERENCES %s takes %s on %s until the transaction "
			"ends: writes to %s wait for the rest of the migration (no row is checked: the new "
			"column is empty)",
			rel, col, refrel, lock_mode_name(LOCK_SHARE_ROW_EXCLUSIVE), refrel, refrel);
		return;
	}
	const char *name = *con->conname ? con->conname
					 : lint_printf(ctx, "%s_%s_fkey", rv->relname, cd->colname);
	const char *why = serial ? lint_printf(ctx, "a %s column is filled from its sequence", ty.name)
			  : fill && fill->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED
				  ? "the generated column has a value in every row"
				  : "the new column has a DEFAULT";
	const char *type = lint_type_sql(ctx, cd->type_name);
	const char *fill_sql = "";
	if (fill) {
		const char *e = lint_expr_sql(ctx, fill->raw_expr);
		fill_sql = fill->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED
				   ? lint_printf(ctx, " GENERATED ALWAYS AS (%s) STORED", e ? e : "...")
				   : lint_printf(ctx, " DEFAULT %s", e ? e : "...");
	}
	const char *add = lint_printf(ctx, "ALTER TABLE %s ADD COLUMN %s %s%s; ", rel, col,
				      type ? type : ty.name, fill_sql);
	const char *def = lint_printf(ctx, "%s FOREIGN KEY (%s) %s", lint_ident(ctx, name), col,
				      references_sql(ctx, con));
	lint_report(ctx, &rule_add_foreign_key_blocking, con->location,
		    recipe(ctx, rel, refrel, add, def, name),
		    "ALTER TABLE %s ADD COLUMN %s REFERENCES %s checks every existing row against %s "
		    "(%s) while it holds %s on %s and %s on %s: reads and writes of %s and writes to "
		    "%s wait until the validation ends",
		    rel, col, refrel, refrel, why, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), rel,
		    lock_mode_name(LOCK_SHARE_ROW_EXCLUSIVE), refrel, rel, refrel);
}

static int wanted(const PgQuery__Constraint *con)
{
	return con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
	if (lint_altered_table(ctx, as))
		lint_added_constraints(ctx, as, wanted, table_constraint, column_reference);
}
