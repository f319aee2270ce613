#include "catalog/session.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/pqload.h"
#include "util/error.h"
#include "util/redact.h"
#include "util/xalloc.h"

/* --db-timeout: the whole session, from the first connection attempt to the ROLLBACK */
static double session_timeout = SESSION_TIMEOUT_DEFAULT;

void session_set_timeout(double seconds)
{
	session_timeout = seconds;
}

double session_get_timeout(void)
{
	return session_timeout;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until the connection's socket can be read (or written) or the session's deadline
 * passes: 1 ready, 0 deadline, -1 no socket. A server that accepted the connection and then
 * went silent still answers TCP keepalives, and statement_timeout is the server's own: only a
 * deadline of pgsieve's own ends the wait. */
static int wait_socket(struct session *s, int for_write)
{
	int fd = PQsocket(s->conn);
	if (fd < 0)
		return -1;
	for (;;) {
		double left = s->deadline - now_seconds();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = (short)(for_write ? POLLOUT : POLLIN) };
		int ms = left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1;
		int n = poll(&p, 1, ms);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* A copy of msg with the password replaced, on one line. */
static char *scrub(const struct session *s, const char *msg)
{
	char *out = xstrdup(msg ? msg : "");
	if (s->password && *s->password) {
		size_t pl = strlen(s->password);
		char *at;
		while ((at = strstr(out, s->password)) != NULL) {
			memset(at, '*', pl);
		}
	}
	size_t n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	/* one line: libpq's second lines start with a tab */
	char *w = out;
	for (char *p = out; *p; p++) {
		char c = *p == '\n' || *p == '\t' ? ' ' : *p;
		if (c == ' ' && w > out && w[-1] == ' ')
			continue;
		*w++ = c;
	}
	*w = '\0';
	return out;
}

static void describe_target(struct session *s)
{
	const char *host = PQhost(s->conn), *port = PQport(s->conn), *db = PQdb(s->conn), *user = PQuser(s->conn);
	snprintf(s->where, sizeof(s->where), "host=%s port=%s dbname=%s user=%s", host && *host ? host : "(default)",
		 port && *port ? port : "(default)", db && *db ? db : "(default)", user && *user ? user : "(default)");
}

int session_error(struct session *s, const char *what, const char *libpq_msg)
{
	if (s->timed_out)
		return error("the database (%s) did not answer within the %g s of --db-timeout: it stalled while %s",
			     s->where, session_timeout, what);
	char *m = scrub(s, libpq_msg);
	int lost = PQstatus(s->conn) == CONNECTION_BAD;
	if (lost)
		error("the connection to the database (%s) was lost while %s: %s", s->where, what, m);
	else
		error("reading the database (%s) failed while %s: %s", s->where, what, m);
	free(m);
	return -1;
}

/* The URI schemes other tools write for PostgreSQL, as libpq's own: SQLAlchemy's
 * postgresql+DRIVER:// (and postgres+DRIVER://), dj-database-url's postgis:// and pgsql://.
 * Returns dsn, or a malloc'd rewrite in *copy; NULL with error() for a string that looks like a
 * URI libpq would not take (another scheme, or user:password@host without one), which libpq
 * would read as a database name and echo, password and all. */
static const char *normalise_dsn(const char *dsn, char **copy)
{
	*copy = NULL;
	size_t scheme = strspn(dsn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	const char *sep = scheme && !strncmp(dsn + scheme, "://", 3) ? dsn + scheme : NULL;
	if (sep) {
		size_t n = (size_t)(sep - dsn);
		static const char *const aliases[] = { "postgis", "pgsql" };
		int known = (n == 10 && !strncmp(dsn, "postgresql", n)) || (n == 8 && !strncmp(dsn, "postgres", n));
		int alias = (!strncmp(dsn, "postgresql+", 11) && n > 11) || (!strncmp(dsn, "postgres+", 9) && n > 9);
		for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
			if (n == strlen(aliases[i]) && !strncmp(dsn, aliases[i], n))
				alias = 1;
		if (known)
			return dsn;
		if (alias)
			return *copy = xasprintf("postgresql%s", sep);
		error("the connection string given to --db is a URI whose scheme is not PostgreSQL's (it is not "
		      "shown, as it may hold a password); pgsieve takes postgresql://, postgres://, "
		      "postgresql+DRIVER:// (SQLAlchemy), postgis:// and pgsql://");
		return NULL;
	}
	if (!sep && !strchr(dsn, '=') && redact_has_userinfo(dsn)) {
		error("the connection string given to --db looks like user:password@host without a scheme (it is "
		      "not shown, as it may hold a password); write it as postgresql://user@host/database");
		return NULL;
	}
	return dsn;
}

/* Runs libpq's connection state machine under the session's deadline. */
static int connect_polled(struct session *s)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	for (;;) {
		if (st == PGRES_POLLING_OK || st == PGRES_POLLING_FAILED)
			return st == PGRES_POLLING_OK ? 0 : -1;
		int w = wait_socket(s, st == PGRES_POLLING_WRITING);
		if (w == 0) {
			s->timed_out = 1;
			return -1;
		}
		if (w < 0)
			return -1;
		st = PQconnectPoll(s->conn);
	}
}

int session_open(struct session *s, const char *dsn)
{
	memset(s, 0, sizeof(*s));
	if (pqload_ready() != 0)
		return -1;
	s->deadline = now_seconds() + session_timeout;
	char *copy;
	dsn = normalise_dsn(dsn, &copy);
	if (!dsn)
		return -1;
	/* the password, if the string holds one, so that no message can show it */
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
	if (!opts && *dsn && (strchr(dsn, '=') || !strncmp(dsn, "postgres", 8))) {
		PQfreemem(perr);
		free(copy);
		return error("the connection string given to --db does not parse (it is not shown, as it "
			     "may hold a password); check its key=value pairs or URI syntax");
	}
	PQfreemem(perr);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val)
			s->password = xstrdup(o->val);
	PQconninfoFree(opts);
	/* expand_dbname: dsn is a conninfo string or URI, or else a database name; "" leaves
	 * everything to the PG* environment variables and the service file. The later keywords win
	 * over the same ones in dsn. client_encoding goes in the startup packet, so that no SET is
	 * needed for it; tcp_user_timeout ends a connection whose packets go unacknowledged (the
	 * host gone) as soon as the deadline would. */
	char tcp_timeout[32];
	snprintf(tcp_timeout, sizeof(tcp_timeout), "%.0f", session_timeout * 1000);
	const char *const keys[] = { "dbname", "application_name", "client_encoding", "tcp_user_timeout", NULL };
	const char *const vals[] = { dsn, "pgsieve", "UTF8", tcp_timeout, NULL };
	s->conn = PQconnectStartParams(keys, vals, 1);
	free(copy);
	if (!s->conn)
		return error("cannot connect to the database: out of memory");
	int rc = PQstatus(s->conn) == CONNECTION_BAD ? -1 : connect_polled(s);
	describe_target(s);
	if (rc != 0 || PQstatus(s->conn) != CONNECTION_OK) {
		if (s->timed_out)
			return session_error(s, "connecting", "");
		char *m = scrub(s, PQerrorMessage(s->conn));
		error("cannot connect to the database (%s): %s", s->where, m);
		free(m);
		return -1;
	}
	if (PQsetnonblocking(s->conn, 1) != 0)
		return session_error(s, "connecting", PQerrorMessage(s->conn));
	if (!s->password) { /* one from PGPASSWORD or the password file */
		const char *pw = PQpass(s->conn);
		if (pw && *pw)
			s->password = xstrdup(pw);
	}
	return 0;
}

void session_close(struct session *s)
{
	if (s->conn)
		PQfinish(s->conn);
	free(s->password);
	memset(s, 0, sizeof(*s));
}

PGresult *session_run(struct session *s, const char *sql, int nparams, const char *const *values)
{
	int sent = nparams ? PQsendQueryParams(s->conn, sql, nparams, NULL, values, NULL, NULL, 0)
			   : PQsendQuery(s->conn, sql);
	if (!sent)
		return NULL;
	int f;
	while ((f = PQflush(s->conn)) == 1) {
		int w = wait_socket(s, 1);
		if (w <= 0) {
			s->timed_out = w == 0;
			return NULL;
		}
	}
	if (f < 0)
		return NULL;
	/* the last result, as PQexec() gives, unless an earlier one failed */
	PGresult *last = NULL;
	for (;;) {
		while (PQisBusy(s->conn)) {
			int w = wait_socket(s, 0);
			if (w <= 0) {
				s->timed_out = w == 0;
				PQclear(last);
				return NULL;
			}
			if (!PQconsumeInput(s->conn)) {
				PQclear(last);
				return NULL;
			}
		}
		PGresult *r = PQgetResult(s->conn);
		if (!r)
			return last;
		ExecStatusType st = PQresultStatus(r);
		if (last && (PQresultStatus(last) == PGRES_FATAL_ERROR || st == PGRES_COPY_IN || st == PGRES_COPY_OUT)) {
			PQclear(r);
			continue;
		}
		PQclear(last);
		last = r;
	}
}

int session_exec(struct session *s, const char *sql, const char *what)
{
	PGresult *r = session_run(s, sql, 0, NULL);
	int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		session_error(s, what, r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
	PQclear(r);
	return ok ? 0 : -1;
}

/* A query's result, or NULL with error(); a lock timeout says which lock it waited for. */
PGresult *session_checked(struct session *s, PGresult *r, const char *what)
{
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (state && !strcmp(state, "55P03")) {
		char *m = scrub(s, PQresultErrorMessage(r));
		error("reading the database (%s) gave up after waiting %s for a lock while %s: another session "
		      "holds an ACCESS EXCLUSIVE lock (a migration or maintenance command running?); try again "
		      "when it is done (%s)",
		      s->where, SESSION_LOCK_TIMEOUT, what, m);
		free(m);
	} else {
		session_error(s, what, r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn));
	}
	PQclear(r);
	return NULL;
}

PGresult *session_query(struct session *s, const char *sql, const char *what)
{
	return session_checked(s, session_run(s, sql, 0, NULL), what);
}

PGresult *session_query_params(struct session *s, const char *sql, int nparams, const char *const *values,
			       const char *what)
{
	return session_checked(s, session_run(s, sql, nparams, values), what);
}

int session_begin_transaction(struct session *s)
{
	return session_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the transaction");
}

/* Every setting is SET LOCAL, inside the transaction: the ROLLBACK takes it back, so nothing is
 * left on a server connection that a pooler (PgBouncer in transaction mode) hands to another
 * client afterwards. */
int session_settings(struct session *s)
{
	char timeout[64];
	snprintf(timeout, sizeof(timeout), "SET LOCAL statement_timeout = '%.0fms'", session_timeout * 1000);
	const char *const setup[] = {
		"SET LOCAL search_path = ''",
		/* the catalog queries are estimated as costly enough to compile, and compiling them
		 * took longer than running them (0.7 of the 1.1 s the tables query took on 10,000
		 * tables) */
		"SET LOCAL jit = off",
		"SET LOCAL lock_timeout = '" SESSION_LOCK_TIMEOUT "'",
		/* the server gives up when pgsieve does */
		timeout,
		"SET LOCAL idle_in_transaction_session_timeout = '" SESSION_IDLE_TIMEOUT "'",
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (session_exec(s, setup[i], "setting up the session") != 0)
			return -1;
	return 0;
}

int session_begin(struct session *s)
{
	if (session_begin_transaction(s) != 0)
		return -1;
	return session_settings(s);
}

int session_check(struct session *s, PGresult *r, const char *what)
{
	return session_checked(s, r, what) ? 0 : -1;
}
