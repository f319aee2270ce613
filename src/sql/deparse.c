/* Turning an expression of the typed tree back into SQL, for help texts that rewrite the
 * user's own statement. libpg_query deparses whole statements only, so the expression is
 * wrapped in a one-column SELECT and the "SELECT " taken off again. */
#include "sql/tree.h"

#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

#include "util/xalloc.h"

char *sql_deparse_expr(const PgQuery__Node *expr)
{
	static const char prefix[] = "SELECT ";
	if (!expr)
		return NULL;

	PgQuery__ResTarget target = PG_QUERY__RES_TARGET__INIT;
	target.val = (PgQuery__Node *)expr; /* only read: packed below */
	target.location = -1;
	PgQuery__Node target_node = PG_QUERY__NODE__INIT;
	target_node.node_case = PG_QUERY__NODE__NODE_RES_TARGET;
	target_node.res_target = &target;
	PgQuery__Node *targets[] = { &target_node };

	PgQuery__SelectStmt select = PG_QUERY__SELECT_STMT__INIT;
	select.n_target_list = 1;
	select.target_list = targets;
	/* enums are 1-based in libpg_query's protobuf: 0 would read as "undefined" */
	select.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
	select.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
	PgQuery__Node select_node = PG_QUERY__NODE__INIT;
	select_node.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
	select_node.select_stmt = &select;

	PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
	raw.stmt = &select_node;
	PgQuery__RawStmt *raws[] = { &raw };
	PgQuery__ParseResult result = PG_QUERY__PARSE_RESULT__INIT;
	result.version = PG_VERSION_NUM;
	result.n_stmts = 1;
	result.stmts = raws;

	size_t len = pg_query__parse_result__get_packed_size(&result);
	uint8_t *buf = xmalloc(len ? len : 1);
	pg_query__parse_result__pack(&result, buf);
	PgQueryProtobuf pb = { len, (char *)buf };
	PgQueryDeparseResult dr = pg_query_deparse_protobuf(pb);
	free(buf);

	char *out = NULL;
	if (!dr.error && dr.query && !strncmp(dr.query, prefix, sizeof(prefix) - 1))
		out = xstrdup(dr.query + sizeof(prefix) - 1);
	pg_query_free_deparse_result(dr);
	return out;
}

/* Deparsed as the target of a cast, NULL::type, which keeps every spelling a column type can
 * have (interval fields, arrays, quoted and qualified names). */
char *sql_deparse_type(const PgQuery__TypeName *tn)
{
	static const char prefix[] = "NULL::";
	if (!tn)
		return NULL;
	PgQuery__AConst null = PG_QUERY__A__CONST__INIT;
	null.isnull = 1;
	null.location = -1;
	PgQuery__Node null_node = PG_QUERY__NODE__INIT;
	null_node.node_case = PG_QUERY__NODE__NODE_A_CONST;
	null_node.a_const = &null;
	PgQuery__TypeCast cast = PG_QUERY__TYPE_CAST__INIT;
	cast.arg = &null_node;
	cast.type_name = (PgQuery__TypeName *)tn; /* only read: packed */
	cast.location = -1;
	PgQuery__Node cast_node = PG_QUERY__NODE__INIT;
	cast_node.node_case = PG_QUERY__NODE__NODE_TYPE_CAST;
	cast_node.type_cast = &cast;
	char *s = sql_deparse_expr(&cast_node);
	if (s && !strncmp(s, prefix, sizeof(prefix) - 1)) {
		memmove(s, s + sizeof(prefix) - 1, strlen(s) - (sizeof(prefix) - 1) + 1);
		return s;
	}
	free(s);
	return NULL;
}
