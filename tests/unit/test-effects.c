/* effects: the lock table checked on a representative set of statements: each ALTER TABLE
 * family, the statements that lock a second relation (foreign keys, partitions, an index's
 * table), the release-dependent facts, and the strongest lock of a statement. */
#include "effects/effects.h"
#include "effects/syntax.h"

#include <string.h>

#include "sql/sql.h"

#include "check.h"

#define R EFFECT_REWRITE
#define SC EFFECT_SCAN
#define V EFFECT_VALIDATE
#define C EFFECT_CATALOG
#define M EFFECT_MAYBE
#define D EFFECT_DESTROY

#define TARGET EFFECT_ROLE_TARGET
#define REF EFFECT_ROLE_REFERENCED
#define PARENT EFFECT_ROLE_PARENT
#define PART EFFECT_ROLE_PARTITION
#define IXTAB EFFECT_ROLE_INDEX_TABLE

#define AS LOCK_ACCESS_SHARE
#define RS LOCK_ROW_SHARE
#define RX LOCK_ROW_EXCLUSIVE
#define SUE LOCK_SHARE_UPDATE_EXCLUSIVE
#define SH LOCK_SHARE
#define SRX LOCK_SHARE_ROW_EXCLUSIVE
#define EX LOCK_EXCLUSIVE
#define AX LOCK_ACCESS_EXCLUSIVE

struct want_effect {
	const char *name; /* NULL: every table (EFFECT_OBJ_ALL) */
	enum effect_role role;
	enum lock_mode lock;
	unsigned set, clear; /* flags that must be set, and flags that must not */
};

