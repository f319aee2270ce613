/* tern (jackc/tern): NNN_name.sql, the up part above `---- create above / drop below ----`
 * and the down part below it. A part runs in a transaction as one query; with
 * `---- tern: disable-tx ----` in it, tern splits it into statements and runs each on its own.
 * Each part is a Go text/template first: `{{.name}}` values of the configuration's [data],
 * sprig functions, and `{{ template "shared/x.sql" . }}` including a .sql file from a
 * subdirectory of the migrations directory. History: a table of one row,
 * schema_version(version), the number of migrations applied. */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static int is_line(const char *line, size_t len, const char *what)
{
	size_t n = strlen(what);
	return len == n && !memcmp(line, what, n);
}

static int contains(const char *line, size_t len, const char *what)
{
	size_t n = strlen(what);
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(line + i, what, n))
			return 1;
	return 0;
}

static enum layout_line line_kind(const char *line, size_t len, int *no_tx)
{
	(void)no_tx;
	/* migrate.go splits the file at the first occurrence of the separator, anywhere in a line;
	 * teams write it alone on its line */
	if (contains(line, len, "---- create above / drop below ----"))
		return LAYOUT_LINE_DOWN;
	if (is_line(line, len, "---- tern: disable-tx ----")) /* (?m)^---- tern: disable-tx ----$ */
		return LAYOUT_LINE_NO_TX_PART;
	return LAYOUT_LINE_SQL;
}

/* ---- the Go template of a part ----
 *
 * tern executes each part as a template with the configuration's data before running it
 * (migrate.go, LoadMigrations and evalMigration). pgsieve does not know the data (and a
 * template can compute anything), so it reads a part the way ENVSUB lines of goose are read:
 * a value action `{{.prefix}}` becomes an identifier of the action's length (`_prefix____`),
 * control actions (if, range, end, comments...) become blanks, and both keep every position.
 * An include `{{ template "shared/x.sql" . }}` is replaced by the included file, read the same
 * way (includes within it too, to a depth of TEMPLATE_DEPTH): the part is then a rendered text
 * whose findings in the included SQL point at the include. */

enum { TEMPLATE_DEPTH = 8 };

struct action {
	size_t start, end;  /* the action with its braces: text[start..end) */
	const char *body;   /* inside the braces, trim markers and blanks removed */
	size_t body_len;
};

/* The first action at or after from: 1 when there is one. */
static int next_action(const char *t, size_t len, size_t from, struct action *a)
{
	for (size_t i = from; i + 1 < len; i++) {
		if (t[i] != '{' || t[i + 1] != '{')
			continue;
		for (size_t k = i + 2; k + 1 < len; k++) {
			if (t[k] != '}' || t[k + 1] != '}')
				continue;
			size_t b = i + 2, e = k;
			if (b + 1 < e && t[b] == '-' && isspace((unsigned char)t[b + 1]))
				b++;
			if (e > b + 1 && t[e - 1] == '-' && isspace((unsigned char)t[e - 2]))
				e--;
			while (b < e && isspace((unsigned char)t[b]))
				b++;
			while (e > b && isspace((unsigned char)t[e - 1]))
				e--;
			a->start = i;
			a->end = k + 2;
			a->body = t + b;
			a->body_len = e - b;
			return 1;
		}
		return 0;
	}
	return 0;
}

/* The file an include names (`template "NAME" ...`), or NULL when the action is no include. */
static char *include_name(const struct action *a)
{
	const char *b = a->body, *end = a->body + a->body_len;
	if (a->body_len < 9 || strncmp(b, "template", 8) || !isspace((unsigned char)b[8]))
		return NULL;
	b += 8;
	while (b < end && isspace((unsigned char)*b))
		b++;
	if (b >= end || (*b != '"' && *b != '`'))
		return NULL;
	const char *q = memchr(b + 1, *b, (size_t)(end - b - 1));
	return q ? xstrndup(b + 1, (size_t)(q - b - 1)) : NULL;
}

