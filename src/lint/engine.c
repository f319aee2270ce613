/* The lint engine: reads a migration's statements from the SQL front end, walks each tree once
 * calling the rules that asked for each node kind, keeps the migration's context (transaction,
 * settings, the schema model), applies directives and records findings. */
#include "lint/run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "lint/directive.h"
#include "lint/fix.h"
#include "lint/registry.h"
#include "lint/rule.h"
#include "schema/apply.h"
#include "schema/size.h"
#include "sql/sql.h"
#include "sql/walk.h"
#include "util/error.h"
#include "util/file.h"
#include "util/ident.h"
#include "util/srcmap.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* Node kinds are protobuf field numbers of PgQuery__Node's oneof; they stay well below this. */
enum { NODE_KINDS = 512, ANY_STATEMENT_SLOT = 0 };

struct dispatch {
	const struct rule **by_kind[NODE_KINDS]; /* slot 0: rules for every statement */
	size_t count[NODE_KINDS];
	int walk;                 /* some rule wants a node kind: statements are walked */
};

struct lint_ctx {
	struct lint_run *run;
	struct schema_model *model; /* the run's, or the migration's own (separate_model) */
	const struct lint_source *src;
	size_t file_index;
	struct srcmap map;
	const struct sql_stmt *stmt;
	/* The walk of the statement (sql/walk.h): walk.path is `path`, walk.depth how deep the
	 * visited node is (deeper than SQL_WALK_MAX_DEPTH the walk stops descending: rules look at
	 * statements, clauses and expressions near the top). */
	struct sql_walk walk;
	const PgQuery__Node *path[SQL_WALK_MAX_DEPTH];
	int explicit_tx, framework_tx;
	int stmt_alone; /* the runner runs this statement outside its transaction (runs_alone) */
	struct strmap settings;  /* name -> malloc'd value */
	struct strmap fp_counts; /* fingerprint base -> occurrence count (as a pointer-sized int) */
	int *rule_state;
	void **rule_data;
	void **tx_data; /* lint_transaction_data(): the run's tx_data when continued, else own */
	struct finding *findings;
	size_t nfindings, findings_cap;
	struct directive *directives;
	size_t ndirectives, directives_cap;
	size_t nstatements;
	int in_do_block;          /* linting the statements a DO block runs */
	uint32_t do_stmt_index;   /* the DO statement's index, for directives */
	uint32_t *stmt_offsets;   /* each statement's first token, by index (lint_file) */
	size_t nstmt_offsets, stmt_offsets_cap;
	/* a down part whose up's starting model is known: the model after the up, advanced by
	 * this down's statements too (downgrade-not-inverse) */
	struct schema_model *undo_model;
	/* the model after the up, of the same tables and indexes as undo_model; NULL: the run's */
	struct schema_model *undo_up;
	/* the fix the next finding takes (lint_fix_attach()); cleared after each rule's call */
	struct lint_fix *next_fix;
	/* the part's text (region, without a byte order mark) */
	uint32_t part_from;
	size_t part_len;
};

/* ---- the run ---- */

void lint_run_init(struct lint_run *run, const struct lint_options *opts)
{
	memset(run, 0, sizeof(*run));
	run->opts = opts;
	arena_init(&run->arena);
	schema_model_init(&run->model);
	run->dispatch = xcalloc(1, sizeof(*run->dispatch));
	for (size_t i = 0; i < rule_count; i++) {
		const struct rule *r = rule_registry[i];
		if (!r->kinds || !r->visit || opts->severities[i] == SEVERITY_OFF)
			continue;
		for (const PgQuery__Node__NodeCase *k = r->kinds; *k != LINT_KINDS_END; k++) {
			int slot = *k == LINT_ANY_STATEMENT ? ANY_STATEMENT_SLOT : (int)*k;
			if (slot < 0 || slot >= NODE_KINDS)
				continue;
			struct dispatch *d = run->dispatch;
			d->by_kind[slot] = xrealloc(d->by_kind[slot], (d->count[slot] + 1) * sizeof(void *));
			d->by_kind[slot][d->count[slot]++] = r;
			if (slot != ANY_STATEMENT_SLOT)
				d->walk = 1;
		}
	}
}

void lint_run_release(struct lint_run *run)
{
	if (run->dispatch) {
		for (int i = 0; i < NODE_KINDS; i++)
			free(run->dispatch->by_kind[i]);
	}
	free(run->dispatch);
	free(run->files);
	free(run->findings);
	schema_model_release(&run->model);
	schema_strlist_clear(&run->history_tables);
	if (run->undo_base)
		schema_model_release(run->undo_base);
	free(run->undo_base);
	strmap_release(&run->undo_names);
	free(run->tx_data);
	arena_release(&run->arena);
	memset(run, 0, sizeof(*run));
}

enum severity lint_run_max_severity(const struct lint_run *run, size_t counts[4])
{
	enum severity max = SEVERITY_OFF;
	if (counts)
		memset(counts, 0, 4 * sizeof(*counts));
	for (size_t i = 0; i < run->nfindings; i++) {
		enum severity s = run->findings[i].severity;
		if (counts)
			counts[s]++;
		if (s > max)
			max = s;
	}
	return max;
}

const char *lint_tx_name(enum lint_tx tx)
{
	switch (tx) {
	case LINT_TX_WRAPPED:
		return "transaction";
	case LINT_TX_IMPLICIT:
		return "implicit transaction";
	case LINT_TX_NONE:
		return "no transaction";
	default:
		return "as written";
	}
}

/* ---- what rules can ask ---- */

int lint_pg_version(const struct lint_ctx *ctx)
{
	return ctx->run->opts->pg_version;
}

int lint_in_transaction(const struct lint_ctx *ctx)
{
	/* a DO block is one statement: what it runs is inside that statement's transaction */
	return ctx->explicit_tx || (ctx->framework_tx && !ctx->stmt_alone) || ctx->in_do_block;
}

int lint_explicit_transaction(const struct lint_ctx *ctx)
{
	return ctx->explicit_tx;
}

int lint_framework_transaction(const struct lint_ctx *ctx)
{
	return ctx->framework_tx && !ctx->stmt_alone;
}

int lint_is_down(const struct lint_ctx *ctx)
{
	return ctx->src->is_down;
}

int lint_in_do_block(const struct lint_ctx *ctx)
{
	return ctx->in_do_block;
}

int lint_framework_tx_kind(const struct lint_ctx *ctx)
{
	return (int)ctx->src->tx;
}

const char *lint_framework(const struct lint_ctx *ctx)
{
	return ctx->src->framework;
}

int lint_has_down(const struct lint_ctx *ctx)
{
	return ctx->src->has_down;
}

int lint_down_advice(const struct lint_ctx *ctx, const char **help, const char **consequence)
{
	*help = ctx->src->down_help;
	*consequence = ctx->src->down_consequence;
	return *help && *consequence ? 0 : -1;
}

int lint_irreversible(const struct lint_ctx *ctx)
{
	return ctx->src->irreversible;
}

int lint_nothing_to_undo(const struct lint_ctx *ctx)
{
	return ctx->src->nothing_to_undo;
}

size_t lint_statement_count(const struct lint_ctx *ctx)
{
	return ctx->nstatements;
}

const char *lint_source_note(const struct lint_ctx *ctx)
{
	return ctx->src->note;
}

int lint_source_note_static(const struct lint_ctx *ctx)
{
	return ctx->src->note_static;
}

int lint_undo_models(const struct lint_ctx *ctx, const struct schema_model **before,
		     const struct schema_model **up, const struct schema_model **after)
{
	if (!ctx->undo_model || !ctx->run->undo_base)
		return 0;
	*before = ctx->run->undo_base;
	/* a down part advances a model of its own, not the run's */
	*up = ctx->undo_up ? ctx->undo_up : &ctx->run->model;
	*after = ctx->undo_model;
	return 1;
}

struct schema_model *lint_model(struct lint_ctx *ctx)
{
	return ctx->model;
}

struct schema_table *lint_table(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	if (!rv || !*rv->relname)
		return NULL;
	return schema_object_find(ctx->model, SCHEMA_KIND_TABLE, rv->schemaname, rv->relname);
}

const char *lint_relation_key(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
	if (!schema)
		schema = schema_resolve_relation(ctx->model, rv->relname);
	if (!schema)
		schema = schema_creation_schema(ctx->model);
	return lint_printf(ctx, "%s.%s", schema, rv->relname);
}

