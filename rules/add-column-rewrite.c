/* ADD COLUMN rewrites the whole table, under an ACCESS EXCLUSIVE lock for as long as that takes,
 * whenever every existing row needs its own value for the new column:
 *   - a DEFAULT that calls a volatile function (random(), clock_timestamp(), gen_random_uuid(),
 *     nextval(), ...: anywhere in the expression, per effects/volatility.h);
 *   - a serial type (its DEFAULT is nextval()), an identity column, GENERATED ... STORED;
 *   - before PostgreSQL 11, any DEFAULT that is not NULL.
 * From 11 on, a stable or immutable default (now(), CURRENT_TIMESTAMP, literals, casts) is
 * evaluated once and kept in the catalog: no rewrite. A default calling a function pgsieve does
 * not know is reported too, saying that its volatility is unknown, unless a migration read
 * earlier created it: then its declaration says (VOLATILE when it says nothing). Tables created
 * earlier in the migration are empty to everyone else. */
#include <string.h>

#include "effects/types.h"
#include "effects/volatility.h"
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
						 LINT_KINDS_END };

const struct rule rule_add_column_rewrite = {
	.id = "add-column-rewrite",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_REWRITE,
	.summary = "ADD COLUMN that rewrites the whole table under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
	.fix = "the column added without its DEFAULT, then SET DEFAULT for new rows, with the batched backfill as a comment (a column with nothing but a volatile default, or any default before PostgreSQL 11)",
};

/* The release that stopped rewriting the table for a non-volatile default ("fast default"). */
enum { FAST_DEFAULT_SINCE = 11 };
/* Long expressions make unreadable help texts; past this the recipe shows "...". */
enum { EXPR_MAX = 200 };

static const PgQuery__Constraint *find_constraint(const PgQuery__ColumnDef *cd, PgQuery__ConstrType type)
{
	for (size_t i = 0; i < cd->n_constraints; i++) {
		const PgQuery__Node *n = cd->constraints[i];
		if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && n->constraint->contype == type)
			return n->constraint;
	}
	return NULL;
}

/* Functions the migrations read so far created (the model keeps what they declared). */
static enum volatility created_volatility(void *ud, const char *name)
{
	switch (schema_function_volatility(ud, name)) {
	case 'i':
		return VOLATILITY_IMMUTABLE;
	case 's':
		return VOLATILITY_STABLE;
	case 'v':
		return VOLATILITY_VOLATILE;
	default:
		return VOLATILITY_UNKNOWN;
	}
}

/* NULL, or NULL cast to some type: a default that leaves existing rows as they are. */
static int is_null(const PgQuery__Node *e)
{
	while (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && e->type_cast)
		e = e->type_cast->arg;
	return !e || (e->node_case == PG_QUERY__NODE__NODE_A_CONST && e->a_const && e->a_const->isnull);
}

static const char *expr_text(struct lint_ctx *ctx, const PgQuery__Node *e)
{
	const char *s = lint_expr_sql(ctx, e);
	return s && strlen(s) <= EXPR_MAX ? s : "...";
}

/* The recipe for a default: add the column bare, set the default for new rows, backfill. */
static const char *backfill_help(struct lint_ctx *ctx, const char *rel, const char *col,
				 const char *type, const char *expr, int not_null, const char *lead)
{
	return lint_printf(ctx,
			   "%sadd the column without the default, then set the default for new rows "
			   "(neither step rewrites the table), then fill existing rows in batches: ALTER "
			   "TABLE %s ADD COLUMN %s %s; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s; "
			   "UPDATE %s SET %s = %s WHERE %s IS NULL AND <a range of keys>; (one short "
			   "transaction per batch)%s",
			   lead, rel, col, type, rel, col, expr, rel, col, expr, col,
			   not_null ? "; then make it NOT NULL (see set-not-null-blocking)" : "");
}