static int is_control(const struct action *a)
{
	static const char *const words[] = { "if", "else", "end", "range", "with", "define", "block",
					     "break", "continue", NULL };
	if (a->body_len >= 2 && a->body[0] == '/' && a->body[1] == '*')
		return 1; /* a comment */
	size_t w = 0;
	while (w < a->body_len && isalpha((unsigned char)a->body[w]))
		w++;
	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == w && !strncmp(a->body, words[i], w))
			return 1;
	return 0;
}

/* Writes over t[a->start..a->end): a value as an identifier made of its letters and digits,
 * anything else as blanks (line ends kept). */
static void replace_in_place(char *t, const struct action *a, int value)
{
	size_t n = a->end - a->start, k = 0;
	char *out = t + a->start;
	if (value) {
		char name[256];
		size_t m = 0;
		name[m++] = '_';
		for (size_t i = 0; i < a->body_len && m < sizeof(name); i++) {
			char c = a->body[i];
			if (isalnum((unsigned char)c))
				name[m++] = c;
			else if (name[m - 1] != '_')
				name[m++] = '_';
		}
		for (; k < n && k < m; k++)
			out[k] = name[k];
		for (; k < n; k++)
			out[k] = '_';
		return;
	}
	for (; k < n; k++)
		if (out[k] != '\n')
			out[k] = ' ';
}

/* A copy of text[0..len) with every action replaced in place; *has_include says whether one
 * of them was an include (blanked here). NULL when the text has no action. */
static char *in_place(const char *text, size_t len, int *has_include)
{
	char *copy = NULL;
	struct action a;
	*has_include = 0;
	for (size_t from = 0; next_action(text, len, from, &a); from = a.end) {
		if (!copy) {
			copy = xmalloc(len + 1);
			memcpy(copy, text, len);
			copy[len] = '\0';
		}
		char *inc = include_name(&a);
		if (inc)
			*has_include = 1;
		free(inc);
		replace_in_place(copy, &a, !inc && !is_control(&a));
	}
	return copy;
}

/* Appends the file `name` (relative to dir) rendered: its includes expanded, the rest in
 * place. Unreadable or too deep: nothing, and a line on stderr says so. */
static void append_include(struct strbuf *out, const char *dir, const char *name, int depth)
{
	if (depth >= TEMPLATE_DEPTH || strstr(name, "..")) {
		fprintf(stderr, "pgsieve: tern: include '%s' not read (nested too deep, or outside %s)\n", name, dir);
		return;
	}
	char *path = path_join(dir, name);
	size_t len;
	char *text = file_read(path, &len);
	free(path);
	if (!text) {
		fprintf(stderr, "pgsieve: tern: %s\n", error_message());
		error_clear();
		return;
	}
	int inc;
	char *flat = in_place(text, len, &inc);
	const char *src = flat ? flat : text;
	struct action a;
	size_t from = 0;
	for (size_t at = 0; next_action(text, len, at, &a); at = a.end) {
		char *sub = include_name(&a);
		if (!sub)
			continue;
		strbuf_add(out, src + from, a.start - from);
		append_include(out, dir, sub, depth + 1);
		free(sub);
		from = a.end;
	}
	strbuf_add(out, src + from, len - from);
	strbuf_addch(out, '\n');
	free(flat);
	free(text);
}

/* Where a byte of the file is, kept while walking forward (columns in characters). */
struct cursor {
	size_t off;
	uint32_t line, column;
};

static void advance(struct cursor *c, const char *t, size_t to)
{
	for (; c->off < to; c->off++) {
		if (t[c->off] == '\n')
			c->line++, c->column = 1;
		else if (((unsigned char)t[c->off] & 0xC0) != 0x80)
			c->column++;
	}
}

struct rendered {
	struct strbuf text;
	struct lint_segment *segs;
	size_t nsegs, cap;
};

