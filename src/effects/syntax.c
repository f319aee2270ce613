#include "effects/syntax.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "effects/notx.h"
#include "sql/tree.h"

static int merge_returning(const PgQuery__Node *n)
{
	return n->merge_stmt->n_returning_list > 0;
}

static int not_matched_by_source(const PgQuery__Node *n)
{
	return n->merge_when_clause->match_kind == PG_QUERY__MERGE_MATCH_KIND__MERGE_WHEN_NOT_MATCHED_BY_SOURCE;
}

static int set_expression(const PgQuery__Node *n)
{
	return n->alter_table_cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetExpression;
}

static int set_compression(const PgQuery__Node *n)
{
	return n->alter_table_cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression;
}

static int column_compression(const PgQuery__Node *n)
{
	return n->column_def->compression && *n->column_def->compression;
}

static int json_exists(const PgQuery__Node *n)
{
	return n->json_func_expr->op == PG_QUERY__JSON_EXPR_OP__JSON_EXISTS_OP;
}

static int json_query(const PgQuery__Node *n)
{
	return n->json_func_expr->op == PG_QUERY__JSON_EXPR_OP__JSON_QUERY_OP;
}

static int json_value(const PgQuery__Node *n)
{
	return n->json_func_expr->op == PG_QUERY__JSON_EXPR_OP__JSON_VALUE_OP;
}

static int has_option(PgQuery__Node *const *opts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && !strcasecmp(opts[i]->def_elem->defname, name))
			return 1;
	return 0;
}

static int copy_on_error(const PgQuery__Node *n)
{
	return has_option(n->copy_stmt->options, n->copy_stmt->n_options, "on_error");
}

static int grant_inherit_or_set(const PgQuery__Node *n)
{
	const PgQuery__GrantRoleStmt *g = n->grant_role_stmt;
	/* 16's grammar puts WITH ADMIN OPTION in this list too ("admin"), which 15 had */
	return g->is_grant && (has_option(g->opt, g->n_opt, "inherit") || has_option(g->opt, g->n_opt, "set"));
}

static int index_nulls_not_distinct(const PgQuery__Node *n)
{
	return n->index_stmt->nulls_not_distinct;
}

static int constraint_nulls_not_distinct(const PgQuery__Node *n)
{
	return n->constraint->nulls_not_distinct;
}

static int index_include(const PgQuery__Node *n)
{
	return n->index_stmt->n_index_including_params > 0;
}

static int constraint_include(const PgQuery__Node *n)
{
	return n->constraint->n_including > 0;
}

static int generated_stored(const PgQuery__Node *n)
{
	return n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED;
}

static int procedure(const PgQuery__Node *n)
{
	return n->create_function_stmt->is_procedure;
}

static int sql_standard_body(const PgQuery__Node *n)
{
	return n->create_function_stmt->sql_body != NULL;
}

static int reindex_concurrently(const PgQuery__Node *n)
{
	return notx_reindex_concurrently(n->reindex_stmt);
}

static int detach_concurrently(const PgQuery__Node *n)
{
	return n->partition_cmd->concurrent;
}

static int or_replace_trigger(const PgQuery__Node *n)
{
	return n->create_trig_stmt->replace;
}

/* The grammar writes SYSTEM_USER as a call of pg_catalog.system_user() in SQL syntax. */
static int system_user(const PgQuery__Node *n)
{
	const PgQuery__FuncCall *f = n->func_call;
	const char *name = sql_names_last(f->funcname, f->n_funcname);
	return f->funcformat == PG_QUERY__COERCION_FORM__COERCE_SQL_SYNTAX && name && !strcmp(name, "system_user");
}

/* Checked in each release's notes ("E.x. Release N", postgresql.org/docs/N/release-N.html) and,
 * for 17, the commits the notes cite. Ordered by version. */
