#define _GNU_SOURCE /* pipe2, setgroups */
#include "trace/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "util/error.h"
#include "util/file.h"
#include "util/proc.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

extern char **environ;

/* The socket's name is DIR/.s.PGSQL.5432: the directory is the cluster's own, so a fixed port
 * cannot collide with another server. */
#define CLUSTER_PORT "5432"
/* initdb on a loaded two-core machine took 6 s; a start that takes ten times that is stuck */
#define CLUSTER_INITDB_TIMEOUT 120.0
#define CLUSTER_START_TIMEOUT "60"

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int has_programs(const char *dir)
{
	char *initdb = xasprintf("%s/initdb", dir), *pg_ctl = xasprintf("%s/pg_ctl", dir);
	int ok = access(initdb, X_OK) == 0 && access(pg_ctl, X_OK) == 0;
	free(initdb);
	free(pg_ctl);
	return ok;
}

/* pg_config --bindir, when pg_config runs and its directory has the server programs (libpq's
 * development package brings a pg_config without them). */
static char *bindir_from_pg_config(void)
{
	const char *const argv[] = { "pg_config", "--bindir", NULL };
	int status;
	int saved = dup(2);
	int devnull = open("/dev/null", O_WRONLY);
	/* a missing pg_config is not worth a message: the other places are tried */
	if (devnull >= 0) {
		dup2(devnull, 2);
		close(devnull);
	}
	char *out = proc_capture(argv, &status, NULL);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	error_clear();
	if (!out)
		return NULL;
	out[strcspn(out, "\r\n")] = '\0';
	if (status == 0 && *out && has_programs(out))
		return out;
	free(out);
	return NULL;
}

/* The directory of initdb found in PATH, symbolic links followed (Debian links
 * /usr/local/bin/initdb to /usr/lib/postgresql/N/bin/initdb, where pg_ctl is). */
static char *bindir_from_path(void)
{
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	while (*path) {
		size_t n = strcspn(path, ":");
		char *cand = xasprintf("%.*s/initdb", (int)n, path);
		char real[PATH_MAX];
		if (n > 0 && access(cand, X_OK) == 0 && realpath(cand, real)) {
			char *slash = strrchr(real, '/');
			*slash = '\0';
			free(cand);
			if (has_programs(real))
				return xstrdup(real);
		} else {
			free(cand);
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return NULL;
}

/* The newest /usr/lib/postgresql/N/bin with the programs (Debian's layout). */
static char *bindir_from_debian(void)
{
	DIR *d = opendir("/usr/lib/postgresql");
	if (!d)
		return NULL;
	long best = -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (end == e->d_name || *end || v <= best)
			continue;
		char *bin = xasprintf("/usr/lib/postgresql/%s/bin", e->d_name);
		if (has_programs(bin))
			best = v;
		free(bin);
	}
	closedir(d);
	return best < 0 ? NULL : xasprintf("/usr/lib/postgresql/%ld/bin", best);
}

char *cluster_find_bindir(const char *given)
{
	if (given) {
		if (!has_programs(given)) {
			error("--pg-bin '%s' holds no initdb and pg_ctl (the PostgreSQL server programs)", given);
			return NULL;
		}
		return xstrdup(given);
	}
	char *dir = bindir_from_pg_config();
	if (!dir)
		dir = bindir_from_path();
	if (!dir)
		dir = bindir_from_debian();
	if (!dir)
		error("no PostgreSQL server programs (initdb, pg_ctl) in pg_config --bindir, PATH or "
		      "/usr/lib/postgresql/*/bin; install them (apt-get install postgresql, or your system's "
		      "postgresql server package) or name their directory with --pg-bin DIR");
	return dir;
}

/* The environment of the server programs: ours without PG* variables, which would point
 * pg_ctl and initdb at another cluster (PGDATA), port or user. */
static char **clean_environment(void)
{
	size_t n = 0;
	for (char **e = environ; *e; e++)
		n++;
	char **out = xcalloc(n + 1, sizeof(*out));
	size_t k = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "PG", 2) != 0)
			out[k++] = *e;
	return out;
}

/* Runs argv as the cluster's user, output appended to log, for at most `timeout` seconds.
 * Returns the exit status, or -1 with error(). */
