/* Running a helper program (git, python3) and reading what it prints, without a shell, so no
 * argument is ever interpreted by one. */
#ifndef PGSIEVE_PROC_H
#define PGSIEVE_PROC_H

#include <stddef.h>

/* Runs argv[0] (searched in PATH) with argv, stdin from /dev/null, and returns its standard
 * output (malloc'd, NUL-terminated) with *status set to its exit status; its standard error
 * goes to ours. Returns NULL with error() set when it cannot be started (*status is then 127 when the program
 * was not found). */
char *proc_capture(const char *const argv[], int *status, size_t *len);

/* How proc_run() runs a program that runs code pgsieve does not trust (a project's Alembic
 * revisions). */
struct proc_opts {
	/* the whole environment of the program ("NAME=value", NULL-terminated); NULL: ours */
	const char *const *env;
	/* fd 3 of the program is the write end of a pipe; each line it writes there re-arms the
	 * deadline and the last one is kept (the program says what it works on) */
	int progress;
	/* milliseconds allowed from the start, and again from each progress line; 0: no limit */
	long deadline_ms;
};

struct proc_result {
	int status;      /* exit status; 128 + the signal when killed by one */
	int timed_out;   /* the deadline passed: pgsieve killed the program's process group */
	char *last_progress; /* the last complete progress line, without its newline, or NULL */
};

/* Runs argv like proc_capture() in a process group of its own, which is killed (SIGKILL) as a
 * whole when the deadline passes, when the program ends (what it started and left running), and
 * when pgsieve ends in any way, a signal or SIGKILL included: a guard process, a fork of pgsieve
 * outside that group, waits on a pipe only pgsieve holds and kills the group when it reads end
 * of file; the program itself also gets SIGKILL when pgsieve dies (PR_SET_PDEATHSIG). Returns
 * its standard output (NULL with error() set when it cannot be started; res->status is then
 * 127 when the program was not found); res->last_progress is the caller's to free. */
char *proc_run(const char *const argv[], const struct proc_opts *opts, struct proc_result *res, size_t *len);

#endif
