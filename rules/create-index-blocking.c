/* CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table for the whole build: reads
 * go on, every INSERT, UPDATE and DELETE waits. Tables created earlier in the migration are
 * fine (nobody else can see them yet), and so is CREATE INDEX ON ONLY, which builds nothing:
 * it is the first step of the partitioned-table recipe. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_INDEX_STMT, LINT_KINDS_END };

const struct rule rule_create_index_blocking = {
	.id = "create-index-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "CREATE INDEX without CONCURRENTLY blocks writes to the table while the index builds",
	.kinds = kinds,
	.visit = visit,
	.fix = "CONCURRENTLY IF NOT EXISTS, for a named index: in place when alone in its migration (with the runner's no-transaction marker), else the last statement moved into a new migration",
};

/* Help texts quote the user's statement from the table name on; longer or multi-line ones are
 * cut, since the point is the CONCURRENTLY keyword, not the column list. */
enum { TAIL_MAX = 160 };

/* The statement's text from the node at `location` to its end, on one line, or NULL. */
static const char *text_from(struct lint_ctx *ctx, int location)
{
	size_t len;
	const char *text = lint_statement_text(ctx, &len);
	struct lint_mark start = lint_mark_here(ctx, -1), at = lint_mark_here(ctx, location);
	if (location < 0 || at.offset < start.offset || at.offset - start.offset >= len)
		return NULL;
	size_t from = at.offset - start.offset, n = len - from;
	const char *nl = memchr(text + from, '\n', n);
	int cut = 0;
	if (nl) {
		n = (size_t)(nl - (text + from));
		cut = 1;
	}
	while (n > 0 && (text[from + n - 1] == '\r' || text[from + n - 1] == ' ' || text[from + n - 1] == '\t'))
		n--;
	if (n > TAIL_MAX) {
		n = TAIL_MAX;
		while (n > 0 && ((unsigned char)text[from + n] & 0xC0) == 0x80)
			n--; /* do not cut a UTF-8 sequence */
		cut = 1;
	}
	return lint_printf(ctx, "%.*s%s", (int)n, text + from, cut ? " ..." : "");
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__IndexStmt *is = node->index_stmt;
	if (is->concurrent || !is->relation || lint_table_is_new(ctx, is->relation))
		return;
	/* ON ONLY: on a partitioned table it creates an empty, invalid parent index and builds
	 * nothing; the partitions' indexes are built CONCURRENTLY and attached to it */
	if (!is->relation->inh)
		return;
	const char *rel = lint_rel(ctx, is->relation);
	const char *unique = is->unique ? "UNIQUE " : "";
	const char *name = *is->idxname ? lint_printf(ctx, "%s ", lint_ident(ctx, is->idxname)) : "";
	const char *tail = text_from(ctx, is->relation->location);
	const char *sql = lint_printf(ctx, "CREATE %sINDEX CONCURRENTLY %s%sON %s", unique,
				      is->if_not_exists ? "IF NOT EXISTS " : "", name, tail ? tail : rel);
	const char *retry =
		*is->idxname
			? lint_printf(ctx, "DROP INDEX CONCURRENTLY %s", lint_ident(ctx, is->idxname))
			: "drop it with DROP INDEX CONCURRENTLY";
	/* The fix: CONCURRENTLY, and IF NOT EXISTS so that a retry after a failure half way does
	 * not fail on the index already built (prefer-robust-statements). Only where the statement
	 * can run as it stands: alone in its migration (a concurrent build commits along the way,
	 * so the other statements of the migration would no longer be atomic) and outside a
	 * transaction; and only for a named index, which IF NOT EXISTS needs. */
	uint32_t at, end;
	if ((*is->idxname || is->if_not_exists) && lint_fix_runs_alone(ctx) &&
	    lint_find_token(ctx, PG_QUERY__TOKEN__INDEX, lint_mark_here(ctx, -1).offset, &at, &end) == 0) {
		struct lint_fix *fix = lint_fix_new(ctx, "build the index with CREATE INDEX CONCURRENTLY");
		lint_fix_replace(ctx, fix, end, 0, is->if_not_exists ? " CONCURRENTLY" : " CONCURRENTLY IF NOT EXISTS");
		lint_fix_notx_marker(ctx, fix);
		lint_fix_attach(ctx, fix);
	} else if (*is->idxname && lint_fix_possible(ctx) && !lint_statement_alone(ctx) && lint_statement_last(ctx) &&
		   lint_find_token(ctx, PG_QUERY__TOKEN__INDEX, lint_mark_here(ctx, -1).offset, &at, &end) == 0) {
		/* The last statement of a migration that holds others: moved into a new migration
		 * after it, alone there and outside a transaction (the runner's marker where it
		 * would wrap it). Its undo stays where it was, in this migration's down. */
		struct lint_fix *fix = lint_fix_new(ctx, "build the index with CREATE INDEX CONCURRENTLY in a new "
							 "migration of its own");
		uint32_t from = lint_fix_remove_statement(ctx, fix); /* with the comments above it */
		size_t len;
		const char *text = lint_file_text(ctx, &len);
		const char *path = lint_file_path(ctx), *slash = strrchr(path, '/');
		const char *up = lint_printf(ctx, "%.*s%s%.*s;\n", (int)(end - from), text + from,
					     is->if_not_exists ? " CONCURRENTLY" : " CONCURRENTLY IF NOT EXISTS",
					     (int)(lint_mark_here(ctx, -1).end - end), text + end);
		const char *down = lint_printf(ctx, "-- pgsieve-ignore-file missing-downgrade: the index comes from %s, "
						    "whose down migration undoes it\n", slash ? slash + 1 : path);
		if (lint_fix_new_migration(ctx, fix, lint_printf(ctx, "%s concurrently", is->idxname), up, down, 1))
			lint_fix_attach(ctx, fix);
	}
	lint_report(ctx, &rule_create_index_blocking, -1,
		    lint_printf(ctx,
				"build it without blocking writes, outside a transaction block (in a "
				"migration of its own that runs without one): %s; it takes SHARE UPDATE "
				"EXCLUSIVE, so reads and writes go on. A failed or cancelled CONCURRENTLY "
				"build leaves an INVALID index behind%s: %s before retrying",
				sql, is->if_not_exists ? " that IF NOT EXISTS would then skip" : "", retry),
		    "CREATE %sINDEX %son %s takes a %s lock: writes to the table wait until the index is built",
		    unique, name, rel, lock_mode_name(LOCK_SHARE));
}
