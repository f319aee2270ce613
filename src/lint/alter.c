/* Helpers for the rules about ALTER TABLE: which statements change a table other sessions use,
 * and the constraints a statement adds. Built on the rule API only (lint/rule.h). */
#include "lint/rule.h"

const PgQuery__RangeVar *lint_altered_table(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	/* a table created earlier in the migration is empty to everyone else, and ALTER INDEX,
	 * ALTER VIEW, ALTER SEQUENCE ... arrive as AlterTableStmt too */
	if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !as->relation ||
	    lint_table_is_new(ctx, as->relation))
		return NULL;
	return as->relation;
}

void lint_altered_columns(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as,
			  PgQuery__AlterTableType subtype, lint_column_cmd_fn *fn)
{
	if (!lint_altered_table(ctx, as))
		return;
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, subtype)))
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			fn(ctx, as->relation, cmd, cmd->def->column_def);
}

void lint_altered_old_columns(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as,
			      PgQuery__AlterTableType subtype, lint_alter_cmd_fn *fn)
{
	if (!lint_altered_table(ctx, as))
		return;
	const struct schema_table *t = lint_table(ctx, as->relation);
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, subtype))) {
		if (!*cmd->name)
			continue;
		const struct schema_column *c = t ? schema_column_find(t, cmd->name) : NULL;
		if (!c || !c->added_in_migration)
			fn(ctx, as->relation, cmd);
	}
}

void lint_added_constraints(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as,
			    int (*wanted)(const PgQuery__Constraint *con), lint_table_constraint_fn *table,
			    lint_column_constraint_fn *column)
{
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		const PgQuery__Node *def = cmd->def;
		if (!def)
			continue;
		if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
		    def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && wanted(def->constraint)) {
			table(ctx, as->relation, def->constraint);
		} else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
			   def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
			const PgQuery__ColumnDef *cd = def->column_def;
			for (size_t k = 0; k < cd->n_constraints; k++) {
				const PgQuery__Node *c = cd->constraints[k];
				if (c->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && wanted(c->constraint))
					column(ctx, as->relation, cd, c->constraint);
			}
		}
	}
}

const char *lint_ident_list(struct lint_ctx *ctx, PgQuery__Node *const *items, size_t n)
{
	const char *out = "";
	for (size_t i = 0; i < n; i++) {
		const char *s = sql_node_str(items[i]);
		out = lint_printf(ctx, "%s%s%s", out, i ? ", " : "", lint_ident(ctx, s ? s : ""));
	}
	return out;
}
