#include "catalog/observe.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/session.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* How long one query of pgsieve's own (a snapshot, a lock sample) may take. */
#define OBSERVE_QUERY_SECONDS 30.0
/* How often the second connection samples pg_locks while a statement runs. */
#define OBSERVE_SAMPLE_MS 20

struct observer {
	struct session run, watch;
	double statement_timeout;
	int backend_pid;
	int version;
	/* the data lines of the next statement's COPY ... FROM STDIN (observer_copy_data) */
	const char *copy_data;
	size_t copy_len;
};

/* One relation of a snapshot. */
struct snap_rel {
	unsigned oid;
	char *schema, *name, *table;
	char kind;
	unsigned long relfilenode;
	long seq, idx;
};

struct snapshot {
	struct snap_rel *rels;
	size_t n;
	/* the statements' backend's relation locks: oid and mode, granted or not */
	struct snap_lock {
		unsigned oid;
		enum lock_mode mode;
		int granted;
	} *locks;
	size_t nlocks;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* FirstNormalObjectId: below it, the system's own objects */
#define FIRST_USER_OID 16384

static const char snapshot_sql[] =
	"SELECT c.oid, n.nspname, c.relname, c.relkind, c.relfilenode, "
	"  coalesce(tn.nspname || '.' || t.relname, ''), "
	"  coalesce(s.seq_scan, 0), "
	"  coalesce(s.idx_scan, 0) "
	"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid "
	"LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid "
	"LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
	"LEFT JOIN pg_catalog.pg_stat_xact_user_tables s ON s.relid = c.oid "
	"WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'i', 'I', 'm', 'S', 'v', 'f') "
	"AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'";

static const char locks_sql[] =
	"SELECT l.relation, l.mode, l.granted FROM pg_catalog.pg_locks l "
	"WHERE l.pid = $1 AND l.locktype = 'relation' AND l.relation >= 16384 "
	"AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())";

static PGresult *query(struct session *s, const char *sql, int nparams, const char *const *values, const char *what)
{
	s->deadline = now_seconds() + OBSERVE_QUERY_SECONDS;
	return session_query_params(s, sql, nparams, values, what);
}

static void snapshot_release(struct snapshot *sn)
{
	for (size_t i = 0; i < sn->n; i++) {
		free(sn->rels[i].schema);
		free(sn->rels[i].name);
		free(sn->rels[i].table);
	}
	free(sn->rels);
	free(sn->locks);
	memset(sn, 0, sizeof(*sn));
}

static int read_locks(struct session *s, int pid, struct snap_lock **out, size_t *n, size_t *cap)
{
	char pidtext[32];
	snprintf(pidtext, sizeof(pidtext), "%d", pid);
	const char *const values[] = { pidtext };
	PGresult *r = query(s, locks_sql, 1, values, "reading pg_locks");
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		XGROW(*out, *n + 1, *cap);
		struct snap_lock *l = &(*out)[(*n)++];
		l->oid = (unsigned)strtoul(PQgetvalue(r, i, 0), NULL, 10);
		l->mode = lock_mode_from_server(PQgetvalue(r, i, 1));
		l->granted = PQgetvalue(r, i, 2)[0] == 't';
	}
	PQclear(r);
	return 0;
}

/* The relations and the statements' backend's locks, as session s sees them. */
static int take_snapshot(struct observer *o, struct session *s, struct snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	PGresult *r = query(s, snapshot_sql, 0, NULL, "reading the relations");
	if (!r)
		return -1;
	sn->n = (size_t)PQntuples(r);
	sn->rels = xcalloc(sn->n + 1, sizeof(*sn->rels));
	for (size_t i = 0; i < sn->n; i++) {
		struct snap_rel *e = &sn->rels[i];
		e->oid = (unsigned)strtoul(PQgetvalue(r, (int)i, 0), NULL, 10);
		e->schema = xstrdup(PQgetvalue(r, (int)i, 1));
		e->name = xstrdup(PQgetvalue(r, (int)i, 2));
		e->kind = PQgetvalue(r, (int)i, 3)[0];
		e->relfilenode = strtoul(PQgetvalue(r, (int)i, 4), NULL, 10);
		const char *t = PQgetvalue(r, (int)i, 5);
		e->table = *t ? xstrdup(t) : NULL;
		e->seq = strtol(PQgetvalue(r, (int)i, 6), NULL, 10);
		e->idx = strtol(PQgetvalue(r, (int)i, 7), NULL, 10);
	}
	PQclear(r);
	size_t cap = 0;
	if (read_locks(s, o->backend_pid, &sn->locks, &sn->nlocks, &cap) != 0) {
		snapshot_release(sn);
		return -1;
	}
	return 0;
}