static const struct syntax_feature features[] = {
	{ PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT, procedure, 11, "CREATE PROCEDURE" },
	{ PG_QUERY__NODE__NODE_CALL_STMT, NULL, 11, "CALL" },
	{ PG_QUERY__NODE__NODE_INDEX_STMT, index_include, 11, "INCLUDE (...) on an index" },
	{ PG_QUERY__NODE__NODE_CONSTRAINT, constraint_include, 11, "INCLUDE (...) on a constraint" },
	{ PG_QUERY__NODE__NODE_CONSTRAINT, generated_stored, 12, "GENERATED ALWAYS AS (...) STORED" },
	{ PG_QUERY__NODE__NODE_REINDEX_STMT, reindex_concurrently, 12, "REINDEX CONCURRENTLY" },
	{ PG_QUERY__NODE__NODE_PARTITION_CMD, detach_concurrently, 14, "DETACH PARTITION ... CONCURRENTLY" },
	{ PG_QUERY__NODE__NODE_CREATE_TRIG_STMT, or_replace_trigger, 14, "CREATE OR REPLACE TRIGGER" },
	{ PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT, sql_standard_body, 14, "a SQL-standard function body (BEGIN ATOMIC or RETURN)" },
	{ PG_QUERY__NODE__NODE_ALTER_TABLE_CMD, set_compression, 14, "ALTER COLUMN ... SET COMPRESSION" },
	{ PG_QUERY__NODE__NODE_COLUMN_DEF, column_compression, 14, "COMPRESSION on a column" },
	{ PG_QUERY__NODE__NODE_MERGE_STMT, NULL, 15, "MERGE" },
	{ PG_QUERY__NODE__NODE_INDEX_STMT, index_nulls_not_distinct, 15, "NULLS NOT DISTINCT" },
	{ PG_QUERY__NODE__NODE_CONSTRAINT, constraint_nulls_not_distinct, 15, "NULLS NOT DISTINCT" },
	{ PG_QUERY__NODE__NODE_JSON_OBJECT_CONSTRUCTOR, NULL, 16, "JSON_OBJECT()" },
	{ PG_QUERY__NODE__NODE_JSON_ARRAY_CONSTRUCTOR, NULL, 16, "JSON_ARRAY()" },
	{ PG_QUERY__NODE__NODE_JSON_ARRAY_QUERY_CONSTRUCTOR, NULL, 16, "JSON_ARRAY(query)" },
	{ PG_QUERY__NODE__NODE_JSON_OBJECT_AGG, NULL, 16, "JSON_OBJECTAGG()" },
	{ PG_QUERY__NODE__NODE_JSON_ARRAY_AGG, NULL, 16, "JSON_ARRAYAGG()" },
	{ PG_QUERY__NODE__NODE_JSON_IS_PREDICATE, NULL, 16, "IS JSON" },
	{ PG_QUERY__NODE__NODE_FUNC_CALL, system_user, 16, "SYSTEM_USER" },
	{ PG_QUERY__NODE__NODE_GRANT_ROLE_STMT, grant_inherit_or_set, 16, "GRANT ... WITH INHERIT or SET" },
	{ PG_QUERY__NODE__NODE_ALTER_TABLE_CMD, set_expression, 17, "ALTER COLUMN ... SET EXPRESSION" },
	{ PG_QUERY__NODE__NODE_MERGE_STMT, merge_returning, 17, "MERGE ... RETURNING" },
	{ PG_QUERY__NODE__NODE_MERGE_WHEN_CLAUSE, not_matched_by_source, 17, "MERGE ... WHEN NOT MATCHED BY SOURCE" },
	{ PG_QUERY__NODE__NODE_MERGE_SUPPORT_FUNC, NULL, 17, "merge_action()" },
	{ PG_QUERY__NODE__NODE_JSON_TABLE, NULL, 17, "JSON_TABLE" },
	{ PG_QUERY__NODE__NODE_JSON_FUNC_EXPR, json_exists, 17, "JSON_EXISTS()" },
	{ PG_QUERY__NODE__NODE_JSON_FUNC_EXPR, json_query, 17, "JSON_QUERY()" },
	{ PG_QUERY__NODE__NODE_JSON_FUNC_EXPR, json_value, 17, "JSON_VALUE()" },
	{ PG_QUERY__NODE__NODE_JSON_PARSE_EXPR, NULL, 17, "JSON()" },
	{ PG_QUERY__NODE__NODE_JSON_SCALAR_EXPR, NULL, 17, "JSON_SCALAR()" },
	{ PG_QUERY__NODE__NODE_JSON_SERIALIZE_EXPR, NULL, 17, "JSON_SERIALIZE()" },
	{ PG_QUERY__NODE__NODE_COPY_STMT, copy_on_error, 17, "COPY ... ON_ERROR" },
};

/* Every kind of the table once (tests/unit/test-effects.c checks that they match). */
const PgQuery__Node__NodeCase syntax_feature_kinds[] = {
	PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT,
	PG_QUERY__NODE__NODE_CALL_STMT,
	PG_QUERY__NODE__NODE_INDEX_STMT,
	PG_QUERY__NODE__NODE_CONSTRAINT,
	PG_QUERY__NODE__NODE_REINDEX_STMT,
	PG_QUERY__NODE__NODE_PARTITION_CMD,
	PG_QUERY__NODE__NODE_CREATE_TRIG_STMT,
	PG_QUERY__NODE__NODE_ALTER_TABLE_CMD,
	PG_QUERY__NODE__NODE_COLUMN_DEF,
	PG_QUERY__NODE__NODE_MERGE_STMT,
	PG_QUERY__NODE__NODE_JSON_OBJECT_CONSTRUCTOR,
	PG_QUERY__NODE__NODE_JSON_ARRAY_CONSTRUCTOR,
	PG_QUERY__NODE__NODE_JSON_ARRAY_QUERY_CONSTRUCTOR,
	PG_QUERY__NODE__NODE_JSON_OBJECT_AGG,
	PG_QUERY__NODE__NODE_JSON_ARRAY_AGG,
	PG_QUERY__NODE__NODE_JSON_IS_PREDICATE,
	PG_QUERY__NODE__NODE_FUNC_CALL,
	PG_QUERY__NODE__NODE_GRANT_ROLE_STMT,
	PG_QUERY__NODE__NODE_MERGE_WHEN_CLAUSE,
	PG_QUERY__NODE__NODE_MERGE_SUPPORT_FUNC,
	PG_QUERY__NODE__NODE_JSON_TABLE,
	PG_QUERY__NODE__NODE_JSON_FUNC_EXPR,
	PG_QUERY__NODE__NODE_JSON_PARSE_EXPR,
	PG_QUERY__NODE__NODE_JSON_SCALAR_EXPR,
	PG_QUERY__NODE__NODE_JSON_SERIALIZE_EXPR,
	PG_QUERY__NODE__NODE_COPY_STMT,
	PG_QUERY__NODE__NODE__NOT_SET,
};

const struct syntax_feature *syntax_features(size_t *n)
{
	*n = sizeof(features) / sizeof(features[0]);
	return features;
}

const struct syntax_feature *syntax_feature_unsupported(const PgQuery__Node *n, int pg_version)
{
	const struct syntax_feature *found = NULL;
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct syntax_feature *f = &features[i];
		if (f->kind != n->node_case || f->since <= pg_version || (found && found->since >= f->since))
			continue;
		if (!f->present || f->present(n))
			found = f;
	}
	return found;
}
