/* A throwaway PostgreSQL cluster for `pgsieve trace`: initdb and pg_ctl in a temporary
 * directory, listening on a unix socket in that directory only (no TCP), fsync off, removed
 * again when pgsieve ends, whichever way it ends.
 *
 * The removal is done by a guard: a process forked before initdb runs, in a session of its own,
 * that waits for the end of a pipe pgsieve holds. When pgsieve closes it (cluster_stop()), exits
 * on an error, is interrupted (SIGINT) or killed, the guard reads end-of-file, stops the server
 * (immediate shutdown) and removes the directory. So no path of pgsieve has to remember the
 * cleanup, and a killed pgsieve leaves no server behind.
 *
 * As root (CI containers), initdb refuses to run and the server must not run as root: the
 * programs run as the `postgres` user the packages create (as pg_virtualenv does), or `nobody`,
 * and the directory is handed to that user. This module starts processes only; it does not
 * connect (src/catalog/ does). */
#ifndef PGSIEVE_CLUSTER_H
#define PGSIEVE_CLUSTER_H

#include <sys/types.h>

struct cluster {
	char *bindir;  /* where initdb and pg_ctl were found */
	char *dir;     /* the temporary directory: data/, the socket, log */
	char *dsn;     /* a conninfo string for the postgres database, as superuser postgres */
	int version;   /* the server's major version (data/PG_VERSION) */
	double seconds; /* how long cluster_start() took */
	pid_t guard;
	int guard_fd;  /* closing it makes the guard stop the server and remove dir */
	int drop;      /* the programs run as uid/gid (pgsieve runs as root) */
	uid_t uid;
	gid_t gid;
};

/* The directory of the server programs (initdb, pg_ctl): `given` (--pg-bin) when not NULL,
 * else pg_config --bindir, initdb in PATH, the newest /usr/lib/postgresql/N/bin. Returns a
 * malloc'd path, or NULL with error() saying where it looked and how to install them. */
char *cluster_find_bindir(const char *given);

/* Creates and starts a cluster with the programs of pg_bin (NULL: cluster_find_bindir()).
 * Returns 0, or -1 with error() (the log's last lines included); c is cleaned up either way by
 * cluster_stop(). */
int cluster_start(struct cluster *c, const char *pg_bin);

/* Stops the server, removes the directory (through the guard) and frees c; does nothing for a
 * cluster that was never started. */
void cluster_stop(struct cluster *c);

#endif
