/* A down migration that does not undo its up: after the up and then the down, the schema is not
 * what it was before the up. Rolling back then leaves objects behind (so running the up again
 * fails on "already exists") or loses what the up changed (a column type, a NOT NULL).
 *
 * The engine keeps a copy of the model from before each up that has a down, and advances a copy
 * of the model after the up by the down's statements (lint_undo_models()); finish() compares the
 * two with the comparison of `pgsieve diff` (diff/diff.h) and reports what is not restored, once,
 * at the down part's start. When the up and the down only touch what they name, the copies hold
 * only the tables and indexes they name (the others cannot differ), so a long history is not
 * copied whole at each migration (docs/performance.md).
 *
 * Where the model is incomplete the rule says nothing about what it could not see: a table the
 * migrations only ALTER (the model has only what they touched: schema_table.partial), and,
 * without a schema source (--db, --schema), an object the down creates that was not there after
 * the up, unless it belongs to a table the model knew whole: it most likely restores what the up
 * dropped without pgsieve knowing it existed. */
#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "lint/rule.h"
#include "util/strbuf.h"

static void finish(struct lint_ctx *ctx);

const struct rule rule_downgrade_not_inverse = {
	.id = "downgrade-not-inverse",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a down migration that does not restore the schema its up migration started from",
	.finish = finish,
};

enum { LISTED = 8 };

static void describe(struct strbuf *sb, const struct diff_item *it)
{
	const char *kind = diff_item_kind_name(it);
	switch (it->change) {
	case DIFF_ADDED:
		strbuf_addf(sb, "%s %s is left behind", kind, it->key);
		break;
	case DIFF_DROPPED:
		strbuf_addf(sb, "%s %s is not restored", kind, it->key);
		break;
	case DIFF_RENAMED:
		strbuf_addf(sb, "%s %s keeps the name %s", kind, it->old_key, it->key);
		break;
	case DIFF_CHANGED: {
		char *a = json_dumps(it->old_value, JSON_ENCODE_ANY | JSON_COMPACT);
		char *b = json_dumps(it->new_value, JSON_ENCODE_ANY | JSON_COMPACT);
		strbuf_addf(sb, "%s of %s %s is %s, was %s", it->attribute, kind, it->key, b ? b : "?", a ? a : "?");
		free(a);
		free(b);
		break;
	}
	}
}

/* Whether the item is about a table the model knows only in part. */
static int on_partial_table(const struct diff_item *it)
{
	const struct schema_table *tables[] = {
		it->from_table, it->to_table,
		it->kind == DIFF_TABLE ? it->from : NULL, it->kind == DIFF_TABLE ? it->to : NULL,
	};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (tables[i] && tables[i]->partial)
			return 1;
	return 0;
}

/* Whether the down created the object of an ADDED item: it is added between the model after the
 * up and the model after the down as well. */
static int created_by_down(const struct diff *since_up, const struct diff_item *it)
{
	for (size_t i = 0; i < since_up->n; i++) {
		const struct diff_item *u = &since_up->items[i];
		if (u->change == DIFF_ADDED && u->kind == it->kind && !strcmp(u->key, it->key))
			return 1;
	}
	return 0;
}

/* Whether the item belongs to a table the model before the up knew whole (created in what it
 * read, not only ALTERed): then the model knew all its columns, constraints and indexes, and one
 * the down adds is not a restoration of something unseen. */
static int on_table_known_before(const struct schema_model *before, const struct diff_item *it)
{
	const struct schema_table *t = NULL;
	if ((it->kind == DIFF_COLUMN || it->kind == DIFF_CONSTRAINT) && it->to_table)
		t = schema_object_find(before, SCHEMA_KIND_TABLE, it->to_table->schema, it->to_table->name);
	else if (it->kind == DIFF_INDEX && it->to)
		t = strmap_get(&before->tables, ((const struct schema_index *)it->to)->table_key);
	return t && !t->partial;
}

/* Drops the items about what the model could not see (see the top of the file). */
static void drop_unseen(struct diff *d, const struct schema_model *before, const struct schema_model *up,
			const struct schema_model *after)
{
	struct diff since_up = { 0 };
	int have_since_up = 0;
	size_t kept = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct diff_item *it = &d->items[i];
		int unseen = on_partial_table(it);
		if (!unseen && it->change == DIFF_ADDED && !before->complete) {
			if (!have_since_up) {
				diff_models(&since_up, up, after);
				have_since_up = 1;
			}
			unseen = created_by_down(&since_up, it) && !on_table_known_before(before, it);
		}
		if (unseen)
			diff_item_release(it);
		else
			d->items[kept++] = *it;
	}
	d->n = kept;
	if (have_since_up)
		diff_release(&since_up);
}

static void finish(struct lint_ctx *ctx)
{
	const struct schema_model *before, *up, *after;
	if (!lint_is_down(ctx) || lint_statement_count(ctx) == 0 || lint_irreversible(ctx) ||
	    !lint_undo_models(ctx, &before, &up, &after))
		return; /* no down, or an empty one: missing-downgrade says so */
	struct diff d;
	diff_models(&d, before, after);
	drop_unseen(&d, before, up, after);
	if (d.n) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "the down migration does not restore the schema from before the up: ");
		for (size_t i = 0; i < d.n && i < LISTED; i++) {
			if (i)
				strbuf_addstr(&sb, "; ");
			describe(&sb, &d.items[i]);
		}
		if (d.n > LISTED)
			strbuf_addf(&sb, "; and %zu more difference%s", d.n - LISTED, d.n - LISTED == 1 ? "" : "s");
		lint_report_part(ctx, &rule_downgrade_not_inverse,
				 "make the down undo every change of the up, in reverse order: drop what the up "
				 "creates, create again what it drops, change back what it alters; "
				 "`pgsieve diff` between the two schemas writes the missing statements",
				 "%s", strbuf_str(&sb));
		strbuf_release(&sb);
	}
	diff_release(&d);
}