int lint_table_is_new(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	if (rv && rv->relpersistence && !strcmp(rv->relpersistence, "t"))
		return 1; /* a temporary table is private to the session that made it */
	return rv && *rv->relname && schema_relation_is_new(ctx->model, rv->schemaname, rv->relname);
}

size_t lint_effects(const struct lint_ctx *ctx, struct effect *out, size_t max)
{
	return effects_of(ctx->stmt->node, ctx->run->opts->pg_version, out, max);
}

int lint_effect_is_new(struct lint_ctx *ctx, const struct effect *e)
{
	PgQuery__RangeVar buf;
	const PgQuery__RangeVar *rv = effect_rangevar(e, &buf);
	if (!rv)
		return 0; /* every table of the database */
	if (e->object != EFFECT_OBJ_INDEX)
		return lint_table_is_new(ctx, rv);
	/* an index built in this migration, or one on a table created in it */
	return schema_object_find(ctx->model, SCHEMA_KIND_INDEX, rv->schemaname, rv->relname) &&
	       schema_relation_is_new(ctx->model, rv->schemaname, rv->relname);
}

const PgQuery__Node *lint_statement(const struct lint_ctx *ctx)
{
	return ctx->stmt->node;
}

const char *lint_statement_text(const struct lint_ctx *ctx, size_t *len)
{
	*len = ctx->stmt->end - ctx->stmt->start;
	return ctx->src->text + ctx->stmt->start;
}

size_t lint_statement_long_identifiers(struct lint_ctx *ctx, size_t min_bytes, struct lint_ident_token *out,
				       size_t max)
{
	const struct sql_stmt *st = ctx->stmt;
	size_t n = 0;
	for (size_t i = 0; st && i < st->ntokens && n < max; i++) {
		const struct sql_token *t = &st->tokens[i];
		/* the folded form is never longer than the written one (quotes and "" shrink) */
		if (t->kind != PG_QUERY__TOKEN__IDENT || t->end - t->start <= min_bytes)
			continue;
		const char *p = ctx->src->text + t->start, *end = ctx->src->text + t->end;
		struct strbuf sb = STRBUF_INIT;
		if (*p == '"') {
			for (p++; p < end - 1; p++) {
				strbuf_addch(&sb, *p);
				if (*p == '"')
					p++; /* "" stands for one " */
			}
		} else if ((*p == 'U' || *p == 'u') && p[1] == '&') {
			strbuf_release(&sb);
			continue; /* U&"..." escapes: rare in names, and not worth decoding here */
		} else {
			for (; p < end; p++)
				strbuf_addch(&sb, *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p);
		}
		if (sb.len > min_bytes) {
			out[n].name = lint_printf(ctx, "%s", strbuf_str(&sb));
			out[n].bytes = sb.len;
			out[n].location = (int)(t->start - st->base);
			n++;
		}
		strbuf_release(&sb);
	}
	return n;
}

const PgQuery__Node *lint_parent(const struct lint_ctx *ctx, int up)
{
	int i = ctx->walk.depth - 2 - up; /* path[depth-1] is the node itself */
	return i >= 0 ? ctx->path[i] : NULL;
}

const char *lint_setting(const struct lint_ctx *ctx, const char *name)
{
	return strmap_get(&ctx->settings, name);
}

int *lint_rule_state(struct lint_ctx *ctx, const struct rule *rule)
{
	return &ctx->rule_state[rule_index(rule)];
}

void **lint_rule_data(struct lint_ctx *ctx, const struct rule *rule)
{
	return &ctx->rule_data[rule_index(rule)];
}

void **lint_transaction_data(struct lint_ctx *ctx, const struct rule *rule)
{
	return &ctx->tx_data[rule_index(rule)];
}

void *lint_alloc(struct lint_ctx *ctx, size_t size)
{
	return arena_zalloc(&ctx->run->arena, size);
}

const struct lint_options *lint_options(const struct lint_ctx *ctx)
{
	return ctx->run->opts;
}

int lint_config_flag(const struct lint_ctx *ctx, const char *key)
{
	const struct lint_options *o = ctx->run->opts;
	if (!strcmp(key, "lock-timeout-set-by-runner"))
		return o->lock_timeout_set_by_runner;
	if (!strcmp(key, "statement-timeout-set-by-runner"))
		return o->statement_timeout_set_by_runner;
	if (!strcmp(key, "require-down"))
		return o->require_down;
	if (!strcmp(key, "irreversible-marker-ok"))
		return o->irreversible_marker_ok;
	return 0;
}

char *lint_printf(struct lint_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(&ctx->run->arena, fmt, ap);
	va_end(ap);
	return s;
}

const char *lint_rel(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	char buf[600];
	return arena_strdup(&ctx->run->arena, sql_rangevar_display(rv, buf, sizeof(buf)));
}

const char *lint_ident(struct lint_ctx *ctx, const char *name)
{
	char buf[300];
	return arena_strdup(&ctx->run->arena, ident_quote_always(name, buf, sizeof(buf)));
}

const char *lint_expr_sql(struct lint_ctx *ctx, const PgQuery__Node *expr)
{
	char *s = sql_deparse_expr(expr);
	const char *out = s ? arena_strdup(&ctx->run->arena, s) : NULL;
	free(s);
	return out;
}

const char *lint_type_sql(struct lint_ctx *ctx, const PgQuery__TypeName *tn)
{
	char *s = sql_deparse_type(tn);
	const char *out = s ? arena_strdup(&ctx->run->arena, s) : NULL;
	free(s);
	return out;
}

/* ---- fixes ---- */

void lint_fix_attach(struct lint_ctx *ctx, struct lint_fix *fix)
{
	ctx->next_fix = fix;
}

int lint_fix_possible(const struct lint_ctx *ctx)
{
	return !ctx->src->nsegments && !ctx->in_do_block && ctx->stmt && ctx->stmt->node;
}

int lint_find_token(const struct lint_ctx *ctx, int kind, uint32_t from, uint32_t *start, uint32_t *end)
{
	const struct sql_stmt *st = ctx->stmt;
	for (size_t i = 0; st && i < st->ntokens; i++) {
		if (st->tokens[i].start >= from && st->tokens[i].kind == kind) {
			*start = st->tokens[i].start;
			*end = st->tokens[i].end;
			return 0;
		}
	}
	return -1;
}

/* Whether text[from..to) holds nothing but white space, ';' and comments. It stops at the first
 * other byte, so that asking about the first statement of a 50 MB file costs nothing (counting
 * its statements would scan it all). */
static int only_blank(const char *text, size_t from, size_t to)
{
	size_t i = from;
	while (i < to) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == ';') {
			i++;
		} else if (c == '-' && i + 1 < to && text[i + 1] == '-') {
			while (i < to && text[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < to && text[i + 1] == '*') {
			int depth = 0; /* PostgreSQL's block comments nest */
			do {
				if (text[i] == '/' && i + 1 < to && text[i + 1] == '*')
					depth++, i += 2;
				else if (text[i] == '*' && i + 1 < to && text[i + 1] == '/')
					depth--, i += 2;
				else
					i++;
			} while (depth > 0 && i < to);
		} else {
			return 0;
		}
	}
	return 1;
}

int lint_statement_alone(const struct lint_ctx *ctx)
{
	return ctx->stmt && !ctx->in_do_block && ctx->nstatements == 1 &&
	       only_blank(ctx->src->text, ctx->stmt->end, (size_t)ctx->part_from + ctx->part_len);
}

int lint_token_after(const struct lint_ctx *ctx, uint32_t from, uint32_t *start, uint32_t *end)
{
	const struct sql_stmt *st = ctx->stmt;
	for (size_t i = 0; st && i < st->ntokens; i++) {
		if (st->tokens[i].start >= from) {
			*start = st->tokens[i].start;
			*end = st->tokens[i].end;
			return st->tokens[i].kind;
		}
	}
	return -1;
}

/* The edit that says the part runs without the runner's transaction, or 0 when there is none:
 * the marker line's end (before its line break) with the suffix, or the file's start. */
static int notx_marker_edit(const struct lint_ctx *ctx, uint32_t *at, const char **text)
{
	const struct lint_source *src = ctx->src;
	if (src->no_tx_marker_suffix && src->has_region && src->marker_offset < src->len &&
	    src->marker_offset < src->region_offset) {
		uint32_t e = src->marker_offset;
		while (e < src->len && src->text[e] != '\n' && src->text[e] != '\r')
			e++;
		*at = e;
		*text = src->no_tx_marker_suffix;
		return 1;
	}
	if (src->no_tx_first_line && !(src->len >= 3 && !memcmp(src->text, "\xEF\xBB\xBF", 3))) {
		*at = 0;
		*text = src->no_tx_first_line;
		return 1;
	}
	return 0;
}