static int run_program(const struct cluster *c, const char *const *argv, const char *log, double timeout)
{
	char **env = clean_environment();
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(env);
		return error("cannot write '%s': %s", log, strerror(errno));
	}
	if (c->drop && fchown(fd, c->uid, c->gid) != 0) {
		close(fd);
		free(env);
		return error("cannot hand '%s' to the server's user: %s", log, strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(fd);
		free(env);
		return error("cannot run '%s': %s", argv[0], strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (c->drop && (setgroups(0, NULL) != 0 || setgid(c->gid) != 0 || setuid(c->uid) != 0))
			_exit(126);
#ifdef __linux__
		/* set after setuid(), which clears it: initdb does not outlive a killed pgsieve
		 * (the postmaster, forked by pg_ctl, does not inherit it; the guard stops that) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		if (chdir(c->dir) != 0)
			_exit(126);
		execve(argv[0], (char *const *)(uintptr_t)argv, env);
		_exit(127);
	}
	close(fd);
	free(env);
	double deadline = now_seconds() + timeout;
	int st = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return error("cannot wait for '%s': %s", argv[0], strerror(errno));
		if (now_seconds() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return error("'%s' did not finish within %.0f s", argv[0], timeout);
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 126)
		return error("cannot run '%s' as the server's user", argv[0]);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return error("cannot run '%s'", argv[0]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The last few lines of the log, on one line each, for an error message. */
static char *log_tail(const char *log)
{
	size_t len = 0;
	char *text = file_read(log, &len);
	error_clear();
	if (!text)
		return xstrdup("");
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	size_t start = len;
	for (int lines = 0; start > 0 && lines < 4; start--)
		if (text[start - 1] == '\n' && ++lines == 4)
			break;
	char *out = xstrdup(text + start);
	free(text);
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return out;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Whether the process runs: a zombie (exited, not yet reaped by whoever adopted it) does not. */
static int process_runs(long pid)
{
	if (kill((pid_t)pid, 0) != 0)
		return 0;
	char *path = xasprintf("/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return 1;
	char state = 0;
	/* "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')' */
	char line[512];
	if (fgets(line, sizeof(line), f)) {
		char *close = strrchr(line, ')');
		if (close && close[1] == ' ')
			state = close[2];
	}
	fclose(f);
	return state != 'Z';
}

/* The guard's cleanup: an immediate shutdown of the postmaster named in postmaster.pid, a wait
 * until the process is gone, then the directory. The postmaster removes its pid file before it
 * has exited and its children may still write files: a removal that meets a file made after it
 * read a directory is tried again. */
static void guard_cleanup(const char *dir)
{
	char *pidfile = xasprintf("%s/data/postmaster.pid", dir);
	FILE *f = fopen(pidfile, "r");
	long pid = 0;
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 1 && kill((pid_t)pid, SIGQUIT) == 0) {
		double deadline = now_seconds() + 10;
		int killed = 0;
		while (process_runs(pid)) {
			if (now_seconds() > deadline) {
				if (killed)
					break;
				kill((pid_t)pid, SIGKILL);
				killed = 1;
				deadline = now_seconds() + 2;
			}
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	free(pidfile);
	struct stat st;
	for (int tries = 0; tries < 50 && lstat(dir, &st) == 0; tries++) {
		if (tries) {
			struct timespec ts = { 0, 40 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/* Forks the guard: it waits for end-of-file on the pipe, then cleans up and exits. */
static int guard_start(struct cluster *c)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return error("cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return error("cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* a session of its own: Ctrl-C at the terminal and a kill of pgsieve's process
		 * group (a test runner's timeout) leave it alive to clean up */
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		close(fds[1]);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			/* nothing it says is needed, and an open stderr would keep a caller that reads
			 * pgsieve's output waiting for the guard */
			dup2(devnull, 2);
		}
		long max = sysconf(_SC_OPEN_MAX);
		for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 1024); fd++)
			if (fd != fds[0])
				close(fd);
		char b;
		while (read(fds[0], &b, 1) != 0 && errno == EINTR)
			;
		guard_cleanup(c->dir);
		_exit(0);
	}
	close(fds[0]);
	c->guard = pid;
	c->guard_fd = fds[1];
	return 0;
}

/* The user the programs run as when pgsieve runs as root. */
static int pick_user(struct cluster *c)
{
	if (geteuid() != 0)
		return 0;
	const struct passwd *pw = getpwnam("postgres");
	if (!pw)
		pw = getpwnam("nobody");
	if (!pw)
		return error("pgsieve runs as root, and the server cannot: there is no 'postgres' or 'nobody' "
			     "user to run it as");
	c->drop = 1;
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	return 0;
}

/* A temporary directory whose socket path fits a sockaddr_un (108 bytes), in TMPDIR when it
 * is short enough and holds no quote (the path goes through pg_ctl's shell), else /tmp. */
static char *make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 60 || strpbrk(tmp, "'\"\\ $`"))
		tmp = "/tmp";
	char *dir = xasprintf("%s/pgsieve-trace-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		error("cannot create a temporary directory in '%s': %s", tmp, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

static int read_version(struct cluster *c)
{
	char *path = xasprintf("%s/data/PG_VERSION", c->dir);
	FILE *f = fopen(path, "r");
	free(path);
	int v = 0;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	c->version = v;
	return v > 0 ? 0 : error("the new cluster has no readable PG_VERSION");
}

int cluster_start(struct cluster *c, const char *pg_bin)
{
	memset(c, 0, sizeof(*c));
	c->guard_fd = -1;
	double t0 = now_seconds();
	if (!(c->bindir = cluster_find_bindir(pg_bin)))
		return -1;
	if (pick_user(c) != 0)
		return -1;
	if (!(c->dir = make_dir()))
		return -1;
	if (guard_start(c) != 0) {
		rmdir(c->dir);
		free(c->dir);
		c->dir = NULL;
		return -1;
	}
	if (c->drop && chown(c->dir, c->uid, c->gid) != 0)
		return error("cannot hand '%s' to the server's user: %s", c->dir, strerror(errno));
	char *data = xasprintf("%s/data", c->dir), *log = xasprintf("%s/log", c->dir);
	char *initdb = xasprintf("%s/initdb", c->bindir), *pg_ctl = xasprintf("%s/pg_ctl", c->bindir);
	/* the settings of a server nobody needs to recover: no fsync, no full-page writes, no
	 * autovacuum taking locks beside the traced statements */
	char *opts = xasprintf("-c listen_addresses='' -k '%s' -p " CLUSTER_PORT " -c fsync=off "
			       "-c full_page_writes=off -c synchronous_commit=off -c autovacuum=off "
			       "-c max_connections=20 -c shared_buffers=32MB",
			       c->dir);
	const char *const initdb_argv[] = { initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
					    "--locale=C", "--no-sync", "--no-instructions", NULL };
	const char *const start_argv[] = { pg_ctl, "-D", data, "-l", log, "-w", "-t", CLUSTER_START_TIMEOUT,
					   "-s", "-o", opts, "start", NULL };
	int rc = run_program(c, initdb_argv, log, CLUSTER_INITDB_TIMEOUT);
	int failed = rc != 0;
	if (rc > 0) {
		char *tail = log_tail(log);
		error("initdb failed (exit %d): %s", rc, tail);
		free(tail);
	}
	if (!failed) {
		rc = run_program(c, start_argv, log, atof(CLUSTER_START_TIMEOUT) + 10);
		failed = rc != 0;
		if (rc > 0) {
			char *tail = log_tail(log);
			error("the throwaway server did not start (pg_ctl exit %d): %s", rc, tail);
			free(tail);
		}
	}
	if (!failed)
		failed = read_version(c) != 0;
	free(data);
	free(log);
	free(initdb);
	free(pg_ctl);
	free(opts);
	if (failed)
		return -1;
	c->dsn = xasprintf("host=%s port=" CLUSTER_PORT " user=postgres dbname=postgres connect_timeout=10", c->dir);
	c->seconds = now_seconds() - t0;
	return 0;
}

void cluster_stop(struct cluster *c)
{
	if (c->guard_fd >= 0) {
		close(c->guard_fd);
		int st;
		while (waitpid(c->guard, &st, 0) < 0 && errno == EINTR)
			;
	}
	free(c->bindir);
	free(c->dir);
	free(c->dsn);
	memset(c, 0, sizeof(*c));
	c->guard_fd = -1;
}