/* The fix for a default every row would get its own value of: the recipe's first two steps in
 * the statement's place, the column added bare and the default set for new rows (neither
 * rewrites the table), with the backfill as a comment above them, since it belongs in batches
 * outside the migration (unbatched-backfill). Only for an ALTER TABLE of this one command whose
 * column has nothing but its DEFAULT: NOT NULL would fail on the rows left NULL, and other
 * clauses are not the recipe's to move. */
static void fix_default(struct lint_ctx *ctx, const PgQuery__AlterTableCmd *cmd, const PgQuery__ColumnDef *cd,
			const char *rel, const char *col, const char *type, const char *expr)
{
	if (!type || !strcmp(expr, "...") || cd->n_constraints != 1 || cd->is_not_null || cd->coll_clause ||
	    !lint_fix_single_alter(ctx) ||
	    !lint_fix_possible(ctx))
		return;
	struct lint_mark m = lint_mark_here(ctx, -1);
	struct lint_fix *fix = lint_fix_new(ctx, "add the column without its default, then set the default for new rows");
	lint_fix_replace(ctx, fix, m.offset, m.end - m.offset,
			 lint_printf(ctx,
				     "-- backfill the existing rows in batches, one short transaction each, outside "
				     "this migration: UPDATE %s SET %s = %s WHERE %s IS NULL AND <a range of keys>;\n"
				     "ALTER TABLE %s ADD COLUMN %s%s %s;\nALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s",
				     rel, col, expr, col, rel, cmd->missing_ok ? "IF NOT EXISTS " : "", col, type, rel,
				     col, expr));
	lint_fix_attach(ctx, fix);
}