/* The file beside the part that holds the runner's no-transaction setting (Flyway's
 * <script>.sql.conf, Diesel's metadata.toml), as the run names files; NULL: none. */
static const char *notx_file(struct lint_ctx *ctx)
{
	const struct lint_source *src = ctx->src;
	if (!src->no_tx_file || !src->no_tx_key || !src->no_tx_line || src->is_down)
		return NULL;
	if (src->no_tx_file[0] == '.')
		return lint_printf(ctx, "%s%s", src->path, src->no_tx_file);
	return lint_fix_sibling(ctx, src->no_tx_file);
}

int lint_fix_notx_possible(const struct lint_ctx *ctx)
{
	uint32_t at;
	const char *text;
	const struct lint_source *src = ctx->src;
	return !ctx->explicit_tx && !ctx->in_do_block && src->tx == LINT_TX_WRAPPED &&
	       (notx_marker_edit(ctx, &at, &text) ||
		(src->no_tx_file && src->no_tx_key && src->no_tx_line && !src->is_down));
}

/* The setting written into the file beside the part: the line of its key replaced (a value of
 * true), else the line added at the top (where TOML keys are the file's own, not a table's);
 * the file created when there is none. */
static void notx_setting(struct lint_ctx *ctx, struct lint_fix *fix, const char *path)
{
	const struct lint_source *src = ctx->src;
	size_t len;
	char *text = file_read(path, &len);
	if (!text) {
		lint_fix_create(ctx, fix, path, src->no_tx_line);
		return;
	}
	size_t kl = strlen(src->no_tx_key), ll = strlen(src->no_tx_line);
	const char *line = src->no_tx_line;
	size_t line_len = ll && line[ll - 1] == '\n' ? ll - 1 : ll;
	int done = 0;
	for (size_t i = 0; i < len && !done;) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t k = i;
		while (k < eol && (text[k] == ' ' || text[k] == '\t'))
			k++;
		size_t v = k + kl;
		if (eol - k >= kl && !memcmp(text + k, src->no_tx_key, kl)) {
			while (v < eol && (text[v] == ' ' || text[v] == '\t'))
				v++;
			if (v < eol && (text[v] == '=' || text[v] == ':')) {
				size_t end = eol > i && text[eol - 1] == '\r' ? eol - 1 : eol;
				lint_fix_replace_in(ctx, fix, path, (uint32_t)i, (uint32_t)(end - i),
						    lint_printf(ctx, "%.*s", (int)line_len, line));
				done = 1;
			}
		}
		i = eol + 1;
	}
	if (!done)
		lint_fix_replace_in(ctx, fix, path, 0, 0, line);
	free(text);
}

void lint_fix_notx_marker(struct lint_ctx *ctx, struct lint_fix *fix)
{
	uint32_t at;
	const char *text;
	if (!fix || !lint_in_transaction(ctx) || !lint_fix_notx_possible(ctx))
		return;
	if (notx_marker_edit(ctx, &at, &text)) {
		lint_fix_replace(ctx, fix, at, 0, text);
		return;
	}
	const char *file = notx_file(ctx);
	if (file)
		notx_setting(ctx, fix, file);
}

int lint_statement_last(const struct lint_ctx *ctx)
{
	return ctx->stmt && !ctx->in_do_block &&
	       only_blank(ctx->src->text, ctx->stmt->end, (size_t)ctx->part_from + ctx->part_len);
}

/* Where the `--` comment lines right above the statement start (no blank line between; not a
 * runner's annotation such as goose's `-- +goose StatementBegin`): they go with it. */
static uint32_t comments_above(const struct lint_ctx *ctx, uint32_t line)
{
	const char *t = ctx->src->text;
	while (line > ctx->part_from) {
		uint32_t prev = line - 1; /* the '\n' ending the line above */
		while (prev > ctx->part_from && t[prev - 1] != '\n')
			prev--;
		uint32_t k = prev;
		while (k < line && (t[k] == ' ' || t[k] == '\t'))
			k++;
		if (!(k + 1 < line && t[k] == '-' && t[k + 1] == '-') || (k + 3 < line && t[k + 2] == ' ' && t[k + 3] == '+'))
			break;
		line = prev;
	}
	return line;
}

uint32_t lint_fix_remove_statement(struct lint_ctx *ctx, struct lint_fix *fix)
{
	const struct lint_source *src = ctx->src;
	const struct sql_stmt *st = ctx->stmt;
	if (!fix || !st)
		return st ? st->start : 0;
	uint32_t from = st->start, to = st->end;
	/* the statement's line, when nothing but blanks stands before it there, with the
	 * comments above it */
	while (from > ctx->part_from && (src->text[from - 1] == ' ' || src->text[from - 1] == '\t'))
		from--;
	if (from > ctx->part_from && src->text[from - 1] != '\n')
		from = st->start;
	else
		from = comments_above(ctx, from);
	/* its ';' and the rest of its line, when that is blank */
	size_t end = (size_t)ctx->part_from + ctx->part_len;
	uint32_t k = to;
	while (k < end && (src->text[k] == ' ' || src->text[k] == '\t'))
		k++;
	if (k < end && src->text[k] == ';')
		to = ++k;
	while (k < end && (src->text[k] == ' ' || src->text[k] == '\t' || src->text[k] == '\r'))
		k++;
	if (k < end && src->text[k] == '\n' && (from == 0 || src->text[from - 1] == '\n'))
		to = k + 1;
	lint_fix_replace(ctx, fix, from, to - from, "");
	return from;
}

int lint_fix_new_migration(struct lint_ctx *ctx, struct lint_fix *fix, const char *name, const char *up,
			   const char *down, int no_tx)
{
	const struct lint_source *src = ctx->src;
	if (!fix || !src->new_migration || src->is_down || !lint_fix_possible(ctx) || ctx->explicit_tx)
		return 0;
	/* a runner that wraps each migration needs its marker for a statement that refuses
	 * transactions */
	if (no_tx && src->tx == LINT_TX_WRAPPED && !src->no_tx_marker_suffix && !src->no_tx_first_line &&
	    !src->no_tx_file)
		return 0;
	struct lint_new_file files[LINT_NEW_FILES_MAX];
	size_t n = src->new_migration(src->path, name, up, down, no_tx, files);
	for (size_t i = 0; i < n; i++) {
		lint_fix_create(ctx, fix, lint_printf(ctx, "%s", files[i].path), lint_printf(ctx, "%s", files[i].content));
		free(files[i].path);
		free(files[i].content);
	}
	return n > 0;
}

uint32_t lint_part_start(const struct lint_ctx *ctx)
{
	return ctx->part_from;
}

const char *lint_file_path(const struct lint_ctx *ctx)
{
	return ctx->src->path;
}

const char *lint_file_text(const struct lint_ctx *ctx, size_t *len)
{
	*len = ctx->src->len;
	return ctx->src->text;
}

/* ---- findings ---- */

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* A fingerprint that survives moved lines and reformatting: the rule, the file, the statement's
 * tokens joined by single spaces, and how many times that triple was seen before in the file
 * (so a second copy of the same mistake is a new finding). */
static uint64_t statement_hash(const struct lint_ctx *ctx)
{
	uint64_t h = 1469598103934665603ULL;
	const struct sql_stmt *st = ctx->stmt;
	if (st) {
		for (size_t i = 0; i < st->ntokens; i++) {
			h = fnv1a(h, ctx->src->text + st->tokens[i].start, st->tokens[i].end - st->tokens[i].start);
			h = fnv1a(h, " ", 1);
		}
	}
	return h;
}

static const char *fingerprint(struct lint_ctx *ctx, const struct rule *rule, uint64_t stmt_hash,
			       const char *extra)
{
	uint64_t h = 1469598103934665603ULL;
	h = fnv1a(h, rule->id, strlen(rule->id) + 1);
	h = fnv1a(h, ctx->src->path, strlen(ctx->src->path) + 1);
	h = fnv1a(h, (const char *)&stmt_hash, sizeof(stmt_hash));
	if (extra)
		h = fnv1a(h, extra, strlen(extra));
	char base[32];
	snprintf(base, sizeof(base), "%016llx", (unsigned long long)h);
	uintptr_t seen = (uintptr_t)strmap_get(&ctx->fp_counts, base);
	strmap_put(&ctx->fp_counts, base, (void *)(seen + 1));
	h = fnv1a(h, (const char *)&seen, sizeof(seen));
	return arena_printf(&ctx->run->arena, "%016llx", (unsigned long long)h);
}

