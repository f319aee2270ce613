/* What the commands share on the command line: usage errors, --pg-version, the configuration
 * file, the terminal's width. */
#include "cmd/cmd.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lint/config.h"
#include "lint/options.h"
#include "util/error.h"
#include "util/xalloc.h"

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

int cmd_load_config(const char *given, int no_config, char *const *paths, size_t n, const char *stdin_name,
		    struct lint_options *opts)
{
	char *path = NULL;
	if (given)
		path = xstrdup(given);
	else if (!no_config && !n) /* only an Alembic ini: the working directory's */
		path = config_find(".");
	else if (!no_config && config_find_common(paths, n, stdin_name, &path) != 0) {
		fprintf(stderr, "pgsieve: %s\n", error_message());
		lint_options_release(opts);
		return EXIT_TROUBLE;
	}
	if (path && config_load(path, opts) != 0) {
		fprintf(stderr, "pgsieve: bad configuration: %s\n", error_message());
		free(path);
		lint_options_release(opts);
		return EXIT_TROUBLE;
	}
	free(path);
	return 0;
}
