/* `pgsieve lsp`: a Language Server Protocol (3.17) server for migrations, on a pipe. Documents
 * the client opens are linted in their directory's context (lsp/lint.h) when opened, saved
 * and, after a pause in typing, changed; their findings are published as diagnostics. Hover on a
 * finding gives its rule's page (what `pgsieve explain` prints); code actions insert the
 * comment directive that silences a finding. One thread: requests are answered between lints,
 * so the client waits at most for one lint of one document. */
#ifndef PGSIEVE_LSP_SERVER_H
#define PGSIEVE_LSP_SERVER_H

#include <stdio.h>

struct lsp_settings {
	int debounce_ms; /* how long after a change the document is linted */
	const char *tool_version, *project_url; /* serverInfo, links to the rules' pages */
};

/* Serves one client reading in_fd and writing out until the exit notification or the end of
 * the input. Returns the exit status the protocol asks for: 0 when exit follows shutdown, 1
 * otherwise (exit without shutdown, input closed, output that cannot be written). */
int lsp_serve(int in_fd, FILE *out, const struct lsp_settings *settings);

#endif