static const struct snap_rel *snap_find(const struct snapshot *sn, unsigned oid)
{
	for (size_t i = 0; i < sn->n; i++)
		if (sn->rels[i].oid == oid)
			return &sn->rels[i];
	return NULL;
}

static int snap_holds(const struct snapshot *sn, unsigned oid, enum lock_mode mode)
{
	for (size_t i = 0; i < sn->nlocks; i++)
		if (sn->locks[i].oid == oid && sn->locks[i].mode == mode && sn->locks[i].granted)
			return 1;
	return 0;
}

static void rel_copy(struct obs_rel *to, const struct snap_rel *from, int created)
{
	to->schema = xstrdup(from->schema);
	to->name = xstrdup(from->name);
	to->kind = from->kind;
	to->table = from->table ? xstrdup(from->table) : NULL;
	to->created = created;
}

static void rel_release(struct obs_rel *r)
{
	free(r->schema);
	free(r->name);
	free(r->table);
}

void obs_result_release(struct obs_result *r)
{
	for (size_t i = 0; i < r->nlocks; i++)
		rel_release(&r->locks[i].rel);
	for (size_t i = 0; i < r->nrewrites; i++)
		rel_release(&r->rewrites[i]);
	for (size_t i = 0; i < r->nscans; i++)
		rel_release(&r->scans[i].rel);
	free(r->locks);
	free(r->rewrites);
	free(r->scans);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* Adds a lock of the statement's, once per relation and mode (granted wins over waiting). */
static void add_lock(struct obs_result *r, size_t *cap, const struct snap_rel *rel, int created, enum lock_mode mode,
		     int granted, int held_before)
{
	for (size_t i = 0; i < r->nlocks; i++) {
		struct obs_lock *l = &r->locks[i];
		if (l->mode == mode && !strcmp(l->rel.schema, rel->schema) && !strcmp(l->rel.name, rel->name)) {
			l->granted |= granted;
			return;
		}
	}
	XGROW(r->locks, r->nlocks + 1, *cap);
	struct obs_lock *l = &r->locks[r->nlocks++];
	memset(l, 0, sizeof(*l));
	rel_copy(&l->rel, rel, created);
	l->mode = mode;
	l->granted = granted;
	l->held_before = held_before;
}

static int lock_order(const void *a, const void *b)
{
	const struct obs_lock *x = a, *y = b;
	int c = strcmp(x->rel.schema, y->rel.schema);
	if (!c)
		c = strcmp(x->rel.name, y->rel.name);
	return c ? c : (int)y->mode - (int)x->mode;
}

/* What changed between the snapshots, plus the locks sampled from outside (sampled, on the
 * relations of before or after). */
static void compare(const struct snapshot *before, const struct snapshot *after, const struct snap_lock *sampled,
		    size_t nsampled, struct obs_result *r)
{
	size_t lcap = 0, rcap = 0, scap = 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct snap_lock *ls = pass ? sampled : after->locks;
		size_t n = pass ? nsampled : after->nlocks;
		for (size_t i = 0; i < n; i++) {
			int held = snap_holds(before, ls[i].oid, ls[i].mode);
			const struct snap_rel *rel = snap_find(before, ls[i].oid);
			int created = 0;
			if (!rel) {
				rel = snap_find(after, ls[i].oid);
				created = 1;
			}
			if (rel)
				add_lock(r, &lcap, rel, created, ls[i].mode, ls[i].granted, held);
		}
	}
	if (r->nlocks > 1)
		qsort(r->locks, r->nlocks, sizeof(*r->locks), lock_order);
	for (size_t i = 0; i < after->n; i++) {
		const struct snap_rel *a = &after->rels[i], *b = snap_find(before, a->oid);
		if (!b)
			continue;
		if (a->relfilenode != b->relfilenode && a->relfilenode != 0) {
			XGROW(r->rewrites, r->nrewrites + 1, rcap);
			rel_copy(&r->rewrites[r->nrewrites++], a, 0);
		}
		long seq = a->seq - b->seq, idx = a->idx - b->idx;
		if (seq > 0 || idx > 0) {
			XGROW(r->scans, r->nscans + 1, scap);
			struct obs_scan *s = &r->scans[r->nscans++];
			memset(s, 0, sizeof(*s));
			rel_copy(&s->rel, a, 0);
			s->seq = seq > 0 ? seq : 0;
			s->idx = idx > 0 ? idx : 0;
		}
	}
}