static const struct want {
	const char *sql;
	int pg;
	const char *command;
	size_t n;
	struct want_effect e[3];
} wants[] = {
	/* DML */
	{ "UPDATE t SET a = 1", 15, "UPDATE", 1, { { "t", TARGET, RX, EFFECT_ROWS, C } } },
	{ "DELETE FROM s.t WHERE a = 1", 15, "DELETE", 1, { { "t", TARGET, RX, EFFECT_ROWS, 0 } } },
	{ "INSERT INTO t VALUES (1)", 15, "INSERT", 1, { { "t", TARGET, RX, 0, 0 } } },
	{ "SELECT * FROM a JOIN b ON true", 15, "SELECT", 2, { { "a", TARGET, AS, 0, 0 }, { "b", TARGET, AS, 0, 0 } } },
	{ "SELECT * FROM a FOR UPDATE", 15, "SELECT", 1, { { "a", TARGET, RS, 0, 0 } } },
	{ "COPY t FROM STDIN", 15, "COPY", 1, { { "t", TARGET, RX, 0, 0 } } },
	/* ALTER TABLE: one lock for the statement, the strongest of its subcommands */
	{ "ALTER TABLE t ADD COLUMN a int", 15, "ALTER TABLE", 1, { { "t", TARGET, AX, C, R | SC } } },
	{ "ALTER TABLE t ADD COLUMN a int DEFAULT 0", 15, NULL, 1, { { "t", TARGET, AX, C, R } } },
	{ "ALTER TABLE t ADD COLUMN a int DEFAULT 0", 10, NULL, 1, { { "t", TARGET, AX, R, M } } },
	{ "ALTER TABLE t ADD COLUMN a timestamptz DEFAULT now()", 15, NULL, 1, { { "t", TARGET, AX, C, R | M } } },
	{ "ALTER TABLE t ADD COLUMN a uuid DEFAULT gen_random_uuid()", 15, NULL, 1, { { "t", TARGET, AX, R, M | C } } },
	{ "ALTER TABLE t ADD COLUMN a text DEFAULT my_func()", 15, NULL, 1, { { "t", TARGET, AX, R | M, 0 } } },
	{ "ALTER TABLE t ADD COLUMN a text DEFAULT -1::text", 15, NULL, 1, { { "t", TARGET, AX, 0, R } } },
	{ "ALTER TABLE t ADD COLUMN id bigserial", 15, NULL, 1, { { "t", TARGET, AX, R, M } } },
	{ "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED", 15, NULL, 1,
	  { { "t", TARGET, AX, R, 0 } } },
	{ "ALTER TABLE t ADD COLUMN u_id int REFERENCES u (id)", 15, NULL, 2,
	  { { "t", TARGET, AX, V, 0 }, { "u", REF, SRX, V, 0 } } },
	{ "ALTER TABLE t ALTER COLUMN a TYPE bigint", 15, NULL, 1, { { "t", TARGET, AX, R | M, 0 } } },
	{ "ALTER TABLE t ALTER COLUMN a SET NOT NULL", 15, NULL, 1, { { "t", TARGET, AX, SC | V | M, 0 } } },
	{ "ALTER TABLE t ALTER COLUMN a SET NOT NULL", 11, NULL, 1, { { "t", TARGET, AX, SC | V, M } } },
	{ "ALTER TABLE t ALTER COLUMN a DROP NOT NULL", 15, NULL, 1, { { "t", TARGET, AX, C, SC } } },
	{ "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", 15, NULL, 1, { { "t", TARGET, AX, C, 0 } } },
	{ "ALTER TABLE t ALTER COLUMN a SET STATISTICS 500", 15, NULL, 1, { { "t", TARGET, SUE, C, 0 } } },
	{ "ALTER TABLE t ALTER COLUMN a SET (n_distinct = 100)", 15, NULL, 1, { { "t", TARGET, SUE, 0, 0 } } },
	{ "ALTER TABLE t DROP COLUMN a", 15, NULL, 1, { { "t", TARGET, AX, C | D, 0 } } },
	{ "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", 15, NULL, 1, { { "t", TARGET, AX, SC | V, C } } },
	{ "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", 15, NULL, 1, { { "t", TARGET, AX, C, SC | V } } },
	{ "ALTER TABLE t VALIDATE CONSTRAINT c", 15, NULL, 1, { { "t", TARGET, SUE, SC | V, 0 } } },
	{ "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u_id) REFERENCES public.u (id)", 15, NULL, 2,
	  { { "t", TARGET, SRX, SC | V, 0 }, { "u", REF, SRX, SC | V, 0 } } },
	{ "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID", 15, NULL, 2,
	  { { "t", TARGET, SRX, C, V }, { "u", REF, SRX, C, V } } },
	/* a self-reference locks the one table once */
	{ "ALTER TABLE t ADD FOREIGN KEY (parent_id) REFERENCES t (id)", 15, NULL, 1, { { "t", TARGET, SRX, V, 0 } } },
	{ "ALTER TABLE t ADD PRIMARY KEY (id)", 15, NULL, 1, { { "t", TARGET, AX, SC | V, 0 } } },
	{ "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx", 15, NULL, 1,
	  { { "t", TARGET, AX, C | M, 0 } } },
	{ "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX t_idx", 15, NULL, 1, { { "t", TARGET, AX, C, SC } } },
	{ "ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&)", 15, NULL, 1,
	  { { "t", TARGET, AX, SC | V, 0 } } },
	/* a FOREIGN KEY with a CHECK: the table is locked ACCESS EXCLUSIVE for both */
	{ "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID, ADD FOREIGN KEY (u_id) REFERENCES u", 15, NULL, 3,
	  { { "t", TARGET, AX, C, 0 }, { "t", TARGET, AX, SC, 0 }, { "u", REF, SRX, SC, 0 } } },
	{ "ALTER TABLE t DISABLE TRIGGER ALL", 15, NULL, 1, { { "t", TARGET, SRX, C, 0 } } },
	{ "ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = false)", 15, NULL, 1,
	  { { "t", TARGET, SUE, C, 0 } } },
	{ "ALTER TABLE t SET (fillfactor = 70, user_catalog_table = true)", 15, NULL, 1, { { "t", TARGET, AX, C, 0 } } },
	{ "ALTER TABLE t SET TABLESPACE fast", 15, NULL, 1, { { "t", TARGET, AX, R, M } } },
	{ "ALTER TABLE t SET LOGGED", 15, NULL, 1, { { "t", TARGET, AX, R, M } } },
	{ "ALTER TABLE t SET ACCESS METHOD heap2", 15, NULL, 1, { { "t", TARGET, AX, R, 0 } } },
	{ "ALTER TABLE t CLUSTER ON t_idx", 15, NULL, 1, { { "t", TARGET, SUE, C, R } } },
	{ "ALTER TABLE t OWNER TO bob", 15, NULL, 1, { { "t", TARGET, AX, C, 0 } } },
	{ "ALTER TABLE t ENABLE ROW LEVEL SECURITY", 15, NULL, 1, { { "t", TARGET, AX, C, 0 } } },
	{ "ALTER TABLE t INHERIT p", 15, NULL, 2, { { "t", TARGET, AX, C, 0 }, { "p", PARENT, SUE, C, 0 } } },
	/* partitions: the parent, then the partition */
	{ "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (1) TO (10)", 15, NULL, 2,
	  { { "p", PARENT, SUE, C, 0 }, { "p1", PART, AX, SC | V | M, 0 } } },
	{ "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES FROM (1) TO (10)", 11, NULL, 2,
	  { { "p", PARENT, AX, C, 0 }, { "p1", PART, AX, SC, 0 } } },
	{ "ALTER TABLE p DETACH PARTITION p1", 15, NULL, 2, { { "p", PARENT, AX, C, 0 }, { "p1", PART, AX, C, 0 } } },
	{ "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY", 15, NULL, 2,
	  { { "p", PARENT, SUE, C, 0 }, { "p1", PART, AX, C, 0 } } },
	{ "ALTER TABLE p DETACH PARTITION p1 FINALIZE", 15, NULL, 2,
	  { { "p", PARENT, SUE, C, 0 }, { "p1", PART, AX, C, 0 } } },
	{ "CREATE TABLE p2 PARTITION OF p FOR VALUES FROM (10) TO (20)", 15, "CREATE TABLE", 1,
	  { { "p", PARENT, AX, C, 0 } } },
	{ "CREATE TABLE c (a int) INHERITS (p)", 15, NULL, 1, { { "p", PARENT, SUE, C, 0 } } },
	{ "CREATE TABLE c (id int PRIMARY KEY, u_id int REFERENCES u, FOREIGN KEY (id) REFERENCES v (x))", 15,
	  NULL, 2, { { "u", REF, SRX, C, V }, { "v", REF, SRX, C, V } } },
	{ "CREATE TABLE c (a int)", 15, NULL, 0, { { NULL, 0, 0, 0, 0 } } },
	/* indexes: the index's table */
	{ "CREATE INDEX i ON t (a)", 15, "CREATE INDEX", 1, { { "t", TARGET, SH, SC, 0 } } },
	{ "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", 15, "CREATE UNIQUE INDEX", 1,
	  { { "t", TARGET, SUE, SC | V, 0 } } },
	{ "DROP INDEX s.i", 15, "DROP INDEX", 1, { { "i", IXTAB, AX, C, 0 } } },
	{ "DROP INDEX CONCURRENTLY i", 15, NULL, 1, { { "i", IXTAB, SUE, C, 0 } } },
	{ "REINDEX INDEX i", 15, "REINDEX", 2, { { "i", TARGET, AX, SC, 0 }, { "i", IXTAB, SH, SC, 0 } } },
	{ "REINDEX TABLE CONCURRENTLY t", 15, NULL, 1, { { "t", TARGET, SUE, SC, 0 } } },
	{ "ALTER INDEX i RENAME TO j", 15, "ALTER INDEX", 1, { { "i", TARGET, SUE, C, 0 } } },
	{ "ALTER INDEX i RENAME TO j", 11, NULL, 1, { { "i", TARGET, AX, C, 0 } } },
	/* whole-table commands */
	{ "VACUUM t", 15, "VACUUM", 1, { { "t", TARGET, SUE, 0, R } } },
	{ "VACUUM (FULL, ANALYZE) t", 15, "VACUUM FULL", 1, { { "t", TARGET, AX, R, 0 } } },
	{ "VACUUM (FULL false) t", 15, "VACUUM", 1, { { "t", TARGET, SUE, 0, R } } },
	{ "VACUUM FULL", 15, NULL, 1, { { NULL, TARGET, AX, R, 0 } } },
	{ "ANALYZE t", 15, "ANALYZE", 1, { { "t", TARGET, SUE, 0, R | SC } } },
	{ "CLUSTER t USING t_idx", 15, "CLUSTER", 1, { { "t", TARGET, AX, R, 0 } } },
	{ "TRUNCATE a, b CASCADE", 15, "TRUNCATE", 2, { { "a", TARGET, AX, D, 0 }, { "b", TARGET, AX, D, 0 } } },
	{ "DROP TABLE IF EXISTS s.a, b", 15, "DROP TABLE", 2, { { "a", TARGET, AX, D, 0 }, { "b", TARGET, AX, D, 0 } } },
	{ "LOCK TABLE t", 15, "LOCK TABLE", 1, { { "t", TARGET, AX, 0, 0 } } },
	{ "LOCK TABLE a, b IN SHARE ROW EXCLUSIVE MODE", 15, NULL, 2,
	  { { "a", TARGET, SRX, 0, 0 }, { "b", TARGET, SRX, 0, 0 } } },
	{ "REFRESH MATERIALIZED VIEW m", 15, "REFRESH MATERIALIZED VIEW", 1, { { "m", TARGET, AX, R, 0 } } },
	{ "REFRESH MATERIALIZED VIEW CONCURRENTLY m", 15, NULL, 1, { { "m", TARGET, EX, 0, R } } },
	/* catalog commands that still lock */
	{ "CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()", 15, "CREATE TRIGGER", 1,
	  { { "t", TARGET, SRX, C, 0 } } },
	{ "DROP TRIGGER tr ON s.t", 15, "DROP TRIGGER", 1, { { "t", TARGET, AX, C, 0 } } },
	{ "COMMENT ON TABLE t IS 'x'", 15, "COMMENT", 1, { { "t", TARGET, SUE, C, 0 } } },
	{ "COMMENT ON COLUMN s.t.a IS 'x'", 15, NULL, 1, { { "t", TARGET, SUE, C, 0 } } },
	{ "ALTER TABLE t RENAME COLUMN a TO b", 15, "ALTER TABLE", 1, { { "t", TARGET, AX, C, 0 } } },
	{ "ALTER TABLE s.t RENAME TO u", 15, "ALTER TABLE", 1, { { "t", TARGET, AX, C, 0 } } },
	{ "ALTER MATERIALIZED VIEW m RENAME TO n", 15, "ALTER MATERIALIZED VIEW", 1, { { "m", TARGET, AX, C, 0 } } },
	{ "ALTER TABLE t SET SCHEMA archive", 15, "ALTER TABLE", 1, { { "t", TARGET, AX, C, 0 } } },
	{ "CREATE POLICY p ON t USING (true)", 15, "CREATE POLICY", 1, { { "t", TARGET, AX, C, 0 } } },
	{ "CREATE STATISTICS st ON a, b FROM t", 15, "CREATE STATISTICS", 1, { { "t", TARGET, SUE, C, 0 } } },
	{ "CREATE OR REPLACE VIEW v AS SELECT 1", 15, "CREATE OR REPLACE VIEW", 1, { { "v", TARGET, AX, C, 0 } } },
	{ "CREATE VIEW v AS SELECT 1", 15, "CREATE VIEW", 0, { { NULL, 0, 0, 0, 0 } } },
	{ "SET lock_timeout = '2s'", 15, "SET", 0, { { NULL, 0, 0, 0, 0 } } },
};

