/* One document linted as `pgsieve lint FILE` would lint it, with the editor's text in place of
 * the file's: the migrations before it in its directory read for context, the framework of
 * its directory, the .pgsieve.yml above it. Only the document's own findings are kept, copied
 * out of the run. */
#ifndef PGSIEVE_LSP_LINT_H
#define PGSIEVE_LSP_LINT_H

#include <stddef.h>
#include <stdint.h>

#include "lint/finding.h"

/* A finding's fix (lint/finding.h's struct fix), copied out of the run: edits of the document
 * (path NULL) or of other files, files to create; paths as the plan names them (absolute for a
 * document on disk). */
struct lsp_fix_edit {
	char *path;
	uint32_t offset, length;
	char *text;
};
struct lsp_fix_file {
	char *path, *content;
};
struct lsp_fix {
	char *title;
	struct lsp_fix_edit *edits;
	size_t nedits;
	struct lsp_fix_file *files;
	size_t nfiles;
};

struct lsp_finding {
	const struct rule *rule;
	enum severity severity;
	uint32_t offset, end; /* bytes of the document */
	/* Where a comment directive silencing the finding goes above (the statement's first
	 * token, or the Alembic op.* call's line); the finding's offset when it has none. */
	uint32_t stmt_offset;
	char *message;
	struct lsp_fix *fix; /* NULL: none */
};

struct lsp_lint {
	struct lsp_finding *findings;
	size_t n, cap;
	/* Said about the document as a whole, besides the findings: a configuration file that
	 * does not load (the document is then linted with the defaults). malloc'd; NULL: none. */
	char *problem;
};

/* Lints the document `display` (as reports name it) whose text is text[0..len) (text[len] ==
 * 0). path: the document's file, canonical, or NULL when it has none (an unsaved buffer); a
 * document with no file on disk is linted alone, as plain SQL. An Alembic revision is linted
 * as the SQL Alembic renders from the file on disk: the caller lints it when text is what the
 * file holds. The other files the editor has open are read as it holds them when the caller
 * overlays them (file_overlay_add()); the document's text is overlaid here, and the caller
 * clears all with file_overlay_clear() after the call. Returns 0, or -1 with error() for a
 * failure of the tool. */
int lsp_lint_document(const char *path, const char *display, const char *text, size_t len, struct lsp_lint *out);
void lsp_lint_release(struct lsp_lint *l);

#endif