static int settings(struct session *s)
{
	/* search_path as a migration tool's connection has it; the statements' own SETs apply
	 * after these. No lock_timeout: on a throwaway server nothing else holds locks, and on a
	 * scratch database pgsieve's deadline ends the wait. */
	const char *const setup[] = {
		"SET application_name = 'pgsieve trace'",
		"SET client_min_messages = warning",
		"SET jit = off",
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		s->deadline = now_seconds() + OBSERVE_QUERY_SECONDS;
		if (session_exec(s, setup[i], "setting up the session") != 0)
			return -1;
	}
	return 0;
}

struct observer *observer_open(const char *dsn, double statement_timeout)
{
	struct observer *o = xcalloc(1, sizeof(*o));
	o->statement_timeout = statement_timeout;
	if (session_open(&o->run, dsn) != 0 || settings(&o->run) != 0 || session_open(&o->watch, dsn) != 0 ||
	    settings(&o->watch) != 0) {
		observer_close(o);
		return NULL;
	}
	o->backend_pid = PQbackendPID(o->run.conn);
	o->version = PQserverVersion(o->run.conn) / 10000;
	return o;
}

void observer_close(struct observer *o)
{
	if (!o)
		return;
	if (o->run.conn)
		session_close(&o->run);
	if (o->watch.conn)
		session_close(&o->watch);
	free(o);
}

int observer_server_version(const struct observer *o)
{
	return o->version;
}

int observer_in_transaction(const struct observer *o)
{
	PGTransactionStatusType st = PQtransactionStatus(o->run.conn);
	return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

/* The user tables, "schema.name", that pgsieve_trace.created does not list. */
static const char foreign_sql[] =
	"SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind IN ('r', 'p') AND c.oid >= 16384 "
	"AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgsieve_trace') "
	"AND n.nspname NOT LIKE 'pg\\_toast%%' %s ORDER BY 1";

long observer_foreign_tables(struct observer *o, char **names, size_t max)
{
	PGresult *r = query(&o->run, "SELECT pg_catalog.to_regclass('pgsieve_trace.created') IS NOT NULL", 0, NULL,
			    "looking for pgsieve's list of the tables it created");
	if (!r)
		return -1;
	int marked = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	char *sql = xasprintf(foreign_sql, marked ? "AND c.oid NOT IN (SELECT relid FROM pgsieve_trace.created)" : "");
	r = query(&o->run, sql, 0, NULL, "listing the database's tables");
	free(sql);
	if (!r)
		return -1;
	long n = PQntuples(r);
	for (long i = 0; i < n && (size_t)i < max; i++)
		names[i] = xstrdup(PQgetvalue(r, (int)i, 0));
	PQclear(r);
	return n;
}

int observer_mark_created(struct observer *o)
{
	if (observer_in_transaction(o) && observer_exec(o, "ROLLBACK") != 0)
		return -1;
	return observer_exec(o, "CREATE SCHEMA IF NOT EXISTS pgsieve_trace; "
				"CREATE TABLE IF NOT EXISTS pgsieve_trace.created (relid oid PRIMARY KEY); "
				"INSERT INTO pgsieve_trace.created SELECT c.oid FROM pg_catalog.pg_class c "
				"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
				"WHERE c.relkind IN ('r', 'p') AND c.oid >= 16384 "
				"AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgsieve_trace') "
				"ON CONFLICT DO NOTHING");
}

/* The server's message for a failed result: "message (detail)", and its position. */
static void take_error(PGresult *res, struct obs_result *r, const char *fallback)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
	if (!msg)
		msg = fallback;
	r->failed = 1;
	r->error = detail ? xasprintf("%s (%s)", msg, detail) : xstrdup(msg);
	size_t n = strlen(r->error);
	while (n > 0 && r->error[n - 1] == '\n')
		r->error[--n] = '\0';
	snprintf(r->sqlstate, sizeof(r->sqlstate), "%s", state ? state : "");
	r->error_position = pos ? atoi(pos) : 0;
}

