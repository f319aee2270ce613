/* What the commands share on the command line: the usage error and the terminal's width. */
#include "cmd/cmd.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

int cmd_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "pgsieve: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nrun 'pgsieve --help' for usage\n");
	return EXIT_TROUBLE;
}

size_t cmd_terminal_width(void)
{
	if (!isatty(STDOUT_FILENO))
		return 0;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *env = getenv("COLUMNS");
	long cols = env ? strtol(env, NULL, 10) : 0;
	return cols > 0 && cols < 1000 ? (size_t)cols : 80;
}
