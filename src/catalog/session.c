#include "catalog/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

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
	char *m = scrub(s, libpq_msg);
	int lost = PQstatus(s->conn) == CONNECTION_BAD;
	if (lost)
		error("the connection to the database (%s) was lost while %s: %s", s->where, what, m);
	else
		error("reading the database (%s) failed while %s: %s", s->where, what, m);
	free(m);
	return -1;
}

int session_open(struct session *s, const char *dsn)
{
	memset(s, 0, sizeof(*s));
	/* the password, if the string holds one, so that no message can show it */
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
	if (!opts && *dsn && (strchr(dsn, '=') || !strncmp(dsn, "postgres", 8))) {
		PQfreemem(perr);
		return error("the connection string given to --db does not parse (it is not shown, as it "
			     "may hold a password); check its key=value pairs or URI syntax");
	}
	PQfreemem(perr);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val)
			s->password = xstrdup(o->val);
	PQconninfoFree(opts);
	/* expand_dbname: dsn is a conninfo string or URI, or else a database name; "" leaves
	 * everything to the PG* environment variables and the service file. The later
	 * application_name wins over one in dsn. */
	const char *const keys[] = { "dbname", "application_name", "connect_timeout", NULL };
	const char *const vals[] = { dsn, "pgsieve", "10", NULL };
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn)
		return error("cannot connect to the database: out of memory");
	describe_target(s);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char *m = scrub(s, PQerrorMessage(s->conn));
		error("cannot connect to the database (%s): %s", s->where, m);
		free(m);
		return -1;
	}
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

int session_exec(struct session *s, const char *sql, const char *what)
{
	PGresult *r = PQexec(s->conn, sql);
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
	return session_checked(s, PQexec(s->conn, sql), what);
}

PGresult *session_query_params(struct session *s, const char *sql, int nparams, const char *const *values,
			       const char *what)
{
	return session_checked(s, PQexecParams(s->conn, sql, nparams, NULL, values, NULL, NULL, 0), what);
}

int session_begin(struct session *s)
{
	static const char *const setup[] = {
		"SET search_path = ''",
		/* the model and the parser take UTF-8, whatever the database's encoding */
		"SET client_encoding = 'UTF8'",
		/* the catalog queries are estimated as costly enough to compile, and compiling them
		 * took longer than running them (0.7 of the 1.1 s the tables query took on 10,000
		 * tables); a session setting, nothing is written */
		"SET jit = off",
		"SET lock_timeout = '" SESSION_LOCK_TIMEOUT "'",
		"SET statement_timeout = '" SESSION_STATEMENT_TIMEOUT "'",
		"SET idle_in_transaction_session_timeout = '5min'",
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		if (session_exec(s, setup[i], "setting up the session") != 0)
			return -1;
	return session_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the transaction");
}

int session_check(struct session *s, PGresult *r, const char *what)
{
	return session_checked(s, r, what) ? 0 : -1;
}
