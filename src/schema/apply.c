#include "schema/apply.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#include "effects/volatility.h"
#include "sql/tree.h"

static const char *rv_schema(const PgQuery__RangeVar *rv)
{
	return rv && rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
}

const char *schema_notnull_check_column(const PgQuery__Node *expr)
{
	if (!expr || expr->node_case != PG_QUERY__NODE__NODE_NULL_TEST || !expr->null_test)
		return NULL;
	const PgQuery__NullTest *nt = expr->null_test;
	if (nt->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || !nt->arg ||
	    nt->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return NULL;
	const PgQuery__ColumnRef *cr = nt->arg->column_ref;
	return cr->n_fields == 1 ? sql_node_str(cr->fields[0]) : NULL;
}

static void apply_constraint(struct schema_table *t, const PgQuery__Constraint *con,
			     struct schema_column *col)
{
	switch (con->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		if (col)
			col->not_null = 1;
		for (size_t i = 0; i < con->n_keys; i++) {
			struct schema_column *k = schema_column_find(t, sql_node_str(con->keys[i]) ?: "");
			if (k)
				k->not_null = 1;
		}
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: {
		const char *c = schema_notnull_check_column(con->raw_expr);
		if (c)
			schema_check_add(t, *con->conname ? con->conname : NULL, c, !con->skip_validation);
		break;
	}
	default:
		break;
	}
}

static void apply_column_def(struct schema_table *t, const PgQuery__ColumnDef *cd, int added)
{
	if (!cd || !*cd->colname)
		return;
	struct schema_column *col = schema_column_add(t, cd->colname);
	struct sql_type ty;
	sql_type_from_node(cd->type_name, &ty);
	schema_column_set_type(col, *ty.name ? ty.name : NULL, ty.mods, ty.nmods, ty.array_dims);
	col->added_in_migration = added;
	col->not_null = cd->is_not_null;
	for (size_t i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			apply_constraint(t, cd->constraints[i]->constraint, col);
}

static void apply_create(struct schema_model *m, const PgQuery__CreateStmt *cs)
{
	const PgQuery__RangeVar *rv = cs->relation;
	if (!rv)
		return;
	if (schema_table_find(m, rv_schema(rv), rv->relname) && cs->if_not_exists)
		return;
	struct schema_table *t = schema_table_add(m, rv_schema(rv), rv->relname);
	t->created_in_migration = 1;
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];
		if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			apply_column_def(t, e->column_def, 1);
	}
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *e = cs->table_elts[i];
		if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			apply_constraint(t, e->constraint, NULL);
	}
}

static void apply_alter_cmd(struct schema_table *t, const PgQuery__AlterTableCmd *cmd)
{
	struct schema_column *col = *cmd->name ? schema_column_find(t, cmd->name) : NULL;
	switch (cmd->subtype) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF &&
		    !(cmd->missing_ok && schema_column_find(t, cmd->def->column_def->colname)))
			apply_column_def(t, cmd->def->column_def, 1);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
		schema_column_drop(t, cmd->name);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
		if (col && cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
			struct sql_type ty;
			sql_type_from_node(cmd->def->column_def->type_name, &ty);
			schema_column_set_type(col, *ty.name ? ty.name : NULL, ty.mods, ty.nmods,
					       ty.array_dims);
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
		if (col)
			col->not_null = 1;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
		if (col)
			col->not_null = 0;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
		if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			apply_constraint(t, cmd->def->constraint, NULL);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse:
		schema_check_validate(t, cmd->name);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
		schema_check_drop(t, cmd->name);
		break;
	default:
		break;
	}
}

static void apply_alter(struct schema_model *m, const PgQuery__AlterTableStmt *as)
{
	if (!as->relation || as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	struct schema_table *t = schema_table_find(m, rv_schema(as->relation), as->relation->relname);
	if (!t) /* a table that existed before the migration: known from now on, columns unknown */
		t = schema_table_add(m, rv_schema(as->relation), as->relation->relname);
	for (size_t i = 0; i < as->n_cmds; i++)
		if (as->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			apply_alter_cmd(t, as->cmds[i]->alter_table_cmd);
}

static void apply_index(struct schema_model *m, const PgQuery__IndexStmt *is)
{
	if (!is->relation || !*is->idxname)
		return;
	if (is->if_not_exists && schema_index_find(m, rv_schema(is->relation), is->idxname))
		return;
	struct schema_index *ix = schema_index_add(m, NULL, is->idxname, rv_schema(is->relation),
						   is->relation->relname);
	ix->created_in_migration = 1;
}

/* DROP's objects are lists of String nodes: [schema,] name. */
static void object_name(const PgQuery__Node *obj, const char **schema, const char **name)
{
	*schema = *name = NULL;
	if (!obj || obj->node_case != PG_QUERY__NODE__NODE_LIST)
		return;
	const PgQuery__List *l = obj->list;
	if (l->n_items >= 1)
		*name = sql_node_str(l->items[l->n_items - 1]);
	if (l->n_items >= 2)
		*schema = sql_node_str(l->items[l->n_items - 2]);
}

static void apply_drop(struct schema_model *m, const PgQuery__DropStmt *ds)
{
	for (size_t i = 0; i < ds->n_objects; i++) {
		const char *schema, *name;
		object_name(ds->objects[i], &schema, &name);
		if (!name)
			continue;
		if (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
			schema_table_drop(m, schema, name);
		else if (ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX)
			schema_index_drop(m, schema, name);
	}
}

static void apply_rename(struct schema_model *m, const PgQuery__RenameStmt *rs)
{
	const PgQuery__RangeVar *rv = rs->relation;
	if (!rv || !*rs->newname)
		return;
	if (rs->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE) {
		schema_table_rename(m, rv_schema(rv), rv->relname, rs->newname);
	} else if (rs->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN) {
		struct schema_table *t = schema_table_find(m, rv_schema(rv), rv->relname);
		struct schema_column *c = t ? schema_column_find(t, rs->subname) : NULL;
		if (c && !schema_column_find(t, rs->newname)) {
			free(c->name);
			c->name = xstrdup(rs->newname);
		}
	}
}

void schema_apply(struct schema_model *m, const PgQuery__Node *stmt)
{
	if (!stmt)
		return;
	switch (stmt->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		apply_create(m, stmt->create_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		if (stmt->create_table_as_stmt->into && stmt->create_table_as_stmt->into->rel) {
			const PgQuery__RangeVar *rv = stmt->create_table_as_stmt->into->rel;
			schema_table_add(m, rv_schema(rv), rv->relname)->created_in_migration = 1;
		}
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		apply_alter(m, stmt->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		apply_index(m, stmt->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		apply_drop(m, stmt->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		apply_rename(m, stmt->rename_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT: {
		/* what a column default calling it costs depends on its volatility */
		const char *name;
		enum volatility v = volatility_declared(stmt, &name);
		if (name && !stmt->create_function_stmt->is_procedure)
			schema_function_set(m, name, v == VOLATILITY_IMMUTABLE ? 'i'
						     : v == VOLATILITY_STABLE  ? 's'
									       : 'v');
		break;
	}
	default:
		break;
	}
}
