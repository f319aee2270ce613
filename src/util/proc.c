#include "util/proc.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"

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
