/* The SQL statements a DO block runs, found with libpg_query's PL/pgSQL parser so that they are
 * linted like the migration's own statements, at their real place in the file. */
#include "sql/sql.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <pg_query.h>

#include "util/strbuf.h"
#include "util/xalloc.h"

struct finder {
	const char *body; /* the DO block's code, inside its dollar quotes */
	size_t len;
	uint32_t body_offset; /* where body stands in the file */
	size_t search_from;
	void (*found)(void *ud, uint32_t offset, uint32_t length);
	void *ud;
};

/* Byte offset in body where 1-based line `lineno` starts. */
static size_t line_start(const char *body, size_t len, json_int_t lineno)
{
	size_t i = 0;
	for (json_int_t line = 1; line < lineno && i < len; i++)
		if (body[i] == '\n')
			line++;
	return i;
}

/* PL/pgSQL keeps an embedded statement's text as written, so it is found verbatim in the body,
 * at or after the line the parser reports for it. */
static void locate(struct finder *f, const char *query, json_int_t lineno, int quoted)
{
	size_t qlen = strlen(query);
	if (quoted) { /* EXECUTE 'literal': only a literal without doubled quotes maps 1:1 */
		if (qlen < 2 || query[0] != '\'' || query[qlen - 1] != '\'' ||
		    strstr(query + 1, "''") || memchr(query + 1, '\'', qlen - 2))
			return;
		query++;
		qlen -= 2;
	}
	if (qlen == 0)
		return;
	size_t from = line_start(f->body, f->len, lineno);
	if (from < f->search_from)
		from = f->search_from;
	for (size_t i = from; i + qlen <= f->len; i++) {
		if (!memcmp(f->body + i, query, qlen)) {
			f->found(f->ud, f->body_offset + (uint32_t)i, (uint32_t)qlen);
			f->search_from = i + qlen;
			return;
		}
	}
}

static void walk(struct finder *f, json_t *j)
{
	if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			walk(f, v);
		return;
	}
	if (!json_is_object(j))
		return;
	json_t *exec = json_object_get(j, "PLpgSQL_stmt_execsql");
	json_t *dyn = json_object_get(j, "PLpgSQL_stmt_dynexecute");
	if (exec) {
		json_t *q = json_object_get(json_object_get(json_object_get(exec, "sqlstmt"), "PLpgSQL_expr"), "query");
		if (json_is_string(q))
			locate(f, json_string_value(q), json_integer_value(json_object_get(exec, "lineno")), 0);
		return;
	}
	if (dyn) {
		json_t *q = json_object_get(json_object_get(json_object_get(dyn, "query"), "PLpgSQL_expr"), "query");
		if (json_is_string(q))
			locate(f, json_string_value(q), json_integer_value(json_object_get(dyn, "lineno")), 1);
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v)
		walk(f, v);
}

int sql_do_block_statements(const char *text, const struct sql_stmt *stmt,
			    void (*found)(void *ud, uint32_t offset, uint32_t length), void *ud)
{
	/* The code is the statement's dollar-quoted string constant: $tag$ ... $tag$. */
	const struct sql_token *code = NULL;
	for (size_t i = 0; i < stmt->ntokens; i++)
		if (stmt->tokens[i].kind == PG_QUERY__TOKEN__SCONST && text[stmt->tokens[i].start] == '$')
			code = &stmt->tokens[i];
	if (!code)
		return -1;
	const char *open = text + code->start;
	const char *tag_end = memchr(open + 1, '$', code->end - code->start - 1);
	if (!tag_end)
		return -1;
	size_t tag = (size_t)(tag_end - open) + 1;
	if (code->end - code->start < 2 * tag)
		return -1;
	struct finder f = { open + tag, code->end - code->start - 2 * tag, code->start + (uint32_t)tag, 0,
			    found, ud };

	struct strbuf fn = STRBUF_INIT;
	strbuf_addstr(&fn, "CREATE FUNCTION pgsieve_do_block() RETURNS void LANGUAGE plpgsql AS ");
	strbuf_add(&fn, open, code->end - code->start);
	PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(strbuf_str(&fn));
	strbuf_release(&fn);
	int rc = -1;
	if (!r.error && r.plpgsql_funcs) {
		json_t *tree = json_loads(r.plpgsql_funcs, 0, NULL);
		if (tree) {
			walk(&f, tree);
			json_decref(tree);
			rc = 0;
		}
	}
	pg_query_free_plpgsql_parse_result(r);
	return rc;
}