/* The segment of a rendered text that holds offset (the last one starting at or before it). */
static const struct lint_segment *segment_at(const struct lint_source *src, uint32_t offset)
{
	size_t lo = 0, hi = src->nsegments;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (src->segments[mid].start <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return &src->segments[lo];
}

const char *lint_statement_index_table(const struct lint_ctx *ctx)
{
	if (!ctx->src->nsegments || !ctx->stmt)
		return NULL;
	return segment_at(ctx->src, ctx->stmt->start)->index_table;
}

/* With a schema source that knows sizes (--db), a locking or rewrite finding says how big the
 * relation is, and drops to info on a small one (small-table-rows, small-table-bytes). */
static const char *size_note(struct lint_ctx *ctx, const struct rule *rule, int stmt_index, const char *message,
			     enum severity *sev)
{
	if (!ctx->model->complete || !ctx->stmt || !ctx->stmt->node || stmt_index != (int)ctx->stmt->index ||
	    (rule->category != CATEGORY_LOCKING && rule->category != CATEGORY_REWRITE))
		return message;
	const struct lint_options *o = ctx->run->opts;
	struct schema_size_note note;
	schema_size_note(ctx->model, ctx->stmt->node, o->pg_version, o->small_table_rows, o->small_table_bytes, &note);
	if (!note.known)
		return message;
	if (note.small && *sev > SEVERITY_INFO)
		*sev = SEVERITY_INFO;
	return arena_printf(&ctx->run->arena, "%s (%s)", message, note.text);
}

static struct finding *add_finding_at(struct lint_ctx *ctx, const struct rule *rule, uint32_t offset,
				      uint32_t end, int stmt_index, uint64_t stmt_hash,
				      const char *message, const char *help, const char *fp_extra)
{
	enum severity sev = ctx->run->opts->severities[rule_index(rule)];
	if (sev == SEVERITY_OFF) {
		ctx->next_fix = NULL;
		return NULL;
	}
	if (end < offset)
		end = offset;
	message = size_note(ctx, rule, stmt_index, message, &sev);
	XGROW(ctx->findings, ctx->nfindings + 1, ctx->findings_cap);
	struct finding *f = &ctx->findings[ctx->nfindings++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = sev;
	f->file = ctx->file_index;
	f->offset = offset;
	f->length = end - offset;
	struct srcpos a = srcmap_pos(&ctx->map, offset), b = srcmap_pos(&ctx->map, end);
	f->line = a.line;
	f->column = a.column;
	f->end_line = b.line;
	f->end_column = b.column;
	if (ctx->src->nsegments) {
		/* rendered SQL: the finding belongs to the user's code that produced the piece */
		const struct lint_segment *sg = segment_at(ctx->src, offset);
		f->offset = sg->offset;
		f->length = sg->end_offset > sg->offset ? sg->end_offset - sg->offset : 0;
		f->line = sg->line;
		f->column = sg->column;
		f->end_line = sg->end_line;
		f->end_column = sg->end_column;
	}
	f->stmt_index = stmt_index;
	f->message = message;
	f->help = help;
	f->fingerprint = fingerprint(ctx, rule, stmt_hash, fp_extra);
	if (ctx->next_fix && !ctx->src->nsegments)
		f->fix = lint_fix_finish(ctx->next_fix);
	ctx->next_fix = NULL;
	return f;
}

uint32_t lint_statement_line(struct lint_ctx *ctx)
{
	if (!ctx->stmt)
		return 0;
	if (ctx->src->nsegments)
		return segment_at(ctx->src, ctx->stmt->start)->line;
	return srcmap_pos(&ctx->map, ctx->stmt->start).line;
}

static struct finding *add_finding(struct lint_ctx *ctx, const struct rule *rule, uint32_t offset,
				   uint32_t end, const char *message, const char *help,
				   const char *fp_extra)
{
	return add_finding_at(ctx, rule, offset, end, ctx->stmt ? (int)ctx->stmt->index : -1,
			      statement_hash(ctx), message, help, fp_extra);
}

struct lint_mark lint_mark_here(const struct lint_ctx *ctx, int location)
{
	const struct sql_stmt *st = ctx->stmt;
	struct lint_mark m = { 0, 0, -1, statement_hash(ctx) };
	if (!st)
		return m;
	m.stmt_index = (int)st->index;
	if (location < 0) {
		m.offset = st->start;
		m.end = st->end;
	} else {
		m.offset = st->base + (uint32_t)location;
		m.end = sql_stmt_token_end(st, m.offset);
	}
	return m;
}

void lint_report_mark(struct lint_ctx *ctx, const struct rule *rule, const struct lint_mark *mark,
		      const char *help, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(&ctx->run->arena, fmt, ap);
	va_end(ap);
	add_finding_at(ctx, rule, mark->offset, mark->end, mark->stmt_index, mark->stmt_hash, msg, help,
		       NULL);
}

/* A finding of the rule at a node's location in the current statement. */
__attribute__((format(printf, 5, 0))) static struct finding *
report_at(struct lint_ctx *ctx, const struct rule *rule, int location, const char *help, const char *fmt,
	  va_list ap)
{
	char *msg = arena_vprintf(&ctx->run->arena, fmt, ap);
	struct lint_mark m = lint_mark_here(ctx, location);
	return add_finding_at(ctx, rule, m.offset, m.end, m.stmt_index, m.stmt_hash, msg, help, NULL);
}

void lint_report(struct lint_ctx *ctx, const struct rule *rule, int location, const char *help,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_at(ctx, rule, location, help, fmt, ap);
	va_end(ap);
}

void lint_report_escalated(struct lint_ctx *ctx, const struct rule *rule, int location,
			   const char *help, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct finding *f = report_at(ctx, rule, location, help, fmt, ap);
	va_end(ap);
	/* not above a severity the size of the table lowered */
	if (f && f->severity < SEVERITY_ERROR && f->severity >= ctx->run->opts->severities[rule_index(rule)])
		f->severity++;
}

void lint_report_lowered(struct lint_ctx *ctx, const struct rule *rule, int location,
			 const char *help, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct finding *f = report_at(ctx, rule, location, help, fmt, ap);
	va_end(ap);
	if (f && f->severity > SEVERITY_INFO)
		f->severity--;
}

void lint_report_pending(struct lint_ctx *ctx, const struct rule *rule, int location, const char *key,
			 const char *help, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct finding *f = report_at(ctx, rule, location, help, fmt, ap);
	va_end(ap);
	if (f)
		f->pending_key = arena_strdup(&ctx->run->arena, key);
}

static size_t withdraw_from(struct finding *f, size_t n, const struct rule *rule, const char *key)
{
	size_t keep = 0;
	for (size_t i = 0; i < n; i++)
		if (!(f[i].rule == rule && f[i].pending_key && !strcmp(f[i].pending_key, key)))
			f[keep++] = f[i];
	return keep;
}

/* Findings of earlier migrations are already in the run's list, those of this one still in the
 * context's: both are searched. Pending findings are few, so a scan is enough. */
void lint_withdraw(struct lint_ctx *ctx, const struct rule *rule, const char *key)
{
	ctx->nfindings = withdraw_from(ctx->findings, ctx->nfindings, rule, key);
	ctx->run->nfindings = withdraw_from(ctx->run->findings, ctx->run->nfindings, rule, key);
}

static int has_pending(const struct finding *f, size_t n, const struct rule *rule, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].rule == rule && f[i].pending_key && !strcmp(f[i].pending_key, key))
			return 1;
	return 0;
}

int lint_is_pending(const struct lint_ctx *ctx, const struct rule *rule, const char *key)
{
	return has_pending(ctx->findings, ctx->nfindings, rule, key) ||
	       has_pending(ctx->run->findings, ctx->run->nfindings, rule, key);
}

/* The end of the line that holds offset (before its newline). */
static uint32_t line_end(const char *text, size_t len, uint32_t offset)
{
	uint32_t e = offset;
	while (e < len && text[e] != '\n' && text[e] != '\r')
		e++;
	return e;
}