struct run {
	const struct want *w;
	int seen;
};

static int on_statement(void *ud, const struct sql_stmt *st)
{
	struct run *r = ud;
	const struct want *w = r->w;
	r->seen++;
	if (!CHECK(st->node != NULL)) {
		fprintf(stderr, "    does not parse: %s\n", w->sql);
		return 1;
	}
	struct effect got[EFFECTS_MAX];
	size_t n = effects_of(st->node, w->pg, got, EFFECTS_MAX);
	if (w->command)
		CHECK_STR(effects_command(st->node), w->command);
	if (n != w->n) {
		CHECK_INT(n, w->n);
		fprintf(stderr, "    in: %s (pg %d)\n", w->sql, w->pg);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct want_effect *e = &w->e[i];
		int ok = (e->name ? got[i].name && !strcmp(got[i].name, e->name) : !got[i].name) &&
			 got[i].role == e->role && got[i].lock == e->lock &&
			 (got[i].flags & e->set) == e->set && !(got[i].flags & e->clear);
		if (!CHECK(ok))
			fprintf(stderr,
				"    in: %s (pg %d), effect %zu\n    got %s role %d %s flags %#x\n"
				"    want %s role %d %s, flags with %#x, without %#x\n",
				w->sql, w->pg, i, got[i].name ? got[i].name : "(all)", (int)got[i].role,
				lock_mode_name(got[i].lock), got[i].flags, e->name ? e->name : "(all)", (int)e->role,
				lock_mode_name(e->lock), e->set, e->clear);
	}
	return 0;
}

