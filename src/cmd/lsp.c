/* `pgsieve lsp`: the language server on standard input and output (src/lsp/server.h); editors
 * start it (docs/editors.md). Its only options tune it; what it lints and how comes from each
 * document's directory, as for `pgsieve lint FILE`. */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsp/server.h"

int cmd_lsp(int argc, char **argv)
{
	enum { OPT_STDIO = 256, OPT_DEBOUNCE };
	static const struct option longopts[] = {
		/* vscode-languageclient's stdio transport adds --stdio: the only transport there is */
		{ "stdio", no_argument, NULL, OPT_STDIO },
		{ "debounce", required_argument, NULL, OPT_DEBOUNCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lsp_settings settings = { 300, PGSIEVE_VERSION, PGSIEVE_URL };
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STDIO: break;
		case OPT_DEBOUNCE: {
			char *end;
			errno = 0;
			long ms = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || ms < 0 || ms > 60000)
				return cmd_command_usage_error("lsp", "--debounce takes milliseconds from 0 to 60000, not '%s'",
							       optarg);
			settings.debounce_ms = (int)ms;
			break;
		}
		case 'h': cmd_print_usage(stdout); return EXIT_CLEAN;
		case ':': return cmd_command_usage_error("lsp", "'%s' needs a value", argv[optind - 1]);
		default: return cmd_command_usage_error("lsp", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_command_usage_error("lsp", "takes no paths ('%s'): the editor sends the documents", argv[optind]);
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "pgsieve lsp: a language server, reading JSON-RPC from standard input: "
			"start it from an editor (docs/editors.md)\n");
	/* the protocol's status: 0 after shutdown and exit, 1 otherwise */
	return lsp_serve(STDIN_FILENO, stdout, &settings) == 0 ? EXIT_CLEAN : EXIT_FINDINGS;
}