void lint_report_part(struct lint_ctx *ctx, const struct rule *rule, const char *help,
		      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = arena_vprintf(&ctx->run->arena, fmt, ap);
	va_end(ap);
	const struct lint_source *src = ctx->src;
	uint32_t off = src->has_region ? src->marker_offset : 0;
	if (off > src->len)
		off = 0;
	add_finding_at(ctx, rule, off, line_end(src->text, src->len, off), -1, 0, msg, help,
		       src->is_down ? "down" : "up");
}

size_t lint_run_file(struct lint_run *run, const char *path, const char *framework)
{
	size_t fi = 0;
	while (fi < run->nfiles && strcmp(run->files[fi].path, path))
		fi++;
	if (fi == run->nfiles) {
		XGROW(run->files, run->nfiles + 1, run->files_cap);
		memset(&run->files[fi], 0, sizeof(run->files[fi]));
		run->files[fi].path = arena_strdup(&run->arena, path);
		run->files[fi].framework = framework ? arena_strdup(&run->arena, framework) : NULL;
		run->files[fi].has_down = -1;
		run->nfiles++;
	}
	return fi;
}

void lint_run_report_file(struct lint_run *run, const struct rule *rule, const char *path,
			  const char *framework, const char *text, size_t len, uint32_t offset,
			  const char *message, const char *help)
{
	enum severity sev = run->opts->severities[rule_index(rule)];
	if (sev == SEVERITY_OFF)
		return;
	size_t fi = lint_run_file(run, path, framework);
	XGROW(run->findings, run->nfindings + 1, run->findings_cap);
	struct finding *f = &run->findings[run->nfindings++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = sev;
	f->file = fi;
	f->line = f->column = f->end_line = f->end_column = 1;
	if (text) {
		if (offset > len)
			offset = 0;
		uint32_t end = line_end(text, len, offset);
		struct srcmap map;
		srcmap_init(&map, text, len);
		struct srcpos a = srcmap_pos(&map, offset), b = srcmap_pos(&map, end);
		srcmap_release(&map);
		f->offset = offset;
		f->length = end - offset;
		f->line = a.line;
		f->column = a.column;
		f->end_line = b.line;
		f->end_column = b.column;
	}
	f->stmt_index = -1;
	f->message = arena_strdup(&run->arena, message);
	f->help = help ? arena_strdup(&run->arena, help) : NULL;
	uint64_t h = 1469598103934665603ULL;
	h = fnv1a(h, rule->id, strlen(rule->id) + 1);
	h = fnv1a(h, path, strlen(path) + 1);
	h = fnv1a(h, message, strlen(message));
	f->fingerprint = arena_printf(&run->arena, "%016llx", (unsigned long long)h);
}

/* ---- the walk ---- */

/* Down migrations exist to undo their up: see lint_source.is_down. */
static int rule_applies(const struct lint_ctx *ctx, const struct rule *r)
{
	return !ctx->src->is_down ||
	       (r->category != CATEGORY_DESTRUCTIVE && r->category != CATEGORY_COMPATIBILITY);
}

/* Calls the rules that asked for the node's kind (sql_walk() goes on below it). */
static enum sql_walk_next visit_node(struct sql_walk *w, PgQuery__Node **slot)
{
	struct lint_ctx *ctx = w->ud;
	const PgQuery__Node *node = *slot;
	const struct dispatch *d = ctx->run->dispatch;
	int kind = (int)node->node_case;
	if (kind > 0 && kind < NODE_KINDS)
		for (size_t i = 0; i < d->count[kind]; i++)
			if (rule_applies(ctx, d->by_kind[kind][i]))
			{
				d->by_kind[kind][i]->visit(ctx, node);
				ctx->next_fix = NULL;
			}
	return SQL_WALK_INTO;
}

/* ---- migration context ---- */

static void track_transaction(struct lint_ctx *ctx, const PgQuery__TransactionStmt *ts)
{
	switch (ts->kind) {
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
		/* in an implicit transaction, BEGIN makes it explicit */
		if (ctx->src->tx == LINT_TX_IMPLICIT && ctx->framework_tx)
			ctx->framework_tx = 0, ctx->explicit_tx = 1;
		else if (!lint_in_transaction(ctx))
			ctx->explicit_tx = 1;
		break;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
		if (ts->chain) /* COMMIT AND CHAIN starts the next one at once */
			break;
		ctx->explicit_tx = 0;
		/* In a multi-statement query PostgreSQL runs what follows a COMMIT in a new implicit
		 * transaction; a wrapping runner's transaction, once committed, is gone. */
		if (ctx->src->tx != LINT_TX_IMPLICIT)
			ctx->framework_tx = 0;
		break;
	default:
		break;
	}
}

static void track_setting(struct lint_ctx *ctx, const PgQuery__VariableSetStmt *vs)
{
	if (!*vs->name)
		return;
	if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE && vs->n_args > 0) {
		const PgQuery__Node *a = vs->args[0];
		char buf[64] = "";
		if (a->node_case == PG_QUERY__NODE__NODE_A_CONST) {
			const PgQuery__AConst *c = a->a_const;
			if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval)
				snprintf(buf, sizeof(buf), "%s", c->sval->sval);
			else if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
				snprintf(buf, sizeof(buf), "%d", c->ival ? c->ival->ival : 0);
			else if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL && c->fval)
				snprintf(buf, sizeof(buf), "%s", c->fval->fval);
		}
		free(strmap_put(&ctx->settings, vs->name, xstrdup(buf)));
	} else if (vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET ||
		   vs->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT) {
		free(strmap_remove(&ctx->settings, vs->name));
	}
}

static void advance_context(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT)
		track_transaction(ctx, node->transaction_stmt);
	else if (node->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT)
		track_setting(ctx, node->variable_set_stmt);
	schema_apply(ctx->model, node);
	if (ctx->undo_model)
		schema_apply(ctx->undo_model, node);
}

/* ---- front end callbacks ---- */

static void on_comment(void *ud, const struct sql_comment *c)
{
	struct lint_ctx *ctx = ud;
	struct directive d;
	int r = directive_parse(ctx->src->text + c->start, c->end - c->start, c->start, &d);
	if (r == 0)
		return;
	XGROW(ctx->directives, ctx->ndirectives + 1, ctx->directives_cap);
	ctx->directives[ctx->ndirectives++] = d;
}

/* A message on one line and of bounded length: libpg_query quotes the rest of the file after
 * an unterminated quote ("at or near ..."), which can be megabytes. */
static char *one_line(struct lint_ctx *ctx, const char *text, size_t max)
{
	size_t n = strlen(text), keep = n;
	if (n > max) {
		keep = max;
		while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80)
			keep--; /* do not cut a UTF-8 sequence */
	}
	char *out = arena_alloc(&ctx->run->arena, keep + 8);
	size_t o = 0;
	for (size_t i = 0; i < keep; i++) {
		char c = text[i];
		if (c == '\r' || c == '\n' || c == '\t') {
			if (o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
		} else {
			out[o++] = c;
		}
	}
	if (keep < n)
		o += (size_t)snprintf(out + o, 8, "...%s", text[n - 1] == '"' ? "\"" : "");
	out[o] = '\0';
	return out;
}

/* The grammar is libpg_query's (PostgreSQL 17): for a newer target, a grammar error (not a
 * scanner error such as an unterminated quote, which every release rejects) may be syntax the
 * target accepts, and the finding must say so rather than claim the server rejects it. */
static int maybe_newer_syntax(const struct lint_ctx *ctx, const char *msg)
{
	return lint_pg_version(ctx) > atoi(sql_grammar_version()) && !strncmp(msg, "syntax error", 12);
}

static const char *syntax_message(struct lint_ctx *ctx, const char *msg)
{
	if (!maybe_newer_syntax(ctx, msg))
		return msg;
	return lint_printf(ctx, "%s in pgsieve's PostgreSQL %d grammar: PostgreSQL %d may accept it, "
			   "but pgsieve cannot check this statement",
			   msg, atoi(sql_grammar_version()), lint_pg_version(ctx));
}

static const char *syntax_help(struct lint_ctx *ctx, const char *msg)
{
	if (maybe_newer_syntax(ctx, msg))
		return lint_printf(ctx,
				   "pgsieve parses with the PostgreSQL %s grammar, so syntax added in a later "
				   "release does not parse; check this statement against PostgreSQL %d and, if "
				   "it is valid there, silence this with -- pgsieve-ignore syntax-error",
				   sql_grammar_version(), lint_pg_version(ctx));
	return lint_printf(ctx,
			   "PostgreSQL rejects this statement, so the migration fails here; pgsieve parses "
			   "with the PostgreSQL %s grammar, so syntax added in a later release is reported "
			   "too (set --pg-version and check it against that release)",
			   sql_grammar_version());
}