static void add_segment(struct rendered *r, const char *t, struct cursor *c, size_t to)
{
	XGROW(r->segs, r->nsegs + 1, r->cap);
	struct lint_segment *s = &r->segs[r->nsegs++];
	memset(s, 0, sizeof(*s));
	s->start = (uint32_t)r->text.len;
	s->offset = (uint32_t)c->off;
	s->line = c->line;
	s->column = c->column;
	advance(c, t, to);
	s->end_offset = (uint32_t)c->off;
	s->end_line = c->line;
	s->end_column = c->column;
}

/* The part's own text [at, stop): a segment per line, so findings keep their line. */
static void add_own_text(struct rendered *r, const char *text, const char *flat, struct cursor *c, size_t at,
			 size_t stop)
{
	while (at < stop) {
		size_t eol = at;
		while (eol < stop && text[eol] != '\n')
			eol++;
		size_t next = eol < stop ? eol + 1 : eol;
		add_segment(r, text, c, eol);
		strbuf_add(&r->text, flat + at, next - at);
		advance(c, text, next);
		at = next;
	}
}

/* Renders file bytes [from, to) of a part that has includes: its own text in place, each
 * include replaced by the file it names, one segment at the action. */
static void render_part(struct migration_part *p, const char *dir, const char *text, const char *flat,
			size_t from, size_t to)
{
	struct rendered r = { .text = STRBUF_INIT };
	struct cursor c = { 0, 1, 1 };
	advance(&c, text, from);
	size_t at = from;
	struct action a;
	for (size_t look = from; next_action(text, to, look, &a); look = a.end) {
		char *inc = include_name(&a);
		if (!inc)
			continue;
		add_own_text(&r, text, flat, &c, at, a.start);
		add_segment(&r, text, &c, a.end);
		append_include(&r.text, dir, inc, 1);
		free(inc);
		at = a.end;
	}
	add_own_text(&r, text, flat, &c, at, to);
	strbuf_addch(&r.text, '\n'); /* never empty: an empty text would mean "read the file" */
	p->text_len = r.text.len;
	p->text = strbuf_detach(&r.text);
	p->segments = r.segs;
	p->nsegments = r.nsegs;
	p->has_region = 0;
}

static void render(const char *text, size_t len, struct migration *m)
{
	int has_include;
	char *flat = in_place(text, len, &has_include);
	if (!flat)
		return;
	char *dir = path_dirname(m->up.path);
	struct migration_part *parts[2] = { &m->up, &m->down };
	for (int d = 0; d < 2; d++) {
		struct migration_part *p = parts[d];
		if (!p->path)
			continue;
		size_t from = p->has_region ? p->offset : 0;
		size_t to = p->has_region ? p->offset + p->len : len;
		if (has_include) {
			render_part(p, dir, text, flat, from, to);
		} else {
			migration_part_text_in_place(p, flat, len);
		}
	}
	free(dir);
	free(flat);
}

static const struct layout_sections sections = {
	.line = line_kind,
	.tx = LINT_TX_WRAPPED,
	.no_tx = LINT_TX_NONE, /* sqlsplit.Split, each statement its own Exec */
	.rewrite = render,
};

static int detect(const char *dir, const char **why)
{
	*why = "NNN_name.sql files with a ---- create above / drop below ---- or ---- tern: disable-tx ---- line";
	return layout_sections_any(dir, &sections, LAYOUT_LINE_DOWN) ||
	       layout_sections_any(dir, &sections, LAYOUT_LINE_NO_TX_PART);
}

const struct framework_desc framework_tern = {
	.name = "tern",
	.detect_rank = 12,
	.detect = detect,
	.load = layout_sections_load,
	.sections = &sections,
	.flags = FRAMEWORK_DOWNS,
	.duplicate_versions = "tern refuses the directory (\"Duplicate migration\")",
	.down_help = "add the statements that undo this migration below a `---- create above / drop below ----` line",
	.down_consequence = "`tern migrate` to an earlier version stops here (\"Irreversible migration\")",
	.history = {
		.schema = "public", /* tern's default version_table: public.schema_version */
		.table = "schema_version",
		/* version 0: nothing applied yet */
		.columns = "version::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " WHERE version > 0",
		.kind = HISTORY_KIND_CURRENT,
	},
};