static void add_column(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const PgQuery__AlterTableCmd *cmd,
		       const PgQuery__ColumnDef *cd)
{
	const struct schema_table *t = lint_table(ctx, rv);
	if (cmd->missing_ok && t && schema_column_find(t, cd->colname))
		return; /* ADD COLUMN IF NOT EXISTS of a column that is there: does nothing */
	struct sql_type ty;
	sql_type_from_node(cd->type_name, &ty);
	const PgQuery__Constraint *def = find_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT);
	const PgQuery__Constraint *identity = find_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY);
	const PgQuery__Constraint *generated = find_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED);
	int not_null = cd->is_not_null || find_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) ||
		       find_constraint(cd, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY);
	const char *rel = lint_rel(ctx, rv), *col = lint_ident(ctx, cd->colname);
	const char *type = lint_type_sql(ctx, cd->type_name);
	if (!type)
		type = ty.name;
	const char *lock = lock_mode_name(LOCK_ACCESS_EXCLUSIVE);
	int version = lint_pg_version(ctx);

	if (type_is_serial(ty.name)) {
		const char *base = type_serial_base(ty.name);
		/* the sequence goes where the table is, named as serial would name it */
		const char *schema = *rv->schemaname ? lint_printf(ctx, "%s.", lint_ident(ctx, rv->schemaname)) : "";
		const char *seq = lint_printf(ctx, "%s%s", schema,
					      lint_ident(ctx, lint_printf(ctx, "%s_%s_seq", rv->relname,
									  cd->colname)));
		lint_report(ctx, &rule_add_column_rewrite, ty.location,
			    lint_printf(ctx,
					"add a plain column and its sequence, point the default at it for new "
					"rows, then fill existing rows in batches: ALTER TABLE %s ADD COLUMN %s "
					"%s; CREATE SEQUENCE %s OWNED BY %s.%s; ALTER TABLE %s ALTER COLUMN %s "
					"SET DEFAULT nextval('%s'); UPDATE %s SET %s = nextval('%s') WHERE %s IS "
					"NULL AND <a range of keys>; (one short transaction per batch)%s",
					rel, col, base, seq, rel, col, rel, col, seq, rel, col, seq, col,
					not_null ? "; then make it NOT NULL (see set-not-null-blocking)" : ""),
			    "ALTER TABLE %s ADD COLUMN %s %s rewrites the whole table under an %s lock: every "
			    "existing row gets a value from the new sequence; reads and writes wait until the "
			    "rewrite ends",
			    rel, col, ty.name, lock);
		return;
	}
	if (identity) {
		int always = identity->generated_when && *identity->generated_when == 'a';
		lint_report(ctx, &rule_add_column_rewrite, identity->location,
			    lint_printf(ctx,
					"add a plain column, fill existing rows in batches, make it NOT NULL "
					"(see set-not-null-blocking), then turn it into an identity column, "
					"which rewrites nothing: ALTER TABLE %s ADD COLUMN %s %s; UPDATE ... in "
					"batches; ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY "
					"(START WITH <a value above the filled ones>);",
					rel, col, type, rel, col,
					always ? "ALWAYS" : "BY DEFAULT"),
			    "ALTER TABLE %s ADD COLUMN %s ... AS IDENTITY rewrites the whole table under an %s "
			    "lock: every existing row gets a value from the identity sequence; reads and writes "
			    "wait until the rewrite ends",
			    rel, col, lock);
		return;
	}
	if (generated) {
		lint_report(ctx, &rule_add_column_rewrite, generated->location,
			    lint_printf(ctx,
					"a stored generated column cannot be added without computing every "
					"row; add a plain column %s %s instead, fill it in batches and keep it "
					"current with a trigger (or compute %s in the queries or a view that "
					"need it); on a small table the rewrite may be acceptable",
					col, type, expr_text(ctx, generated->raw_expr)),
			    "ALTER TABLE %s ADD COLUMN %s ... GENERATED ALWAYS AS (...) STORED rewrites the "
			    "whole table under an %s lock: the expression is computed and stored for every "
			    "existing row; reads and writes wait until the rewrite ends",
			    rel, col, lock);
		return;
	}
	if (!def || is_null(def->raw_expr))
		return;
	const char *expr = expr_text(ctx, def->raw_expr);
	if (version < FAST_DEFAULT_SINCE) {
		fix_default(ctx, cmd, cd, rel, col, type, expr);
		lint_report(ctx, &rule_add_column_rewrite, def->location,
			    backfill_help(ctx, rel, col, type, expr, not_null, ""),
			    "ALTER TABLE %s ADD COLUMN %s with a DEFAULT rewrites the whole table under an %s "
			    "lock on PostgreSQL %d (from 11 a non-volatile default does not): reads and writes "
			    "wait until the rewrite ends",
			    rel, col, lock, version);
		return;
	}
	struct volatility_cause cause;
	struct volatility_resolver created = { created_volatility, lint_model(ctx) };
	enum volatility v = expr_volatility_with(def->raw_expr, &created, &cause);
	int at = cause.location >= 0 ? cause.location : def->location;
	if (v == VOLATILITY_VOLATILE) {
		fix_default(ctx, cmd, cd, rel, col, type, expr);
		lint_report(ctx, &rule_add_column_rewrite, at,
			    backfill_help(ctx, rel, col, type, expr, not_null, ""),
			    "ALTER TABLE %s ADD COLUMN %s rewrites the whole table under an %s lock: its "
			    "DEFAULT calls %s(), which is volatile, so every existing row gets its own value; "
			    "reads and writes wait until the rewrite ends",
			    rel, col, lock, cause.func);
	} else if (v == VOLATILITY_UNKNOWN) {
		const char *what =
			cause.func ? lint_printf(ctx, "calls %s(), whose volatility pgsieve does not know", cause.func)
				   : "is too deeply nested for pgsieve to tell whether it is volatile";
		lint_report(ctx, &rule_add_column_rewrite, at,
			    backfill_help(ctx, rel, col, type, expr, not_null,
					  "if the function is IMMUTABLE or STABLE, PostgreSQL stores the "
					  "value once and nothing is rewritten (silence this finding with "
					  "-- pgsieve-ignore add-column-rewrite: <why>); if it is VOLATILE, "),
			    "ALTER TABLE %s ADD COLUMN %s may rewrite the whole table under an %s lock: its "
			    "DEFAULT %s; a volatile default fills every existing row one by one while reads "
			    "and writes wait",
			    rel, col, lock, what);
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	lint_altered_columns(ctx, node->alter_table_stmt, PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn,
			     add_column);
}