static int on_statement(void *ud, const struct sql_stmt *st);

static int on_embedded_statement(void *ud, const struct sql_stmt *st)
{
	struct lint_ctx *ctx = ud;
	struct sql_stmt inner = *st;
	inner.index = ctx->do_stmt_index; /* directives before the DO block cover what it runs */
	return on_statement(ctx, &inner);
}

static void on_do_block_statement(void *ud, uint32_t offset, uint32_t length)
{
	struct lint_ctx *ctx = ud;
	struct sql_callbacks cb = { ctx, NULL, on_embedded_statement };
	sql_parse_region(ctx->src->text, ctx->src->len, offset, length, &cb);
}

/* A DO block's statements run during the migration: lint them too, at their place in the
 * file. (CREATE FUNCTION bodies are not: they run when the function is called, not when the
 * migration runs.) */
static void lint_do_block(struct lint_ctx *ctx, const struct sql_stmt *st)
{
	const PgQuery__DoStmt *ds = st->node->do_stmt;
	for (size_t i = 0; i < ds->n_args; i++) {
		const PgQuery__Node *a = ds->args[i];
		if (a->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && !strcmp(a->def_elem->defname, "language") &&
		    strcmp(sql_node_str(a->def_elem->arg) ?: "", "plpgsql"))
			return;
	}
	ctx->in_do_block = 1;
	ctx->do_stmt_index = st->index;
	sql_do_block_statements(ctx->src->text, st, on_do_block_statement, ctx);
	ctx->in_do_block = 0;
	ctx->stmt = st;
}

int lint_source_runs_alone(const struct lint_source *src, const struct sql_stmt *st)
{
	if (src->nsegments) /* where the statement's first token is */
		return segment_at(src, st->ntokens ? st->tokens[0].start : st->start)->alone;
	return src->runs_alone && st->node && src->runs_alone(st->node);
}

static int on_statement(void *ud, const struct sql_stmt *st)
{
	struct lint_ctx *ctx = ud;
	ctx->stmt = st;
	if (!ctx->in_do_block) {
		ctx->nstatements++;
		ctx->stmt_alone = lint_source_runs_alone(ctx->src, st);
		XGROW(ctx->stmt_offsets, (size_t)st->index + 1, ctx->stmt_offsets_cap);
		while (ctx->nstmt_offsets <= st->index)
			ctx->stmt_offsets[ctx->nstmt_offsets++] = st->start;
		ctx->stmt_offsets[st->index] = st->ntokens ? st->tokens[0].start : st->start;
	}
	for (size_t i = 0; i < ctx->ndirectives; i++)
		if (!ctx->directives[i].whole_file && ctx->directives[i].stmt_index < 0 &&
		    ctx->directives[i].offset < st->start)
			ctx->directives[i].stmt_index = (int)st->index;
	if (!st->node) {
		if (ctx->src->context_only)
			return 0;
		char *msg = one_line(ctx, st->error_message ? st->error_message : "syntax error", 120);
		if (ctx->src->nsegments && segment_at(ctx->src, st->start)->assembled) {
			add_finding(ctx, &rule_alembic_static_analysis, st->start, st->end,
				    lint_printf(ctx, "the SQL pgsieve's static reading wrote for this call does "
						     "not parse (%s): the call was not linted; this says nothing "
						     "about the migration itself", msg),
				    "write the call with literal arguments, or run pgsieve where Alembic can "
				    "render the revision", msg);
			return 0;
		}
		if (st->beyond_limits) {
			/* pgsieve's own limit, not the server's: PostgreSQL may well run it */
			add_finding(ctx, &rule_not_analysed, st->error_offset, sql_stmt_token_end(st, st->error_offset),
				    lint_printf(ctx, "pgsieve could not analyse this statement (%s); PostgreSQL may "
						"run it, but none of pgsieve's checks did", msg),
				    "review this statement by hand: pgsieve's limits keep its memory and stack "
				    "bounded, and a statement past them is not checked at all",
				    msg);
			return 0;
		}
		add_finding(ctx, &rule_syntax_error, st->error_offset,
			    sql_stmt_token_end(st, st->error_offset), syntax_message(ctx, msg),
			    syntax_help(ctx, msg), msg);
		return 0;
	}
	if (ctx->src->context_only) {
		advance_context(ctx, st->node);
		return 0;
	}
	const struct dispatch *d = ctx->run->dispatch;
	ctx->walk = (struct sql_walk){ .pre = visit_node, .ud = ctx, .path = ctx->path };
	ctx->path[ctx->walk.depth++] = st->node;
	for (size_t i = 0; i < d->count[ANY_STATEMENT_SLOT]; i++)
		if (rule_applies(ctx, d->by_kind[ANY_STATEMENT_SLOT][i]))
		{
			d->by_kind[ANY_STATEMENT_SLOT][i]->visit(ctx, st->node);
			ctx->next_fix = NULL;
		}
	ctx->walk.depth = 0;
	if (d->walk) {
		/* only read: visit_node never replaces a node */
		PgQuery__Node *top = (PgQuery__Node *)st->node;
		sql_walk(&ctx->walk, &top);
	}
	advance_context(ctx, st->node);
	if (st->node->node_case == PG_QUERY__NODE__NODE_DO_STMT && !ctx->in_do_block)
		lint_do_block(ctx, st);
	return 0;
}

/* ---- suppressions ---- */

static int directive_silences(struct directive *d, const struct finding *f)
{
	for (size_t i = 0; i < d->nrules; i++) {
		if (!strcmp(d->rules[i], f->rule->id)) {
			d->used[i] = 1;
			return 1;
		}
	}
	return 0;
}

static int suppressed(struct lint_ctx *ctx, const struct finding *f)
{
	int hit = 0;
	for (size_t i = 0; i < ctx->ndirectives; i++) {
		struct directive *d = &ctx->directives[i];
		if (d->whole_file || (f->stmt_index >= 0 && d->stmt_index == f->stmt_index))
			hit |= directive_silences(d, f);
	}
	return hit;
}

/* In rendered SQL a directive written once in the user's file is repeated before each statement
 * that one line of the file produced (an Alembic op.* call can write several): the copies
 * count as one, used when any of them is, and reported (by the first) when none is. */
static int copy_used(const struct lint_ctx *ctx, const struct directive *d, const char *rule)
{
	if (!ctx->src->nsegments)
		return 0;
	uint32_t at = segment_at(ctx->src, d->offset)->offset;
	for (size_t i = 0; i < ctx->ndirectives; i++) {
		const struct directive *o = &ctx->directives[i];
		if (o == d || segment_at(ctx->src, o->offset)->offset != at)
			continue;
		for (size_t k = 0; k < o->nrules; k++)
			if (!strcmp(o->rules[k], rule) && (o->used[k] || o < d))
				return 1;
	}
	return 0;
}

static void report_unused_suppressions(struct lint_ctx *ctx)
{
	ctx->stmt = NULL;
	size_t n = ctx->ndirectives;
	/* Two passes: a directive naming unused-suppression is used by silencing the findings of
	 * the first pass, so it can only be judged after them. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			struct directive *d = &ctx->directives[i];
			for (size_t k = 0; k < d->nrules; k++) {
				if (d->used[k] || (strcmp(d->rules[k], rule_unused_suppression.id) == 0) != pass)
					continue;
				if (copy_used(ctx, d, d->rules[k]))
					continue;
				const char *id = d->rules[k];
				const char *msg, *help;
				const struct rule *named = rule_find(id);
				/* a rule switched off by configuration silences nothing because it did not
				 * run: the directive may still be needed where the rule is on */
				if (named && ctx->run->opts->severities[rule_index(named)] == SEVERITY_OFF)
					continue;
				/* a rule of pgsieve trace: the suppression is for the trace's findings */
				if (named && named->observed)
					continue;
				if (!named) {
					msg = lint_printf(ctx, "\"%s\" is not a pgsieve rule, so this suppression does nothing", id);
					help = "check the spelling against `pgsieve rules`";
				} else {
					const char *where = d->whole_file ? " in this file"
							    : d->stmt_index < 0 ? ": no statement follows it"
										: " on the next statement";
					msg = lint_printf(ctx, "suppression of \"%s\" silences nothing%s", id, where);
					help = "remove it, or move it to the comments just before the statement it is for";
				}
				uint32_t off = d->rule_offsets[k];
				struct finding *f = add_finding_at(ctx, &rule_unused_suppression, off,
								   off + (uint32_t)strlen(id), d->stmt_index, 0, msg,
								   help, id);
				/* an unused-suppression finding can itself be silenced for the file */
				if (f) {
					for (size_t j = 0; j < n; j++)
						if (ctx->directives[j].whole_file && j != i &&
						    directive_silences(&ctx->directives[j], f)) {
							ctx->nfindings--;
							break;
						}
				}
			}
		}
	}
}

