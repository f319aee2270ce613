#include "util/proc.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

char *proc_capture(const char *const argv[], int *status, size_t *len)
{
	int fds[2];
	if (pipe(fds) != 0) {
		error("cannot run '%s': %s", argv[0], strerror(errno));
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		error("cannot run '%s': %s", argv[0], strerror(errno));
		return NULL;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		/* execvp takes char *const[] for historical reasons; it does not write to them */
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fds[1]);
	struct strbuf out = STRBUF_INIT;
	char buf[8192];
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(&out, buf, (size_t)n);
	}
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	if (*status == 127) { /* *status stays 127, for a caller's hint */
		strbuf_release(&out);
		error("cannot run '%s': not found", argv[0]);
		return NULL;
	}
	if (len)
		*len = out.len;
	return strbuf_detach(&out);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static void close_pipe(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	fds[0] = fds[1] = -1;
}

/* Whether pid has ended. It stays a zombie (WNOWAIT), so that its pid, which is also its process
 * group's id, cannot be given to another process before the group is killed. */
static int ended(pid_t pid)
{
	siginfo_t info;
	memset(&info, 0, sizeof(info));
	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
		return errno != EINTR;
	return info.si_pid == pid;
}

/* In the child, after fork(): only async-signal-safe calls (pgsieve may have a second thread). */
static void run_child(const char *const argv[], const struct proc_opts *o, pid_t parent, int out, int prog)
{
	setpgid(0, 0);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent) /* pgsieve died before PR_SET_PDEATHSIG was set */
		_exit(126);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* out or prog may be 1 or 3 already: move both above 9 first, then into place */
	int hi_out = fcntl(out, F_DUPFD, 10), hi_prog = prog >= 0 ? fcntl(prog, F_DUPFD, 10) : -1;
	if (hi_out < 0 || (prog >= 0 && hi_prog < 0))
		_exit(126);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != 0)
		dup2(devnull, 0);
	if (dup2(hi_out, 1) < 0 || (hi_prog >= 0 && dup2(hi_prog, 3) < 0))
		_exit(126);
	if (o->env) {
		extern char **environ;
		environ = (char **)(uintptr_t)o->env; /* execvp reads PATH from it */
	}
	execvp(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

/* The guard: a fork of pgsieve, not in the program's process group, that kills the group when
 * pgsieve ends without saying it is done (a byte on the pipe). */
static void run_guard(pid_t group, int life, const int *other, size_t nother)
{
	signal(SIGINT, SIG_IGN); /* it outlives pgsieve's own death by a signal, to act on it */
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < nother; i++)
		if (other[i] >= 0)
			close(other[i]);
	char c;
	ssize_t r;
	do
		r = read(life, &c, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		kill(-group, SIGKILL);
	_exit(0);
}

/* Appends what fd has to sb: 1 when it read something, 0 at end of file or on an error, -1
 * when a non-blocking fd has nothing now. */
static int read_some(int fd, struct strbuf *sb)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			strbuf_add(sb, buf, (size_t)n);
			return 1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : 0;
	}
}

/* Takes the complete lines out of sb; the last one becomes *last. Returns how many there were. */
static size_t take_lines(struct strbuf *sb, char **last)
{
	size_t count = 0, start = 0;
	const char *s = strbuf_str(sb);
	for (size_t i = 0; i < sb->len; i++) {
		if (s[i] != '\n')
			continue;
		if (i > start) {
			free(*last);
			*last = xstrndup(s + start, i - start);
		}
		count++;
		start = i + 1;
	}
	if (start) {
		char *rest = xstrndup(s + start, sb->len - start);
		strbuf_reset(sb);
		strbuf_addstr(sb, rest);
		free(rest);
	}
	return count;
}

char *proc_run(const char *const argv[], const struct proc_opts *o, struct proc_result *res, size_t *len)
{
	memset(res, 0, sizeof(*res));
	int out[2] = { -1, -1 }, prog[2] = { -1, -1 }, life[2] = { -1, -1 };
	if (cloexec_pipe(out) != 0 || (o->progress && cloexec_pipe(prog) != 0)) {
		error("cannot run '%s': %s", argv[0], strerror(errno));
		close_pipe(out);
		return NULL;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		run_child(argv, o, parent, out[1], prog[1]);
	if (pid < 0) {
		error("cannot run '%s': %s", argv[0], strerror(errno));
		close_pipe(out);
		close_pipe(prog);
		return NULL;
	}
	setpgid(pid, pid); /* as the child does: whichever runs first */
	close(out[1]);
	out[1] = -1;
	if (prog[1] >= 0) {
		close(prog[1]);
		prog[1] = -1;
	}
	pid_t guard = -1;
	if (cloexec_pipe(life) == 0) {
		guard = fork();
		if (guard == 0) {
			const int other[] = { life[1], out[0], prog[0] };
			run_guard(pid, life[0], other, sizeof(other) / sizeof(other[0]));
		}
		close(life[0]);
		life[0] = -1;
	}
	if (guard < 0) {
		kill(-pid, SIGKILL);
		error("cannot run '%s': %s", argv[0], strerror(errno));
		close_pipe(life);
	}

	struct strbuf sb = STRBUF_INIT, pb = STRBUF_INIT;
	long deadline = o->deadline_ms > 0 ? now_ms() + o->deadline_ms : 0;
	int ofd = out[0], pfd = prog[0];
	while (guard >= 0 && !ended(pid)) {
		long wait = 200; /* how often to look whether the program ended while something it
				  * started keeps its output open */
		if (ofd < 0 && pfd < 0)
			wait = 20;
		if (deadline) {
			long left = deadline - now_ms();
			if (left <= 0) {
				res->timed_out = 1;
				break;
			}
			if (left < wait)
				wait = left;
		}
		struct pollfd p[2];
		nfds_t n = 0;
		if (ofd >= 0)
			p[n++] = (struct pollfd){ .fd = ofd, .events = POLLIN };
		if (pfd >= 0)
			p[n++] = (struct pollfd){ .fd = pfd, .events = POLLIN };
		if (poll(p, n, (int)wait) < 0 && errno != EINTR)
			break;
		for (nfds_t i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			int is_out = p[i].fd == ofd;
			if (read_some(p[i].fd, is_out ? &sb : &pb) == 0) {
				close(p[i].fd);
				*(is_out ? &ofd : &pfd) = -1;
			} else if (!is_out && take_lines(&pb, &res->last_progress) && deadline) {
				deadline = now_ms() + o->deadline_ms;
			}
		}
	}
	/* the deadline passed, or the program ended: nothing of its group may outlive it */
	kill(-pid, SIGKILL);
	int fds[2] = { ofd, pfd };
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		/* what the program wrote before it ended; not what a stray that left the group
		 * (setsid) might still write, so never block */
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
		for (int k = 0; k < 4096 && read_some(fds[i], i ? &pb : &sb) == 1; k++)
			;
		close(fds[i]);
	}
	take_lines(&pb, &res->last_progress);
	strbuf_release(&pb);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (guard > 0) {
		/* done: the guard must not kill a group whose id may now be reused */
		while (write(life[1], "x", 1) < 0 && errno == EINTR)
			;
		close(life[1]);
		while (waitpid(guard, NULL, 0) < 0 && errno == EINTR)
			;
	} else {
		strbuf_release(&sb);
		return NULL;
	}
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 128;
	if (res->status == 127 && !res->timed_out) {
		strbuf_release(&sb);
		error("cannot run '%s': not found", argv[0]);
		return NULL;
	}
	if (len)
		*len = sb.len;
	return strbuf_detach(&sb);
}
