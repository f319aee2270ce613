/* Building a fix: edits and new files collected in the run's memory while a rule visits its
 * statement, then sorted and checked once when the finding takes them (lint_fix_finish()). */
#include "lint/fix.h"

#include <stdlib.h>
#include <string.h>

#include "lint/rule.h"

struct lint_fix {
	struct fix fix; /* first: the struct fix a finding carries leads back here */
	struct lint_ctx *ctx;
	int voided;     /* lint_fix_void(): a later statement made it wrong */
	struct fix_edit *edits;
	size_t nedits, edits_cap;
	struct fix_file *files;
	size_t nfiles, files_cap;
	const struct fix *done; /* finished once: a fix attached to several findings is shared */
};

struct lint_fix *lint_fix_new(struct lint_ctx *ctx, const char *title)
{
	struct lint_fix *fix = lint_alloc(ctx, sizeof(*fix));
	fix->ctx = ctx;
	fix->fix.title = title;
	return fix;
}

/* Room for one more item in an array of the run's memory (which is never freed piecemeal). */
static void *grow(struct lint_ctx *ctx, void *items, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? *cap * 2 : 4;
	void *bigger = lint_alloc(ctx, ncap * size);
	if (n)
		memcpy(bigger, items, n * size);
	*cap = ncap;
	return bigger;
}

void lint_fix_replace_in(struct lint_ctx *ctx, struct lint_fix *fix, const char *path, uint32_t offset,
			 uint32_t length, const char *text)
{
	if (!fix)
		return;
	fix->edits = grow(ctx, fix->edits, fix->nedits, &fix->edits_cap, sizeof(*fix->edits));
	struct fix_edit *e = &fix->edits[fix->nedits++];
	e->path = path;
	e->offset = offset;
	e->length = length;
	e->text = text ? text : "";
}

void lint_fix_replace(struct lint_ctx *ctx, struct lint_fix *fix, uint32_t offset, uint32_t length,
		      const char *text)
{
	lint_fix_replace_in(ctx, fix, NULL, offset, length, text);
}

void lint_fix_create(struct lint_ctx *ctx, struct lint_fix *fix, const char *path, const char *content)
{
	if (!fix)
		return;
	fix->files = grow(ctx, fix->files, fix->nfiles, &fix->files_cap, sizeof(*fix->files));
	struct fix_file *f = &fix->files[fix->nfiles++];
	f->path = path;
	f->content = content ? content : "";
}

int lint_fix_runs_alone(struct lint_ctx *ctx)
{
	return lint_fix_possible(ctx) && (!lint_in_transaction(ctx) || lint_fix_notx_possible(ctx)) &&
	       lint_statement_alone(ctx);
}

void lint_fix_void(struct lint_fix *fix)
{
	if (fix)
		fix->voided = 1;
}

int lint_fix_voided(const struct fix *fix)
{
	return ((const struct lint_fix *)(const void *)fix)->voided;
}

int lint_fix_single_alter(const struct lint_ctx *ctx)
{
	const PgQuery__Node *st = lint_statement(ctx);
	return st && st->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT && st->alter_table_stmt->n_cmds == 1;
}

struct lint_fix *lint_fix_steps(struct lint_ctx *ctx, const char *title, const char *const *steps, size_t n)
{
	if (!lint_fix_possible(ctx) || lint_in_transaction(ctx) || n == 0)
		return NULL;
	struct lint_mark m = lint_mark_here(ctx, -1);
	const char *text = steps[0];
	for (size_t i = 1; i < n; i++)
		text = lint_printf(ctx, "%s;\n%s", text, steps[i]);
	struct lint_fix *fix = lint_fix_new(ctx, title);
	lint_fix_replace(ctx, fix, m.offset, m.end - m.offset, text);
	return fix;
}

int lint_fix_validate_next(struct lint_ctx *ctx, struct lint_fix *fix, const char *rel, const char *name)
{
	const char *path = lint_file_path(ctx), *slash = strrchr(path, '/');
	const char *up = lint_printf(ctx, "ALTER TABLE %s VALIDATE CONSTRAINT %s;\n", rel, lint_ident(ctx, name));
	const char *down = lint_printf(ctx, "-- pgsieve-ignore-file missing-downgrade: validating leaves nothing to undo; "
					    "the down migration of %s drops the constraint\n", slash ? slash + 1 : path);
	return lint_fix_new_migration(ctx, fix, lint_printf(ctx, "validate %s", name), up, down, 0);
}

const char *lint_fix_sibling(struct lint_ctx *ctx, const char *name)
{
	const char *path = lint_file_path(ctx);
	const char *slash = strrchr(path, '/');
	if (!slash)
		return lint_printf(ctx, "%s", name);
	return lint_printf(ctx, "%.*s/%s", (int)(slash - path), path, name);
}

static int path_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

static int cmp_edit(const void *pa, const void *pb)
{
	const struct fix_edit *a = pa, *b = pb;
	int c = path_cmp(a->path, b->path);
	if (c)
		return c;
	if (a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	/* an insertion before a replacement at the same offset */
	return (a->length > b->length) - (a->length < b->length);
}

const struct fix *lint_fix_finish(struct lint_fix *fix)
{
	if (!fix)
		return NULL;
	if (fix->done)
		return fix->done;
	if (!fix->nedits && !fix->nfiles)
		return NULL;
	if (fix->nedits)
		qsort(fix->edits, fix->nedits, sizeof(*fix->edits), cmp_edit);
	for (size_t i = 1; i < fix->nedits; i++) {
		const struct fix_edit *a = &fix->edits[i - 1], *b = &fix->edits[i];
		if (!path_cmp(a->path, b->path) &&
		    (a->offset + a->length > b->offset || (a->length == 0 && b->length == 0 && a->offset == b->offset)))
			return NULL;
	}
	for (size_t i = 0; i < fix->nfiles; i++)
		for (size_t k = i + 1; k < fix->nfiles; k++)
			if (!strcmp(fix->files[i].path, fix->files[k].path))
				return NULL;
	fix->fix.edits = fix->edits;
	fix->fix.nedits = fix->nedits;
	fix->fix.files = fix->files;
	fix->fix.nfiles = fix->nfiles;
	fix->done = &fix->fix;
	return fix->done;
}
