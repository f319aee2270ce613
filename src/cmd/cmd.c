/* What the commands share on the command line: usage errors, --pg-version, the terminal's width. */
#include "cmd/cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lint/options.h"

static int usage_verror(const char *command, const char *fmt, va_list ap)
{
	fprintf(stderr, "pgsieve: ");
	if (command)
		fprintf(stderr, "%s: ", command);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nrun 'pgsieve %s%s--help' for usage\n", command ? command : "", command ? " " : "");
	return EXIT_TROUBLE;
}

int cmd_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = usage_verror(NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int cmd_command_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = usage_verror(command, fmt, ap);
	va_end(ap);
	return rc;
}

int cmd_parse_pg_version(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < PG_VERSION_MIN || v > PG_VERSION_MAX)
		return -1;
	*out = (int)v;
	return 0;
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