int observer_exec(struct observer *o, const char *sql)
{
	o->run.deadline = now_seconds() + o->statement_timeout;
	PGresult *r = session_run(&o->run, sql, 0, NULL);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (r && st != PGRES_FATAL_ERROR && st != PGRES_BAD_RESPONSE) {
		PQclear(r);
		return 0;
	}
	if (!r) {
		session_error(&o->run, "running a statement", PQerrorMessage(o->run.conn));
		return -1;
	}
	struct obs_result tmp = { 0 };
	take_error(r, &tmp, PQresultErrorMessage(r));
	error("%s", tmp.error);
	obs_result_release(&tmp);
	PQclear(r);
	return -1;
}

/* Sends sql on the statements' connection and waits for it, sampling its locks from the other
 * connection meanwhile; cancels it at the deadline. Returns the last result (the first failed
 * one), or NULL with error(). */
static PGresult *run_watched(struct observer *o, const char *sql, struct snap_lock **sampled, size_t *nsampled,
			     double *ms, int *cancelled_out)
{
	size_t cap = 0;
	double t0 = now_seconds(), deadline = t0 + o->statement_timeout;
	int cancelled = 0;
	if (!PQsendQuery(o->run.conn, sql)) {
		session_error(&o->run, "sending a statement", PQerrorMessage(o->run.conn));
		return NULL;
	}
	while (PQflush(o->run.conn) == 1) {
		struct pollfd p = { .fd = PQsocket(o->run.conn), .events = POLLOUT };
		poll(&p, 1, OBSERVE_SAMPLE_MS);
	}
	PGresult *last = NULL;
	for (;;) {
		while (PQisBusy(o->run.conn)) {
			struct pollfd p = { .fd = PQsocket(o->run.conn), .events = POLLIN };
			int n = poll(&p, 1, OBSERVE_SAMPLE_MS);
			if (n < 0 && errno != EINTR) {
				PQclear(last);
				error("waiting for the statement failed: %s", strerror(errno));
				return NULL;
			}
			if (n > 0 && !PQconsumeInput(o->run.conn)) {
				PQclear(last);
				session_error(&o->run, "running a statement", PQerrorMessage(o->run.conn));
				return NULL;
			}
			if (n > 0 || !PQisBusy(o->run.conn))
				continue;
			double now = now_seconds();
			if (now > deadline && !cancelled) {
				/* the statement's own statement_timeout may be 0: pgsieve's deadline holds */
				char err[256];
				PGcancel *c = PQgetCancel(o->run.conn);
				if (c) {
					PQcancel(c, err, sizeof(err));
					PQfreeCancel(c);
				}
				cancelled = 1;
				deadline = now + 10;
			} else if (now > deadline) {
				PQclear(last);
				error("the statement did not end within %.0f s, nor 10 s after it was cancelled",
				      o->statement_timeout);
				return NULL;
			}
			if (!cancelled)
				read_locks(&o->watch, o->backend_pid, sampled, nsampled, &cap);
		}
		PGresult *r = PQgetResult(o->run.conn);
		if (!r)
			break;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COPY_IN) {
			/* COPY FROM STDIN: the data lines psql would send, in pieces libpq's int takes;
			 * none follow the statement: the COPY fails, as psql's would at the file's end */
			int sent = o->copy_data != NULL;
			for (size_t at = 0; sent && at < o->copy_len;) {
				size_t n = o->copy_len - at < (1u << 20) ? o->copy_len - at : (1u << 20);
				sent = PQputCopyData(o->run.conn, o->copy_data + at, (int)n) == 1;
				at += n;
			}
			PQputCopyEnd(o->run.conn, sent ? NULL : "no data lines follow the COPY ... FROM STDIN");
			o->copy_data = NULL;
		}
		if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
			PQclear(r);
			continue;
		}
		PQclear(last);
		last = r;
	}
	*ms = (now_seconds() - t0) * 1000;
	*cancelled_out = cancelled;
	if (!last)
		error("the statement returned nothing");
	return last;
}

