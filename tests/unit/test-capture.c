/* sql/capture: libpg_query's parse and scan results are taken as the library builds them, with
 * the library pgsieve is linked against: through the PLT with a shared system libpg_query, at
 * link time with the private static build (subprojects/packagefiles/libpg_query). A build where
 * neither takes effect still works (the bytes are unpacked) but loses the speed; this fails it. */
#include "sql/capture.h"

#include <stdlib.h>

#include "check.h"

static size_t scanned;

static void take(void *ud, PgQuery__ScanToken *const *tokens, size_t n)
{
	(void)ud;
	(void)tokens;
	scanned = n;
}

int main(void)
{
	/* the fallback this test would otherwise not see */
	unsetenv("PGSIEVE_PARSE_UNPACK");

	struct arena a;
	arena_init(&a);
	struct sql_capture cap;
	sql_capture_parse("SELECT 1; ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a + 1);", &a, 1000, &cap);
	CHECK(!cap.result.error);
	CHECK(cap.tree != NULL);
	CHECK_INT(cap.result.parse_tree.len, 0); /* nothing was packed */
	if (cap.tree) {
		CHECK_INT(cap.tree->version / 10000, 17);
		CHECK_INT(cap.tree->n_stmts, 2);
		const PgQuery__Node *st = cap.tree->n_stmts == 2 ? cap.tree->stmts[1]->stmt : NULL;
		CHECK(st && st->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT);
		if (st && st->alter_table_stmt->n_cmds == 1)
			CHECK_INT(st->alter_table_stmt->cmds[0]->alter_table_cmd->subtype,
				  PG_QUERY__ALTER_TABLE_TYPE__AT_SetExpression);
	}
	pg_query_free_protobuf_parse_result(cap.result);

	/* a syntax error: the error, and no tree */
	sql_capture_parse("CREATE TABEL t (id int);", &a, 1000, &cap);
	CHECK(cap.result.error != NULL);
	CHECK(cap.tree == NULL);
	pg_query_free_protobuf_parse_result(cap.result);

	int taken = 0;
	PgQueryScanResult sr = sql_capture_scan("SELECT a FROM t;", take, NULL, &taken);
	CHECK(!sr.error);
	CHECK_INT(taken, 1);
	CHECK_INT(scanned, 5);
	CHECK_INT(sr.pbuf.len, 0);
	pg_query_free_scan_result(sr);

	arena_release(&a);
	return check_finish();
}