static void check_table(void)
{
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		struct run r = { &wants[i], 0 };
		struct sql_callbacks cb = { &r, NULL, on_statement };
		sql_parse(wants[i].sql, strlen(wants[i].sql), &cb);
		CHECK_INT(r.seen, 1);
	}
}

/* effects_strongest and effect_rangevar on one statement */
static int on_strongest(void *ud, const struct sql_stmt *st)
{
	(void)ud;
	struct effect e;
	CHECK_INT(effects_strongest(st->node, 15, &e), LOCK_ACCESS_EXCLUSIVE);
	CHECK_STR(e.name, "p1");
	CHECK_INT(e.role, EFFECT_ROLE_PARTITION);
	PgQuery__RangeVar buf;
	const PgQuery__RangeVar *rv = effect_rangevar(&e, &buf);
	CHECK(rv == e.rel);
	CHECK_STR(rv->relname, "p1");
	return 0;
}

static int on_drop(void *ud, const struct sql_stmt *st)
{
	(void)ud;
	struct effect e;
	CHECK_INT(effects_strongest(st->node, 15, &e), LOCK_ACCESS_EXCLUSIVE);
	PgQuery__RangeVar buf;
	const PgQuery__RangeVar *rv = effect_rangevar(&e, &buf);
	CHECK(rv == &buf);
	CHECK_STR(rv->schemaname, "app");
	CHECK_STR(rv->relname, "Orders");
	CHECK_STR(effect_object_name(e.object), "table");
	return 0;
}