void observer_copy_data(struct observer *o, const char *data, size_t len)
{
	o->copy_data = data;
	o->copy_len = len;
}

int observer_run(struct observer *o, const char *sql, int notx, struct obs_result *r)
{
	memset(r, 0, sizeof(*r));
	int wrap = !notx && !observer_in_transaction(o);
	if (wrap && observer_exec(o, "BEGIN") != 0)
		return -1;
	r->wrapped = wrap;
	r->in_transaction = wrap || observer_in_transaction(o);
	struct snapshot before, after;
	int observe_tx = r->in_transaction;
	if (observe_tx && PQtransactionStatus(o->run.conn) == PQTRANS_INERROR)
		observe_tx = 0; /* only ROLLBACK can run: nothing to read */
	if (observe_tx && take_snapshot(o, &o->run, &before) != 0)
		return -1;
	if (!observe_tx) {
		/* outside a transaction (or in a failed one), the relations and locks are read
		 * from the other connection: committed names, sampled locks only */
		memset(&before, 0, sizeof(before));
	}
	struct snap_lock *sampled = NULL;
	size_t nsampled = 0;
	int cancelled = 0;
	PGresult *res = run_watched(o, sql, &sampled, &nsampled, &r->ms, &cancelled);
	if (!res) {
		if (observe_tx)
			snapshot_release(&before);
		free(sampled);
		return -1;
	}
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
		take_error(res, r, PQresultErrorMessage(res));
		if (cancelled) {
			free(r->error);
			r->error = xasprintf("pgsieve cancelled it after %g s (--timeout): it was still running",
					     o->statement_timeout);
		}
	}
	PQclear(res);
	int rc = 0;
	if (observe_tx && !r->failed) {
		if (take_snapshot(o, &o->run, &after) == 0) {
			compare(&before, &after, sampled, nsampled, r);
			snapshot_release(&after);
		} else {
			rc = -1;
		}
	} else if (nsampled) {
		/* name the sampled locks from the other connection's view of the catalog */
		struct snapshot names = { 0 };
		if (take_snapshot(o, &o->watch, &names) == 0) {
			struct snapshot empty = { 0 };
			compare(observe_tx ? &before : &empty, &names, sampled, nsampled, r);
			snapshot_release(&names);
		}
	}
	if (observe_tx)
		snapshot_release(&before);
	free(sampled);
	if (wrap && rc == 0) {
		if (r->failed)
			rc = observer_exec(o, "ROLLBACK");
		else
			rc = observer_exec(o, "COMMIT");
		if (rc != 0 && !r->failed) {
			/* a deferred constraint fails at COMMIT: the statement's failure */
			take_error(NULL, r, error_message());
			rc = 0;
		}
	}
	return rc;
}

/* The generator of a column's value in row g of generate_series, by type; NULL for a type it
 * does not know. Generated keys are the same in every table (g, 'v' || g), so a foreign key to a
 * table filled first finds its row. */
static const char *generator(const char *type)
{
	static const struct {
		const char *type, *expr;
	} gens[] = {
		{ "smallint", "(g % 32767)::smallint" },
		{ "integer", "g" },
		{ "bigint", "g::bigint" },
		{ "numeric", "g::numeric" },
		{ "real", "g::real" },
		{ "double precision", "g::double precision" },
		{ "text", "'v' || g" },
		{ "character varying", "'v' || g" },
		{ "character", "'v' || g" },
		{ "boolean", "g % 2 = 0" },
		{ "uuid", "md5(g::text)::uuid" },
		{ "date", "date '2000-01-01' + g" },
		{ "timestamp without time zone", "timestamp '2000-01-01' + g * interval '1 minute'" },
		{ "timestamp with time zone", "timestamptz '2000-01-01 00:00+00' + g * interval '1 minute'" },
		{ "time without time zone", "time '00:00' + g * interval '1 second'" },
		{ "interval", "g * interval '1 second'" },
		{ "json", "json_build_object('g', g)" },
		{ "jsonb", "jsonb_build_object('g', g)" },
		{ "bytea", "convert_to('v' || g, 'UTF8')" },
		{ "inet", "('10.0.0.0'::inet + g)" },
		{ "citext", "'v' || g" },
	};
	for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++)
		if (!strcmp(gens[i].type, type))
			return gens[i].expr;
	return NULL;
}

