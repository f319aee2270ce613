/* The commands of `pgsieve COMMAND ...`, one file each in src/cmd/, listed once in main.c's
 * table. A command parses its own arguments, calls into the library and returns the exit status;
 * what several commands share (the schema sources, migration history, drift) is in src/run/.
 * Adding a command: CONTRIBUTING.md ("A command"). */
#ifndef PGSIEVE_CMD_H
#define PGSIEVE_CMD_H

#include <stddef.h>
#include <stdio.h>

#ifndef PGSIEVE_VERSION
#define PGSIEVE_VERSION "0.0.0"
#endif
#ifndef PGSIEVE_URL
#define PGSIEVE_URL "https://github.com/pgsieve/pgsieve"
#endif

/* The exit status every command keeps to: nothing to report, findings (or differences, pending
 * migrations) at the level asked for, usage/input/internal errors. */
enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2 };

/* A command: argv[0] is its name, as main() found it. */
typedef int (*cmd_fn)(int argc, char **argv);

int cmd_lint(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_check(int argc, char **argv);
/* trace's options and run (trace.c); check: lint first into the same report, and --round-trip */
int cmd_trace_run(int argc, char **argv, int check);
int cmd_lsp(int argc, char **argv);

/* "pgsieve: MESSAGE" and a pointer to --help on stderr; returns EXIT_TROUBLE. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for one command: "pgsieve: COMMAND: MESSAGE", pointing at `pgsieve COMMAND --help`. */
int cmd_command_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A --pg-version value: a major version PostgreSQL has (PG_VERSION_MIN..MAX, lint/options.h)
 * into *out; -1 when s is not one. */
int cmd_parse_pg_version(const char *s, int *out);
/* The whole --help text (src/usage.txt) on f. */
void cmd_print_usage(FILE *f);
struct lint_options;
/* The configuration file of a command's paths loaded into opts: `given` (--config) when not
 * NULL, else unless no_config the .pgsieve.yml the n paths share (config_find_common(), the
 * working directory's when n is 0). Returns 0, or prints what went wrong, releases opts and
 * returns EXIT_TROUBLE. */
int cmd_load_config(const char *given, int no_config, char *const *paths, size_t n, const char *stdin_name,
		    struct lint_options *opts);
/* The columns of the terminal on standard output, or 0 when it is not a terminal. */
size_t cmd_terminal_width(void);

#endif
