/* ALTER COLUMN ... SET NOT NULL scans every row for NULLs while it holds ACCESS EXCLUSIVE on the
 * table. From PostgreSQL 12 the scan is skipped when a validated CHECK (col IS NOT NULL)
 * constraint already proves it, and that CHECK can be added NOT VALID and validated under a
 * weaker lock: the model tracks such constraints by name through ADD CONSTRAINT ... NOT VALID,
 * VALIDATE CONSTRAINT and DROP CONSTRAINT (schema/apply.c). Tables created earlier in the
 * migration are empty to everyone else.
 *
 * What pgsieve cannot see is said as possible, one severity lower: a SET NOT NULL after this
 * migration validated a constraint the model does not know on the same table (the recipe's own
 * last steps, linted without the migration that added the CHECK: "unless it is CHECK (col IS
 * NOT NULL)"), and ADD PRIMARY KEY USING INDEX of an index, or over a column, the model does
 * not know ("unless every key column is NOT NULL already"). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
						 LINT_KINDS_END };

const struct rule rule_set_not_null_blocking = {
	.id = "set-not-null-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
	.fix = "CHECK NOT VALID, VALIDATE, SET NOT NULL, DROP CONSTRAINT, each committed alone (PostgreSQL 12+, outside a transaction)",
};

/* The release from which a validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its scan. */
enum { CHECK_SHORTCUT_SINCE = 12 };

/* A CHECK (col IS NOT NULL) of the model that is not validated yet, or NULL. */
static const struct schema_notnull_check *unvalidated_check(const struct schema_table *t,
							     const char *column)
{
	for (size_t i = 0; t && i < t->nchecks; i++)
		if (!t->checks[i].validated && t->checks[i].column && !strcmp(t->checks[i].column, column))
			return &t->checks[i];
	return NULL;
}

/* A constraint the model does not know that this migration validated on a table: it may be the
 * CHECK (col IS NOT NULL) of the recipe, added by a migration pgsieve did not read. */
struct unseen_validated {
	struct lint_link link;
	const char *table_key, *name;
};

static void remember_validated(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *name)
{
	const struct schema_table *t = lint_table(ctx, rv);
	if (t && schema_constraint_find(t, name))
		return; /* the model knows what it is */
	struct unseen_validated *u = lint_list_push(ctx, &rule_set_not_null_blocking, sizeof(*u));
	u->table_key = lint_relation_key(ctx, rv);
	u->name = lint_keep(ctx, name);
}

/* The unseen constraint validated on the table that most likely proves the column NOT NULL: one
 * whose name has the column's in it, else the latest. NULL when there is none. */
static const char *validated_unseen(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *column)
{
	const char *key = lint_relation_key(ctx, rv), *any = NULL;
	for (const struct unseen_validated *u = lint_list_head(ctx, &rule_set_not_null_blocking); u; u = u->link.next) {
		if (strcmp(u->table_key, key))
			continue;
		if (strstr(u->name, column))
			return u->name;
		if (!any)
			any = u->name;
	}
	return any;
}

/* cause: NULL for ALTER COLUMN ... SET NOT NULL itself, else the statement that implies it
 * ("ADD PRIMARY KEY USING INDEX "orders_id_idx""). unknown: what pgsieve cannot see that may
 * spare the scan, as a clause for the message ("unless ..."), or NULL when it knows. */
