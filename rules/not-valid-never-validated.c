/* not-valid-never-validated: a CHECK or FOREIGN KEY constraint added NOT VALID that no later
 * statement of the migrations being linted validates. NOT VALID is the first half of the safe
 * way to add a constraint to a big table (no scan under the ACCESS EXCLUSIVE lock); the second
 * half, VALIDATE CONSTRAINT, is easy to forget, and until it runs the constraint holds only for
 * new rows: the planner cannot use a CHECK to exclude partitions, the old rows may break it, and
 * a later pg_dump/restore fails on them (the restore validates it).
 *
 * Whether a later migration validates it is known only at the end of the run, so the finding is
 * pending (lint_report_pending) and VALIDATE CONSTRAINT, DROP CONSTRAINT or DROP TABLE take it
 * back. A constraint the schema source already has NOT VALID is reported at the first statement
 * on its table (ALTER TABLE, CREATE INDEX), once per run. A constraint added without a name is
 * left out (a VALIDATE names it by the name PostgreSQL chose, which the statement does not
 * show); so is a constraint renamed before it is validated. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_INDEX_STMT,
	PG_QUERY__NODE__NODE_DROP_STMT,
	LINT_KINDS_END,
};

const struct rule rule_not_valid_never_validated = {
	.id = "not-valid-never-validated",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a constraint added NOT VALID that no later migration validates",
	.kinds = kinds,
	.visit = visit,
};

/* The table as the model keys it, or as written when the model does not know it. */
static const char *key_of(struct lint_ctx *ctx, const char *table, const char *conname)
{
	return lint_printf(ctx, "%s %s", table, conname);
}

static const char *kind_name(char type)
{
	return type == SCHEMA_CON_FOREIGN ? "foreign key" : "CHECK constraint";
}

static const char *help_for(struct lint_ctx *ctx, const char *rel, const char *conname)
{
	return lint_printf(ctx,
			   "validate it in a later migration (or later in this one, after the transaction that added "
			   "it has committed): ALTER TABLE %s VALIDATE CONSTRAINT %s; it scans the table under a SHARE "
			   "UPDATE EXCLUSIVE lock, so reads and writes go on",
			   rel, lint_ident(ctx, conname));
}

static void added(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const char *table, const PgQuery__Constraint *con)
{
	if (!con->skip_validation || !*con->conname)
		return;
	if (con->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN && con->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
		return;
	const char *rel = lint_rel(ctx, rv);
	lint_report_pending(ctx, &rule_not_valid_never_validated, con->location, key_of(ctx, table, con->conname),
			    help_for(ctx, rel, con->conname),
			    "%s %s on %s is added NOT VALID and no later migration validates it: it holds for new rows "
			    "only, the rows already there may break it, and a restore of a dump fails on them",
			    kind_name(con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ? SCHEMA_CON_FOREIGN
											     : SCHEMA_CON_CHECK),
			    lint_ident(ctx, con->conname), rel);
}

/* Whether the ALTER TABLE validates or drops the constraint (NULL: not an ALTER TABLE). */
static int fixed_by(const PgQuery__AlterTableStmt *as, const char *conname)
{
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while (as && (cmd = sql_alter_next(as, &i, 0)))
		if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint ||
		     cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint) &&
		    !strcmp(cmd->name, conname))
			return 1;
	return 0;
}

/* The schema source's own NOT VALID constraints of a table a statement touches (as: the
 * statement, when an ALTER TABLE, whose own VALIDATE or DROP CONSTRAINT are not reported). */
static void touched(struct lint_ctx *ctx, const PgQuery__RangeVar *rv, const PgQuery__AlterTableStmt *as)
{
	if (!lint_model(ctx)->complete || lint_table_is_new(ctx, rv))
		return;
	const struct schema_table *t = lint_table(ctx, rv);
	if (!t)
		return;
	const char *table = lint_relation_key(ctx, rv);
	for (size_t i = 0; i < t->nconstraints; i++) {
		const struct schema_constraint *c = &t->constraints[i];
		if (c->validated || (c->type != SCHEMA_CON_FOREIGN && c->type != SCHEMA_CON_CHECK) || fixed_by(as, c->name))
			continue;
		const char *key = key_of(ctx, table, c->name);
		if (lint_is_pending(ctx, &rule_not_valid_never_validated, key))
			continue;
		const char *rel = lint_printf(ctx, "%s.%s", lint_ident(ctx, t->schema), lint_ident(ctx, t->name));
		lint_report_pending(ctx, &rule_not_valid_never_validated, -1, key, help_for(ctx, rel, c->name),
				    "%s %s on %s is NOT VALID in %s and no migration validates it: it holds for new "
				    "rows only, the rows already there may break it, and a restore of a dump fails on them",
				    kind_name(c->type), lint_ident(ctx, c->name), rel,
				    lint_model(ctx)->source ? lint_model(ctx)->source : "the schema");
	}
}

static void visit_alter(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !as->relation)
		return;
	const char *table = lint_relation_key(ctx, as->relation);
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0)))
		if ((cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint ||
		     cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint) &&
		    *cmd->name)
			lint_withdraw(ctx, &rule_not_valid_never_validated, key_of(ctx, table, cmd->name));
	touched(ctx, as->relation, as);
	i = 0;
	while ((cmd = sql_alter_next(as, &i, PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint)))
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			added(ctx, as->relation, table, cmd->def->constraint);
}

static void visit_drop(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	if (ds->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	for (size_t i = 0; i < ds->n_objects; i++) {
		PgQuery__RangeVar buf;
		const PgQuery__RangeVar *rv = sql_name_list_rangevar(ds->objects[i], &buf);
		if (!rv)
			continue;
		const struct schema_table *t = lint_table(ctx, rv);
		const char *table = lint_relation_key(ctx, rv);
		for (size_t c = 0; t && c < t->nconstraints; c++)
			lint_withdraw(ctx, &rule_not_valid_never_validated, key_of(ctx, table, t->constraints[c].name));
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	/* a down part runs only to undo its up: dropping the constraint there validates nothing */
	if (lint_is_down(ctx))
		return;
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		visit_alter(ctx, node->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		if (node->index_stmt->relation)
			touched(ctx, node->index_stmt->relation, NULL);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		visit_drop(ctx, node->drop_stmt);
		break;
	default:
		break;
	}
}