/* ---- one migration ---- */

static int check_text(struct lint_ctx *ctx)
{
	const char *nul = memchr(ctx->src->text, '\0', ctx->src->len);
	if (nul) {
		uint32_t off = (uint32_t)(nul - ctx->src->text);
		add_finding(ctx, &rule_invalid_input, off, off + 1,
			    lint_printf(ctx, "the file holds a NUL byte at byte %u: it is binary, not SQL text", off),
			    "lint only SQL files, or exclude this one in .pgsieve.yml", NULL);
		return -1;
	}
	size_t bad;
	if (!utf8_valid(ctx->src->text, ctx->src->len, &bad)) {
		add_finding(ctx, &rule_invalid_input, (uint32_t)bad, (uint32_t)bad + 1,
			    lint_printf(ctx, "invalid UTF-8 byte 0x%02x: PostgreSQL would reject the file "
					     "with client_encoding UTF8",
					(unsigned char)ctx->src->text[bad]),
			    "convert the file to UTF-8 (iconv -f LATIN1 -t UTF-8, for example)", NULL);
		return -1;
	}
	return 0;
}

/* A file's findings in the order of their place in it: rules that decide at the end of a
 * migration (finish()) or a later statement report after the statements they point at. Ties
 * keep the order they were reported in. */
struct finding_order {
	uint32_t line, column;
	size_t index;
};

static int cmp_finding_order(const void *a, const void *b)
{
	const struct finding_order *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void sort_findings(struct finding *f, size_t n)
{
	size_t i = 1;
	while (i < n && (f[i - 1].line < f[i].line ||
			 (f[i - 1].line == f[i].line && f[i - 1].column <= f[i].column)))
		i++;
	if (i >= n)
		return; /* the usual case: already in order */
	struct finding_order *order = xmalloc(n * sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = (struct finding_order){ f[i].line, f[i].column, i };
	qsort(order, n, sizeof(*order), cmp_finding_order);
	struct finding *sorted = xmalloc(n * sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = f[order[i].index];
	memcpy(f, sorted, n * sizeof(*sorted));
	free(sorted);
	free(order);
}

/* ---- what a migration with a down can touch (downgrade-not-inverse) ----
 *
 * The rule compares the model before an up with the model after its down. Copying the whole
 * model for each migration is quadratic in a long history (3,000 migrations: a copy of 3,000
 * tables each time). A migration whose statements only touch the tables and indexes they name
 * (CREATE/ALTER/DROP TABLE and INDEX without CASCADE, and the like) needs copies of those only:
 * the others are the same before the up and after the down. Any other statement, or one
 * saying CASCADE, and the whole model is copied as before. */

/* The objects of a table or beside one whose DROP or RENAME changes only themselves (and what
 * they are on). */
static int relation_level_object(PgQuery__ObjectType t)
{
	switch (t) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
	case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
		return 1;
	default:
		return 0;
	}
}

/* The statements whose effect on the model's tables and indexes stays within the objects they
 * name. */
static int touches_only_named(const PgQuery__Node *n)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
	case PG_QUERY__NODE__NODE_INDEX_STMT:
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
	case PG_QUERY__NODE__NODE_COMMENT_STMT:
	case PG_QUERY__NODE__NODE_INSERT_STMT:
	case PG_QUERY__NODE__NODE_UPDATE_STMT:
	case PG_QUERY__NODE__NODE_DELETE_STMT:
	case PG_QUERY__NODE__NODE_SELECT_STMT:
	case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
	case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
	case PG_QUERY__NODE__NODE_VIEW_STMT:
	case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
	case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
	case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
	case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
	case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
	case PG_QUERY__NODE__NODE_GRANT_STMT:
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		return 1;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return relation_level_object(n->drop_stmt->remove_type);
	case PG_QUERY__NODE__NODE_RENAME_STMT: {
		PgQuery__ObjectType t = n->rename_stmt->rename_type;
		return relation_level_object(t) || t == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ||
		       t == PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT;
	}
	default:
		return 0;
	}
}

struct name_scan {
	const char *text;
	struct strmap *names;
	int whole;
};

/* Collects every word of the statement as a name (a keyword too: more than needed is only a
 * larger copy), as the model keeps names: folded to lower case unless quoted. */
static int scan_statement(void *ud, const struct sql_stmt *st)
{
	struct name_scan *ns = ud;
	if (!st->node || st->beyond_limits || !touches_only_named(st->node)) {
		ns->whole = 1;
		return 1;
	}
	for (size_t i = 0; i < st->ntokens; i++) {
		const char *w = ns->text + st->tokens[i].start;
		size_t n = st->tokens[i].end - st->tokens[i].start;
		struct strbuf name = STRBUF_INIT;
		int letter = (unsigned char)w[0] >= 0x80 || w[0] == '_' || ((w[0] | 0x20) >= 'a' && (w[0] | 0x20) <= 'z');
		if (n >= 2 && w[0] == '"') {
			for (size_t k = 1; k + 1 < n; k++) {
				strbuf_addch(&name, w[k]);
				if (w[k] == '"') /* "" inside a quoted name is one quote */
					k++;
			}
		} else if (letter) {
			for (size_t k = 0; k < n; k++)
				strbuf_addch(&name, w[k] >= 'A' && w[k] <= 'Z' ? (char)(w[k] | 0x20) : w[k]);
		}
		if (name.len && !strcmp(strbuf_str(&name), "cascade"))
			ns->whole = 1;
		if (name.len)
			strmap_put(ns->names, strbuf_str(&name), (void *)1);
		strbuf_release(&name);
	}
	return ns->whole;
}

static void on_scan_comment(void *ud, const struct sql_comment *c)
{
	(void)ud;
	(void)c;
}

void lint_source_region(const struct lint_source *src, uint32_t *from, size_t *n)
{
	*from = src->has_region ? src->region_offset : 0;
	*n = src->has_region ? src->region_len : src->len;
	if (*n >= 3 && !memcmp(src->text + *from, "\xEF\xBB\xBF", 3))
		*from += 3, *n -= 3;
}

/* Parts larger than this are not read twice: one big migration costs more to parse again than
 * a copy of the model (a 50 MB seed file would take twice as long), while the gain is for long
 * histories of small migrations. */
enum { UNDO_SCAN_MAX = 256 * 1024 };

/* Adds the names src's statements can touch to names; returns 1 when they can touch more. */
static int scan_names(const struct lint_source *src, struct strmap *names)
{
	uint32_t from;
	size_t n;
	if (!src->text || memchr(src->text, '\0', src->len))
		return 1;
	lint_source_region(src, &from, &n);
	if (n > UNDO_SCAN_MAX)
		return 1;
	struct name_scan ns = { src->text, names, 0 };
	struct sql_callbacks cb = { &ns, on_scan_comment, scan_statement };
	if (sql_parse_region(src->text, src->len, from, n, &cb) != 0)
		error_clear(); /* stopped by scan_statement: the whole model, nothing to report */
	return ns.whole;
}

/* Before an up part with a down: the model as it is now, or the part of it the up can touch. */
static void undo_before_up(struct lint_run *run, const struct lint_source *src)
{
	if (run->undo_base)
		schema_model_release(run->undo_base);
	else
		run->undo_base = xmalloc(sizeof(*run->undo_base));
	strmap_release(&run->undo_names);
	run->undo_whole = scan_names(src, &run->undo_names);
	struct schema_keys k = { STRMAP_INIT, STRMAP_INIT };
	if (!run->undo_whole)
		schema_model_keys(&run->model, &run->undo_names, NULL, &k);
	schema_model_copy_part(run->undo_base, &run->model, run->undo_whole ? NULL : &k);
	schema_keys_release(&k);
	run->undo_of = src->migration;
}

/* Before its down part: the model after the up, which the down advances (ctx->undo_model),
 * of the same tables and indexes as the model from before the up. What only the down names is
 * added to that one from the model after the up, which the up did not change there. */