long observer_fill(struct observer *o, long rows, char **skipped)
{
	*skipped = NULL;
	if (rows <= 0)
		return 0;
	/* empty tables, parents first: the depth of each table in the foreign key graph */
	PGresult *tables = query(&o->run,
				 "WITH RECURSIVE t AS ("
				 "  SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS q "
				 "  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
				 "  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.oid >= 16384 "
				 "  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgsieve_trace') "
				 "  AND n.nspname NOT LIKE 'pg\\_toast%'), "
				 "d(oid, depth) AS (SELECT oid, 0 FROM t UNION ALL "
				 "  SELECT f.conrelid, d.depth + 1 FROM d JOIN pg_catalog.pg_constraint f "
				 "  ON f.contype = 'f' AND f.confrelid = d.oid AND f.conrelid <> d.oid WHERE d.depth < 20) "
				 "SELECT t.oid, t.q FROM t JOIN (SELECT oid, max(depth) AS depth FROM d GROUP BY oid) x "
				 "ON x.oid = t.oid ORDER BY x.depth, t.q",
				 0, NULL, "listing the tables to fill");
	if (!tables)
		return -1;
	long filled = 0;
	struct strbuf skip = STRBUF_INIT;
	char nrows[32];
	snprintf(nrows, sizeof(nrows), "%ld", rows);
	for (int t = 0; t < PQntuples(tables); t++) {
		const char *oid = PQgetvalue(tables, t, 0), *qname = PQgetvalue(tables, t, 1);
		const char *const values[] = { oid };
		PGresult *cols = query(&o->run,
				       "SELECT quote_ident(a.attname), pg_catalog.format_type(bt.oid, NULL), "
				       "  a.attidentity <> '' OR a.attgenerated <> '' OR d.adbin IS NOT NULL "
				       "FROM pg_catalog.pg_attribute a "
				       "JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid "
				       "JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END "
				       "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
				       "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
				       1, values, "reading a table's columns");
		if (!cols) {
			PQclear(tables);
			strbuf_release(&skip);
			return -1;
		}
		struct strbuf names = STRBUF_INIT, exprs = STRBUF_INIT;
		int ok = 1;
		for (int c = 0; c < PQntuples(cols) && ok; c++) {
			if (PQgetvalue(cols, c, 2)[0] == 't')
				continue; /* its default, identity or generation makes it */
			const char *gen = generator(PQgetvalue(cols, c, 1));
			strbuf_addf(&names, "%s%s", names.len ? ", " : "", PQgetvalue(cols, c, 0));
			strbuf_addf(&exprs, "%s%s", exprs.len ? ", " : "", gen ? gen : "NULL");
		}
		PQclear(cols);
		char *sql = names.len ? xasprintf("INSERT INTO %s (%s) SELECT %s FROM generate_series(1, %s) g "
						  "WHERE NOT EXISTS (SELECT FROM %s LIMIT 1)",
						  qname, names.buf, exprs.buf, nrows, qname)
				      : xasprintf("INSERT INTO %s SELECT FROM generate_series(1, %s) g "
						  "WHERE NOT EXISTS (SELECT FROM %s LIMIT 1)",
						  qname, nrows, qname);
		strbuf_release(&names);
		strbuf_release(&exprs);
		/* each table in a transaction of its own: one that refuses its rows stays empty */
		ok = observer_exec(o, "BEGIN") == 0;
		if (ok && observer_exec(o, sql) == 0 && observer_exec(o, "COMMIT") == 0) {
			filled++;
		} else {
			if (ok)
				observer_exec(o, "ROLLBACK");
			strbuf_addf(&skip, "%s%s", skip.len ? ", " : "", qname);
		}
		error_clear();
		free(sql);
	}
	PQclear(tables);
	/* the statistics the planner and the size estimates read, as a real table's would be */
	if (filled && observer_exec(o, "ANALYZE") != 0) {
		strbuf_release(&skip);
		return -1;
	}
	*skipped = skip.len ? strbuf_detach(&skip) : NULL;
	strbuf_release(&skip);
	return filled;
}
