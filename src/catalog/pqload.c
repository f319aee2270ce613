/* The libpq functions pgsieve calls, defined here with libpq-fe.h's prototypes (so the compiler
 * checks every one) and forwarded to the library dlopen() finds at the first call; see pqload.h.
 * Compiled only into the portable build, which does not link libpq: a libpq function used in
 * src/catalog/ and missing from the table below fails that build's link, never the run. */
#include "catalog/pqload.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "util/error.h"

/* X(return type, name, parameters, arguments): one line per function; V() for those returning void */
#define PQLOAD_FUNCTIONS(X, V)                                                                      \
	X(PGconn *, PQconnectStartParams,                                                            \
	  (const char *const *keywords, const char *const *values, int expand_dbname),             \
	  (keywords, values, expand_dbname))                                                         \
	X(PostgresPollingStatusType, PQconnectPoll, (PGconn *conn), (conn))                          \
	X(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg)) \
	V(PQconninfoFree, (PQconninfoOption *connOptions), (connOptions))                            \
	V(PQfinish, (PGconn *conn), (conn))                                                          \
	V(PQfreemem, (void *ptr), (ptr))                                                             \
	X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))                                    \
	X(char *, PQerrorMessage, (const PGconn *conn), (conn))                                      \
	X(int, PQsocket, (const PGconn *conn), (conn))                                               \
	X(char *, PQhost, (const PGconn *conn), (conn))                                              \
	X(char *, PQport, (const PGconn *conn), (conn))                                              \
	X(char *, PQdb, (const PGconn *conn), (conn))                                                \
	X(char *, PQuser, (const PGconn *conn), (conn))                                              \
	X(char *, PQpass, (const PGconn *conn), (conn))                                              \
	X(int, PQsetnonblocking, (PGconn *conn, int arg), (conn, arg))                               \
	X(int, PQsendQuery, (PGconn *conn, const char *query), (conn, query))                        \
	X(int, PQsendQueryParams,                                                                    \
	  (PGconn *conn, const char *command, int nParams, const Oid *paramTypes,                  \
	   const char *const *paramValues, const int *paramLengths, const int *paramFormats,       \
	   int resultFormat),                                                                      \
	  (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
	X(int, PQflush, (PGconn *conn), (conn))                                                      \
	X(int, PQisBusy, (PGconn *conn), (conn))                                                     \
	X(int, PQconsumeInput, (PGconn *conn), (conn))                                               \
	X(PGresult *, PQgetResult, (PGconn *conn), (conn))                                           \
	X(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query))                      \
	X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                              \
	X(char *, PQresultErrorMessage, (const PGresult *res), (res))                                \
	X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))       \
	X(int, PQntuples, (const PGresult *res), (res))                                              \
	X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num),                    \
	  (res, tup_num, field_num))                                                                 \
	X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
	V(PQclear, (PGresult *res), (res))                                                           \
	X(char *, PQescapeIdentifier, (PGconn *conn, const char *str, size_t len), (conn, str, len)) \
	/* pgsieve trace's observer (catalog/observe.c) */                                          \
	X(int, PQbackendPID, (const PGconn *conn), (conn))                                           \
	X(int, PQserverVersion, (const PGconn *conn), (conn))                                        \
	X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn))                \
	X(int, PQputCopyEnd, (PGconn *conn, const char *errormsg), (conn, errormsg))                 \
	X(int, PQputCopyData, (PGconn *conn, const char *buffer, int nbytes), (conn, buffer, nbytes)) \
	X(PGcancel *, PQgetCancel, (PGconn *conn), (conn))                                           \
	X(int, PQcancel, (PGcancel *cancel, char *errbuf, int errbufsize), (cancel, errbuf, errbufsize)) \
	V(PQfreeCancel, (PGcancel *cancel), (cancel))

#define PQLOAD_POINTER(ret, name, params, args) ret(*name) params;
#define PQLOAD_VPOINTER(name, params, args) void(*name) params;
static struct {
	PQLOAD_FUNCTIONS(PQLOAD_POINTER, PQLOAD_VPOINTER)
} pq;

/* libpq's soname has been libpq.so.5 since PostgreSQL 8.2 */
#define PQLOAD_SONAME "libpq.so.5"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_failure[512]; /* why not, unless loaded */

static void load(void)
{
	void *lib = dlopen(PQLOAD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		snprintf(load_failure, sizeof(load_failure), "%s", why ? why : "not found");
		return;
	}
	/* dlsym() returns void *; POSIX guarantees it converts to a function pointer, which ISO C
	 * does not say: copy the bytes rather than cast */
#define PQLOAD_SYM(name)                                                                           \
	do {                                                                                       \
		void *sym = dlsym(lib, #name);                                                     \
		if (!sym) {                                                                        \
			snprintf(load_failure, sizeof(load_failure), "%s has no %s", PQLOAD_SONAME, #name); \
			return;                                                                    \
		}                                                                                  \
		memcpy(&pq.name, &sym, sizeof(pq.name));                                           \
	} while (0);
#define PQLOAD_LOOKUP(ret, name, params, args) PQLOAD_SYM(name)
#define PQLOAD_VLOOKUP(name, params, args) PQLOAD_SYM(name)
	PQLOAD_FUNCTIONS(PQLOAD_LOOKUP, PQLOAD_VLOOKUP)
	loaded = 1;
}

static const char *load_error(void)
{
	pthread_once(&load_once, load);
	return loaded ? NULL : load_failure;
}

#define PQLOAD_HINT                                                                                \
	"reading a database (--db) needs libpq, PostgreSQL's client library (" PQLOAD_SONAME       \
	"), which this pgsieve loads only then and could not load: %s; install it (Debian, Ubuntu: "  \
	"apt-get install libpq5; Fedora, RHEL: dnf install libpq) and try again"

int pqload_ready(void)
{
	const char *why = load_error();
	return why ? error(PQLOAD_HINT, why) : 0;
}

/* Every caller goes through session_open(), which calls pqload_ready() first; a path that
 * did not still gets the message, not a crash. */
static void need(void)
{
	const char *why = load_error();
	if (why) {
		fprintf(stderr, "pgsieve: " PQLOAD_HINT "\n", why);
		exit(2);
	}
}

#define PQLOAD_WRAPPER(ret, name, params, args)                                                    \
	ret name params                                                                            \
	{                                                                                          \
		need();                                                                            \
		return pq.name args;                                                               \
	}
#define PQLOAD_VWRAPPER(name, params, args)                                                        \
	void name params                                                                           \
	{                                                                                          \
		need();                                                                            \
		pq.name args;                                                                      \
	}
PQLOAD_FUNCTIONS(PQLOAD_WRAPPER, PQLOAD_VWRAPPER)
