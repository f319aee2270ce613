/* Turning an expression of the typed tree back into SQL, for help texts that rewrite the
 * user's own statement and for the schema model's normalised expressions. libpg_query
 * deparses whole statements only, so the expression is wrapped in a one-column SELECT and the
 * "SELECT " taken off again.
 *
 * One deparse costs about 250,000 instructions whatever the expression (the tree is packed,
 * unpacked again by libpg_query, turned into PostgreSQL's nodes in a fresh memory context),
 * and migrations repeat the same types and defaults over and over: results are cached by the
 * expression's content (sql_tree_key, which leaves out source positions). The cache belongs
 * to the thread that asks. */
#include "sql/tree.h"

#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

#include "sql/pbtree.h"
#include "sql/sql.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* Enough for every distinct type and default of a large migration history; past it the cache
 * starts again, so a file of a million distinct literals uses bounded memory. */
enum { DEPARSE_CACHE_MAX = 8192 };

static _Thread_local struct strmap deparse_cache;
static const char deparse_failed[] = ""; /* a cached NULL */

void sql_deparse_cache_release(void)
{
	size_t it = 0;
	const char *key;
	void *value;
	while (strmap_next(&deparse_cache, &it, &key, &value))
		if (value != deparse_failed)
			free(value);
	strmap_release(&deparse_cache);
}

static char *deparse_uncached(const PgQuery__Node *expr)
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

char *sql_deparse_expr(const PgQuery__Node *expr)
{
	if (!expr)
		return NULL;
	struct strbuf key = STRBUF_INIT;
	if (sql_tree_key(&expr->base, &key) != 0) {
		strbuf_release(&key);
		return deparse_uncached(expr);
	}
	const char *hit = strmap_get(&deparse_cache, strbuf_str(&key));
	if (hit) {
		strbuf_release(&key);
		return hit == deparse_failed ? NULL : xstrdup(hit);
	}
	char *out = deparse_uncached(expr);
	if (deparse_cache.count >= DEPARSE_CACHE_MAX)
		sql_deparse_cache_release();
	strmap_put(&deparse_cache, strbuf_str(&key), out ? xstrdup(out) : (void *)deparse_failed);
	strbuf_release(&key);
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