/* unsupported-syntax asks the engine for syntax_feature_kinds: each kind of the feature table must
 * be there exactly once (a missing one is never visited, a repeated one visited twice), and each
 * listed kind must have a row; versions are within what --pg-version takes. */
static void test_syntax_feature_kinds(void)
{
	size_t n;
	const struct syntax_feature *f = syntax_features(&n);
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		int listed = 0;
		for (const PgQuery__Node__NodeCase *k = syntax_feature_kinds; *k != PG_QUERY__NODE__NODE__NOT_SET; k++)
			listed += *k == f[i].kind;
		if (!check_record(listed == 1, __FILE__, __LINE__, "a feature's kind is listed once"))
			fprintf(stderr, "    %s: listed %d times\n", f[i].name, listed);
		CHECK(f[i].since >= 11 && f[i].since <= 17);
	}
	for (const PgQuery__Node__NodeCase *k = syntax_feature_kinds; *k != PG_QUERY__NODE__NODE__NOT_SET; k++) {
		int rows = 0;
		for (size_t i = 0; i < n; i++)
			rows += f[i].kind == *k;
		CHECK(rows > 0);
	}
}

/* pg_locks' names of the modes, as a PostgreSQL 15 server printed them (pgsieve trace reads
 * them): each one is its mode, and anything else is none. */
static void test_server_names(void)
{
	static const char *const names[] = { "AccessShareLock", "RowShareLock", "RowExclusiveLock",
					     "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock",
					     "ExclusiveLock", "AccessExclusiveLock" };
	for (int m = LOCK_ACCESS_SHARE; m <= LOCK_ACCESS_EXCLUSIVE; m++)
		CHECK_INT(lock_mode_from_server(names[m - LOCK_ACCESS_SHARE]), m);
	CHECK_INT(lock_mode_from_server("SIReadLock"), LOCK_NONE);
	CHECK_INT(lock_mode_from_server(""), LOCK_NONE);
}

int main(void)
{
	check_table();
	test_server_names();
	const char *attach = "ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)";
	struct sql_callbacks cb = { NULL, NULL, on_strongest };
	sql_parse(attach, strlen(attach), &cb);
	const char *drop = "DROP TABLE app.\"Orders\"";
	cb.statement = on_drop;
	sql_parse(drop, strlen(drop), &cb);
	sql_shutdown();
	test_syntax_feature_kinds();
	return check_finish();
}
