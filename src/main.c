/* pgsieve's entry point: a table of commands (name, function, one line of help), as git's
 * builtin table. Each command is one file in src/cmd/ and chooses its own exit status (0 clean,
 * 1 findings, 2 usage, input or internal errors). Adding a command is a file there and a row
 * here (CONTRIBUTING.md). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "schema/norm.h"
#include "sql/sql.h"

/* usage_text: generated from src/usage.txt, which the man page is also built from */
#include "usage.h"

static const struct cmd {
	const char *name;
	cmd_fn run;
	const char *help; /* one line; the full text of every command is src/usage.txt */
} commands[] = {
	{ "lint", cmd_lint, "say what each statement of the migrations does to a live database" },
	{ "rules", cmd_rules, "list the rules" },
	{ "explain", cmd_explain, "print the documentation of a rule" },
	{ "schema", cmd_schema, "print the model of a database, a schema file or migrations" },
	{ "status", cmd_status, "list which migrations a database has applied" },
	{ "diff", cmd_diff, "compare two schemas and write the migration between them" },
	{ "trace", cmd_trace, "run the migrations on a throwaway PostgreSQL and report what each statement did" },
	{ "check", cmd_check, "lint, then trace with --round-trip: one report for a migration under review" },
	{ "lsp", cmd_lsp, "serve editors findings as they type (Language Server Protocol on stdio)" },
};

enum { NCOMMANDS = sizeof(commands) / sizeof(commands[0]) };

void cmd_print_usage(FILE *f)
{
	fputs(usage_text, f);
}

static const struct cmd *command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	/* `pgsieve migrations/`: the user meant to lint it */
	if (access(name, F_OK) == 0)
		return cmd_usage_error("'%s' is not a command; to lint it: pgsieve lint %s", name, name);
	char list[256];
	size_t o = 0;
	for (size_t i = 0; i < NCOMMANDS && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", commands[i].name);
	return cmd_usage_error("unknown command '%s' (%s)", name, list);
}

int main(int argc, char **argv)
{
	int status;
	if (argc < 2) {
		cmd_print_usage(stderr);
		return EXIT_TROUBLE;
	}
	const char *name = argv[1];
	const struct cmd *c = command_find(name);
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("pgsieve %s (PostgreSQL %s grammar, libpg_query)\n", PGSIEVE_VERSION, sql_grammar_version());
		status = EXIT_CLEAN;
	} else if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		cmd_print_usage(stdout);
		status = EXIT_CLEAN;
	} else if (c) {
		status = c->run(argc - 1, argv + 1);
	} else {
		status = unknown_command(name);
	}
	/* rules, explain, --help, --version, schema dump...: output that cannot be written (a full
	 * disk, a closed descriptor) is an error for every command, not only for lint */
	int werr = fflush(stdout) != 0 ? errno : 0;
	if (werr || ferror(stdout)) {
		if (status != EXIT_TROUBLE)
			fprintf(stderr, "pgsieve: cannot write the output: %s\n", werr ? strerror(werr) : "a write failed");
		status = EXIT_TROUBLE;
	}
	schema_norm_release_caches();
	sql_shutdown();
	return status;
}