static void set_not_null(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *column,
			 const char *cause, const char *unknown)
{
	const struct schema_table *t = lint_table(ctx, rv);
	int version = lint_pg_version(ctx);
	int shortcut = version >= CHECK_SHORTCUT_SINCE;
	if (shortcut && t && schema_column_has_notnull_check(t, column))
		return;
	const char *unseen = shortcut && !unknown ? validated_unseen(ctx, rv, column) : NULL;
	if (unseen)
		unknown = lint_printf(ctx, "unless the constraint %s this migration validated is CHECK (%s IS "
					   "NOT NULL), which pgsieve cannot see (it was added by a migration "
					   "it did not read)",
				      lint_ident(ctx, unseen), lint_ident(ctx, column));
	const char *rel = lint_rel(ctx, rv), *col = lint_ident(ctx, column);
	const struct schema_notnull_check *pending = shortcut ? unvalidated_check(t, column) : NULL;
	/* an unnamed CHECK (col IS NOT NULL) gets PostgreSQL's name <table>_<col>_check */
	const char *raw = !pending	  ? lint_printf(ctx, "%s_%s_not_null", rv->relname, column)
			  : pending->name ? pending->name
					  : lint_printf(ctx, "%s_%s_check", rv->relname, column);
	const char *name = lint_ident(ctx, raw);
	const char *add = "";
	if (!pending)
		add = lint_printf(ctx, "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID; ",
				  rel, name, col);
	const char *help;
	if (pending)
		help = lint_printf(ctx,
				   "validate the CHECK constraint first, in a later transaction than the one "
				   "that added it (VALIDATE CONSTRAINT holds SHARE UPDATE EXCLUSIVE, so reads "
				   "and writes go on while it scans): ALTER TABLE %s VALIDATE CONSTRAINT %s; "
				   "then SET NOT NULL skips its scan: ALTER TABLE %s ALTER COLUMN %s SET NOT "
				   "NULL; ALTER TABLE %s DROP CONSTRAINT %s;",
				   rel, name, rel, col, rel, name);
	else if (shortcut)
		help = lint_printf(ctx,
				   "prove it with a CHECK constraint first: %sthen, in a later transaction "
				   "(VALIDATE CONSTRAINT holds SHARE UPDATE EXCLUSIVE, so reads and writes go "
				   "on while it scans): ALTER TABLE %s VALIDATE CONSTRAINT %s; then SET NOT "
				   "NULL skips its scan: ALTER TABLE %s ALTER COLUMN %s SET NOT NULL; ALTER "
				   "TABLE %s DROP CONSTRAINT %s;",
				   add, rel, name, rel, col, rel, name);
	else
		help = lint_printf(ctx,
				   "PostgreSQL %d always scans for SET NOT NULL; a CHECK constraint gives the "
				   "same guarantee without the long lock: %sthen, in a later transaction: "
				   "ALTER TABLE %s VALIDATE CONSTRAINT %s; (from PostgreSQL 12, SET NOT NULL "
				   "uses such a constraint and skips the scan)",
				   version, add, rel, name);
	if (unseen)
		help = lint_printf(ctx,
				   "if %s is CHECK (%s IS NOT NULL), as the recipe writes it, SET NOT NULL "
				   "skips its scan and this finding can be silenced: -- pgsieve-ignore "
				   "set-not-null-blocking: %s proves it; pass the migration that added it "
				   "(or --db / --schema) and pgsieve sees it. If it is another constraint, %s",
				   lint_ident(ctx, unseen), col, unseen, help);
	if (cause)
		help = lint_printf(ctx, "make %s NOT NULL first, without the long scan where it can be "
					"skipped, then add the key: %s",
				   col, help);
	const char *what = cause ? lint_printf(ctx, "%s sets %s NOT NULL, which", cause, col)
				 : lint_printf(ctx, "ALTER COLUMN %s SET NOT NULL", col);
	/* The fix: the recipe in the statement's place, each step committed before the next
	 * (outside a transaction), for the statement itself (not a key that implies it) */
	if (shortcut && !pending && !cause && !unknown && !unseen && strlen(raw) < 64 && lint_fix_single_alter(ctx)) {
		const char *steps[] = {
			add[0] ? lint_printf(ctx, "%.*s", (int)strlen(add) - 2, add) : "",
			lint_printf(ctx, "ALTER TABLE %s VALIDATE CONSTRAINT %s", rel, name),
			lint_printf(ctx, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", rel, col),
			/* IF EXISTS: a migration run outside a transaction may be run again
			 * (prefer-robust-statements) */
			lint_printf(ctx, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", rel, name),
		};
		lint_fix_attach(ctx, lint_fix_steps(ctx, "prove NOT NULL with a CHECK validated first, then SET NOT NULL "
						    "skips its scan", steps, 4));
	}
	if (unknown) {
		lint_report_lowered(ctx, &rule_set_not_null_blocking, -1, help,
				    "ALTER TABLE %s %s takes an %s lock and scans every row for NULLs %s: "
				    "reads and writes wait until the scan ends",
				    rel, what, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), unknown);
		return;
	}
	lint_report(ctx, &rule_set_not_null_blocking, -1, help,
		    "ALTER TABLE %s %s takes an %s lock and scans every row for NULLs%s: reads and "
		    "writes wait until the scan ends",
		    rel, what, lock_mode_name(LOCK_ACCESS_EXCLUSIVE),
		    pending ? lint_printf(ctx, " (the CHECK constraint %s is NOT VALID yet, so it cannot "
					       "spare the scan)", name)
			    : "");
}

/* ADD PRIMARY KEY USING INDEX makes the index's columns NOT NULL, with the same scan as SET NOT
 * NULL for each that allows NULLs (seen on a server: one sequential scan of the table under
 * ACCESS EXCLUSIVE; none when the column is NOT NULL already). When the model does not know the
 * index or a column, the scan is possible. */
static void primary_key_using_index(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
				    const PgQuery__Constraint *con)
{
	if (con->contype != PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY || !con->indexname || !*con->indexname)
		return;
	const struct schema_table *t = lint_table(ctx, rv);
	const struct schema_index *ix =
		t ? schema_object_find(lint_model(ctx), SCHEMA_KIND_INDEX, t->schema, con->indexname) : NULL;
	const char *cause = lint_printf(ctx, "ADD PRIMARY KEY USING INDEX %s", lint_ident(ctx, con->indexname));
	if (!ix) {
		const char *rel = lint_rel(ctx, rv);
		lint_report_lowered(
			ctx, &rule_set_not_null_blocking, -1,
			lint_printf(ctx, "make each key column NOT NULL first, without the long scan: ALTER "
					 "TABLE %s ADD CONSTRAINT <name> CHECK (<column> IS NOT NULL) NOT VALID; "
					 "then, in a later transaction, VALIDATE CONSTRAINT <name>; SET NOT NULL, "
					 "which then skips its scan; then add the key",
				    rel),
			"ALTER TABLE %s %s sets the index's columns NOT NULL, which takes an %s lock and scans "
			"every row for NULLs unless every key column is NOT NULL already; the index %s is "
			"unknown to pgsieve (not created earlier in the migrations or the schema)",
			rel, cause, lock_mode_name(LOCK_ACCESS_EXCLUSIVE), lint_ident(ctx, con->indexname));
		return;
	}
	for (size_t i = 0; i < ix->nelems; i++) {
		if (!ix->elems[i].column)
			continue;
		const struct schema_column *c = schema_column_find(t, ix->elems[i].column);
		if (!c)
			set_not_null(ctx, rv, ix->elems[i].column, cause,
				     "unless the column is NOT NULL already, which pgsieve does not know");
		else if (!c->not_null)
			set_not_null(ctx, rv, c->name, cause, NULL);
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__AlterTableStmt *as = node->alter_table_stmt;
	if (!lint_altered_table(ctx, as))
		return;
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull && *cmd->name)
			set_not_null(ctx, as->relation, cmd->name, NULL, NULL);
		else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint && *cmd->name)
			remember_validated(ctx, as->relation, cmd->name);
		else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint && cmd->def &&
			 cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			primary_key_using_index(ctx, as->relation, cmd->def->constraint);
	}
}