static void undo_before_down(struct lint_ctx *ctx, const struct lint_source *src)
{
	struct lint_run *run = ctx->run;
	ctx->undo_model = xmalloc(sizeof(*ctx->undo_model));
	if (!run->undo_whole) {
		struct strmap down = STRMAP_INIT;
		struct schema_keys more = { STRMAP_INIT, STRMAP_INIT };
		if (scan_names(src, &down)) {
			/* the whole model after all: the rest of it, as the up left it */
			schema_model_keys(&run->model, NULL, &run->undo_names, &more);
			run->undo_whole = 1;
		} else {
			schema_model_keys(&run->model, &down, &run->undo_names, &more);
			size_t it = 0;
			const char *name;
			while (strmap_next(&down, &it, &name, NULL))
				strmap_put(&run->undo_names, name, (void *)1);
		}
		schema_model_copy_tables(run->undo_base, &run->model, &more);
		schema_keys_release(&more);
		strmap_release(&down);
	}
	if (run->undo_whole) {
		schema_model_copy(ctx->undo_model, &run->model);
	} else {
		struct schema_keys k = { STRMAP_INIT, STRMAP_INIT };
		schema_model_keys(&run->model, &run->undo_names, NULL, &k);
		schema_model_copy_part(ctx->undo_model, &run->model, &k);
		ctx->undo_up = xmalloc(sizeof(*ctx->undo_up));
		schema_model_copy_part(ctx->undo_up, &run->model, &k);
		schema_keys_release(&k);
	}
	schema_model_begin_migration(ctx->undo_model);
}

int lint_run_source(struct lint_run *run, const struct lint_source *src)
{
	struct lint_ctx *ctx = xcalloc(1, sizeof(*ctx));
	ctx->run = run;
	ctx->src = src;
	ctx->file_index = run->nfiles;
	/* downgrade-not-inverse compares the model before an up with the model after its down:
	 * two copies per migration that has a down, only when the rule runs */
	int undo_check = src->migration && run->opts->severities[rule_index(&rule_downgrade_not_inverse)] != SEVERITY_OFF;
	if (undo_check && !src->is_down && src->has_down == 1)
		undo_before_up(run, src);
	if (undo_check && src->is_down && run->undo_base && run->undo_of == src->migration)
		undo_before_down(ctx, src);
	struct schema_model own_model;
	if (src->separate_model) {
		schema_model_init(&own_model);
		ctx->model = &own_model;
	} else {
		ctx->model = &run->model;
	}
	ctx->framework_tx = src->tx == LINT_TX_WRAPPED || src->tx == LINT_TX_IMPLICIT;
	ctx->rule_state = xcalloc(rule_count, sizeof(int));
	ctx->rule_data = xcalloc(rule_count, sizeof(void *));
	/* the transaction the previous part left open goes on here, or a new one starts */
	if (src->continues_tx && run->tx_data && ctx->framework_tx)
		ctx->tx_data = run->tx_data;
	else
		free(run->tx_data);
	run->tx_data = NULL;
	if (!ctx->tx_data)
		ctx->tx_data = xcalloc(rule_count, sizeof(void *));
	XGROW(run->files, run->nfiles + 1, run->files_cap);
	run->files[run->nfiles].path = arena_strdup(&run->arena, src->path);
	run->files[run->nfiles].nstatements = 0;
	run->files[run->nfiles].framework = src->framework ? arena_strdup(&run->arena, src->framework) : NULL;
	run->files[run->nfiles].tx = src->tx;
	run->files[run->nfiles].has_down = src->has_down;
	run->files[run->nfiles].is_down = src->is_down;
	run->files[run->nfiles].stmt_offsets = NULL;
	run->files[run->nfiles].nstmt_offsets = 0;
	struct lint_renderer *rd = &run->files[run->nfiles].renderer;
	const struct lint_renderer *given = &src->renderer;
	rd->mode = given->mode ? arena_strdup(&run->arena, given->mode) : NULL;
	rd->python = given->python ? arena_strdup(&run->arena, given->python) : NULL;
	rd->python_version = given->python_version ? arena_strdup(&run->arena, given->python_version) : NULL;
	rd->alembic = given->alembic ? arena_strdup(&run->arena, given->alembic) : NULL;
	rd->sqlalchemy = given->sqlalchemy ? arena_strdup(&run->arena, given->sqlalchemy) : NULL;
	run->nfiles++;
	srcmap_init(&ctx->map, src->text, src->len);
	schema_model_begin_migration(ctx->model);

	int rc = 0, parsed_ahead = 0;
	if (check_text(ctx) == 0) {
		struct sql_callbacks cb = { ctx, on_comment, on_statement };
		uint32_t from;
		size_t n;
		/* A UTF-8 byte order mark is not SQL; editors on Windows write one. */
		lint_source_region(src, &from, &n);
		ctx->part_from = from;
		ctx->part_len = n;
		/* A one-statement query runs in no implicit transaction: count first. */
		if (src->tx == LINT_TX_IMPLICIT && sql_count_statements(src->text, src->len, from, n) < 2)
			ctx->framework_tx = 0;
		if (src->ahead) {
			rc = sql_ahead_deliver(src->ahead, &cb);
			parsed_ahead = 1;
		} else {
			rc = sql_parse_region(src->text, src->len, from, n, &cb);
		}
		ctx->stmt = NULL;
		for (size_t i = 0; i < rule_count && rc == 0 && !src->context_only; i++)
			if (rule_registry[i]->finish && run->opts->severities[i] != SEVERITY_OFF &&
			    rule_applies(ctx, rule_registry[i]))
			{
				rule_registry[i]->finish(ctx);
				ctx->next_fix = NULL;
			}
	}

	if (src->ahead && !parsed_ahead) /* not text: its parse is not wanted */
		sql_ahead_deliver(src->ahead, NULL);

	if (!src->context_only) {
		size_t first = run->nfindings;
		for (size_t i = 0; i < ctx->nfindings; i++) {
			if (suppressed(ctx, &ctx->findings[i]))
				continue;
			if (ctx->findings[i].fix && lint_fix_voided(ctx->findings[i].fix))
				ctx->findings[i].fix = NULL;
			XGROW(run->findings, run->nfindings + 1, run->findings_cap);
			run->findings[run->nfindings++] = ctx->findings[i];
		}
		ctx->nfindings = 0;
		report_unused_suppressions(ctx);
		for (size_t i = 0; i < ctx->nfindings; i++) {
			XGROW(run->findings, run->nfindings + 1, run->findings_cap);
			run->findings[run->nfindings++] = ctx->findings[i];
		}
		if (run->nfindings > first) /* findings is NULL until the first one */
			sort_findings(run->findings + first, run->nfindings - first);
	}
	run->files[ctx->file_index].nstatements = ctx->nstatements;
	if (!src->context_only && !src->nsegments && ctx->nstmt_offsets) {
		size_t bytes = ctx->nstmt_offsets * sizeof(uint32_t);
		uint32_t *offsets = arena_alloc(&run->arena, bytes);
		memcpy(offsets, ctx->stmt_offsets, bytes);
		run->files[ctx->file_index].stmt_offsets = offsets;
		run->files[ctx->file_index].nstmt_offsets = ctx->nstmt_offsets;
	}
	if (src->context_only) /* not linted, only read: not listed */
		run->nfiles--;
	if (src->separate_model)
		schema_model_release(&own_model);
	if (ctx->undo_model) {
		schema_model_release(ctx->undo_model);
		free(ctx->undo_model);
	}
	if (ctx->undo_up) {
		schema_model_release(ctx->undo_up);
		free(ctx->undo_up);
	}

	for (size_t i = 0; i < ctx->ndirectives; i++)
		directive_release(&ctx->directives[i]);
	free(ctx->directives);
	free(ctx->findings);
	free(ctx->stmt_offsets);
	size_t it = 0;
	void *value;
	while (strmap_next(&ctx->settings, &it, NULL, &value))
		free(value);
	strmap_release(&ctx->settings);
	strmap_release(&ctx->fp_counts);
	free(ctx->rule_state);
	free(ctx->rule_data);
	/* a part read only for context was applied before: no transaction of it stays open */
	if (!src->context_only && ctx->framework_tx)
		run->tx_data = ctx->tx_data;
	else
		free(ctx->tx_data);
	srcmap_release(&ctx->map);
	free(ctx);
	return rc;
}
