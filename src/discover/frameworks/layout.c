/* What the runners' descriptions share for reading a directory. */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "discover/migrations.h"
#include "sql/sql.h"
#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/xalloc.h"

int layout_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int layout_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int layout_has_file(const char *dir, const char *sub, const char *name)
{
	char *d = sub ? path_join(dir, sub) : NULL;
	char *p = path_join(d ? d : dir, name);
	int r = layout_is_file(p);
	free(p);
	free(d);
	return r;
}

int layout_exists_in(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	int r = layout_is_file(p) || layout_is_dir(p);
	free(p);
	return r;
}

int layout_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

size_t layout_digits(const char *name)
{
	size_t n = 0;
	while (isdigit((unsigned char)name[n]))
		n++;
	return n;
}

char **layout_list(const char *dir, size_t *count)
{
	char **names = file_list_dir(dir, count);
	if (!names) { /* unreadable: no entries */
		names = xcalloc(1, sizeof(*names));
		*count = 0;
	}
	return names;
}

void layout_list_free(char **names)
{
	file_list_free(names);
}

int layout_any(const char *dir, int (*pred)(const char *dir, const char *name))
{
	size_t n;
	char **names = layout_list(dir, &n);
	int found = 0;
	for (size_t i = 0; i < n && !found; i++)
		found = pred(dir, names[i]);
	layout_list_free(names);
	return found;
}

int layout_file_has_setting(const char *path, const char *key, const char *value)
{
	size_t len;
	char *text = file_read(path, &len);
	if (!text)
		return 0;
	int found = 0;
	for (char *line = text; line && *line && !found;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		while (isspace((unsigned char)*line))
			line++;
		size_t kl = strlen(key);
		if (!strncmp(line, key, kl)) {
			char *p = line + kl;
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '=' || *p == ':') {
				p++;
				while (isspace((unsigned char)*p) || *p == '"')
					p++;
				found = !strncmp(p, value, strlen(value));
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	free(text);
	return found;
}

size_t layout_line_end(const char *text, size_t len, size_t at, size_t *n)
{
	const char *nl = at < len ? memchr(text + at, '\n', len - at) : NULL;
	size_t eol = nl ? (size_t)(nl - text) : len;
	*n = eol > at ? eol - at : 0;
	if (*n && text[at + *n - 1] == '\r')
		(*n)--;
	return eol;
}

long layout_find_marker(const char *text, size_t len, const char *marker, size_t *line_end,
			const char **rest, size_t *rest_len)
{
	size_t ml = strlen(marker);
	for (size_t i = 0; i < len;) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		if (eol - i >= ml && !strncmp(text + i, marker, ml)) {
			*line_end = eol < len ? eol + 1 : eol;
			*rest = text + i + ml;
			*rest_len = eol - i - ml;
			return (long)i;
		}
		i = eol + 1;
	}
	return -1;
}

/* ---- golang-migrate and ory/pop: N_name[.dialect][.autocommit].{up,down}.sql ---- */

static const char *const other_dialects[] = { ".mysql.", ".sqlite3.", ".sqlite.", ".cockroach.",
					      ".crdb.", ".mssql.", ".sqlserver.", NULL };

int layout_foreign_dialect(const char *name)
{
	for (const char *const *d = other_dialects; *d; d++)
		if (strstr(name, *d))
			return 1;
	return 0;
}

int layout_is_up_down_file(const char *dir, const char *name)
{
	(void)dir;
	return layout_digits(name) > 0 && (layout_ends_with(name, ".up.sql") || layout_ends_with(name, ".down.sql"));
}

void layout_load_up_down(const char *dir, struct migration_set *set, const char *runner, int pop)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		const char *f = names[i];
		int up = layout_ends_with(f, ".up.sql"), down = layout_ends_with(f, ".down.sql");
		size_t v = layout_digits(f);
		if ((!up && !down) || v == 0 || layout_foreign_dialect(f))
			continue;
		char *version = xstrndup(f, v);
		/* the name: between the version's '_' and the first '.' */
		const char *ns = f[v] == '_' ? f + v + 1 : f + v;
		const char *ne = strchr(ns, '.');
		char *name = xstrndup(ns, ne ? (size_t)(ne - ns) : strlen(ns));
		struct migration *m = migration_set_find(set, version);
		if (!m)
			m = migration_set_add(set, version, name);
		/* pop sends an .autocommit. file as one query outside its transaction, golang-migrate
		 * sends every file as one query: PostgreSQL runs a query of several statements in an
		 * implicit transaction */
		enum lint_tx tx;
		if (pop)
			tx = strstr(f, ".autocommit.") ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED;
		else
			tx = LINT_TX_IMPLICIT;
		struct migration_part *part = up ? &m->up : &m->down;
		char *path = path_join(dir, f);
		if (part->path && strcmp(m->name, name) && (!pop || !strstr(f, ".postgres."))) {
			/* two files of one version: the runner refuses the directory */
			const char *other = strrchr(part->path, '/');
			migration_set_problem(set, "migration-graph", path, 0,
					      "give each migration a version of its own (rename the newer "
					      "file with the next free number)",
					      "two %s migrations have the version %s: this file and '%s'; %s refuses "
					      "to run a directory with duplicate versions",
					      up ? "up" : "down", version, other ? other + 1 : part->path, runner);
			free(path);
		} else if (!part->path || strstr(f, ".postgres.")) {
			/* pop: a .postgres. variant wins over a dialect-neutral one */
			migration_part_set(part, path, tx);
		} else {
			free(path);
		}
		free(version);
		free(name);
	}
	layout_list_free(names);
}

/* ---- the Supabase CLI and plain SQL: *.sql in name order ---- */

void layout_load_sql_files(const char *dir, struct migration_set *set, enum lint_tx tx)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!layout_ends_with(names[i], ".sql"))
			continue;
		char *path = path_join(dir, names[i]);
		if (layout_is_file(path)) {
			size_t v = layout_digits(names[i]);
			char *version = xstrndup(names[i], v);
			struct migration *m = migration_set_add(set, version, names[i]);
			migration_part_set(&m->up, path, tx);
			path = NULL;
			free(version);
		}
		free(path);
	}
	layout_list_free(names);
}

/* ---- one file, up and down sections ---- */

enum { DETECT_MAX_BYTES = 4 << 20 };

int layout_is_numbered_sql(const char *name)
{
	return layout_digits(name) > 0 && layout_ends_with(name, ".sql");
}

static int is_migration(const struct layout_sections *r, const char *name)
{
	return r->is_migration ? r->is_migration(name) : layout_is_numbered_sql(name);
}

struct section_scan {
	long up, down;          /* the marker lines' offsets, -1 when absent */
	size_t up_end, down_end; /* after the marker lines */
	int up_no_tx, down_no_tx, file_no_tx;
};

static void scan_sections(const char *text, size_t len, const struct layout_sections *r, struct section_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->up = s->down = -1;
	int in = 0; /* 1 up, 2 down */
	for (size_t i = 0, n; i < len;) {
		size_t eol = layout_line_end(text, len, i, &n);
		int no_tx = 0;
		size_t next = eol < len ? eol + 1 : eol;
		switch (r->line(text + i, n, &no_tx)) {
		case LAYOUT_LINE_UP:
			if (s->up < 0) {
				s->up = (long)i, s->up_end = next, s->up_no_tx = no_tx;
				in = 1;
			}
			break;
		case LAYOUT_LINE_DOWN:
			if (s->down < 0) {
				s->down = (long)i, s->down_end = next, s->down_no_tx = no_tx;
				in = 2;
			}
			break;
		case LAYOUT_LINE_NO_TX:
			s->file_no_tx = 1;
			break;
		case LAYOUT_LINE_NO_TX_PART:
			if (in == 2)
				s->down_no_tx = 1;
			else
				s->up_no_tx = 1;
			break;
		default:
			break;
		}
		i = next;
	}
}

void layout_part_region(struct migration_part *p, size_t from, size_t to, long marker)
{
	p->has_region = 1;
	p->offset = (uint32_t)from;
	p->len = (uint32_t)(to > from ? to - from : 0);
	p->marker_offset = marker >= 0 ? (uint32_t)marker : (uint32_t)from;
}

char *layout_read_migration(const char *path, size_t *len, int *errors)
{
	char *text = file_read(path, len);
	if (!text) {
		fprintf(stderr, "pgsieve: %s\n", error_message());
		(*errors)++;
	}
	return text;
}

void layout_version_name(const char *file, char **version, char **name)
{
	size_t v = layout_digits(file);
	*version = xstrndup(file, v);
	const char *ns = file[v] == '_' ? file + v + 1 : file + v;
	*name = xstrndup(ns, strlen(ns) - 4);
}

void layout_load_dirs(const char *dir, struct migration_set *set, const char *up_file, const char *down_file,
		      enum lint_tx (*tx)(const char *sub), void (*version)(char *version))
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char *sub = path_join(dir, names[i]);
		char *up = path_join(sub, up_file), *down = path_join(sub, down_file);
		if (layout_is_file(up)) {
			const char *us = strchr(names[i], '_');
			char *v = xstrndup(names[i], us ? (size_t)(us - names[i]) : strlen(names[i]));
			if (version)
				version(v);
			struct migration *m = migration_set_add(set, v, us ? us + 1 : names[i]);
			enum lint_tx mode = tx(sub);
			migration_part_set(&m->up, up, mode);
			up = NULL;
			if (layout_is_file(down)) {
				migration_part_set(&m->down, down, mode);
				down = NULL;
			}
			free(v);
		}
		free(up);
		free(down);
		free(sub);
	}
	layout_list_free(names);
}

void layout_load_sections(const char *dir, struct migration_set *set, const struct layout_sections *r, int *errors)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!is_migration(r, names[i]))
			continue;
		char *path = path_join(dir, names[i]);
		if (!layout_is_file(path)) {
			free(path);
			continue;
		}
		size_t len;
		char *text = layout_read_migration(path, &len, errors);
		if (!text) {
			free(path);
			continue;
		}
		struct section_scan s;
		scan_sections(text, len, r, &s);
		char *version, *name;
		layout_version_name(names[i], &version, &name);
		struct migration *m = migration_set_add(set, version, name);
		enum lint_tx up_tx = s.file_no_tx || s.up_no_tx ? r->no_tx : r->tx;
		migration_part_set(&m->up, xstrdup(path), up_tx);
		if (s.up >= 0 || s.down >= 0) {
			size_t from = s.up >= 0 ? s.up_end : 0;
			size_t to = s.down >= 0 && (size_t)s.down >= from ? (size_t)s.down : len;
			layout_part_region(&m->up, from, to, s.up);
		}
		if (s.down >= 0) {
			size_t stop = s.up > s.down ? (size_t)s.up : len;
			migration_part_set(&m->down, xstrdup(path), s.file_no_tx || s.down_no_tx ? r->no_tx : r->tx);
			layout_part_region(&m->down, s.down_end, stop, s.down);
		}
		if (r->rewrite)
			r->rewrite(text, len, m);
		free(version);
		free(name);
		free(text);
		free(path);
	}
	layout_list_free(names);
}

int layout_sections_load(const char *dir, struct migration_set *set, int *errors)
{
	layout_load_sections(dir, set, framework_get(set->fw)->sections, errors);
	return 0;
}

void layout_sections_check(const struct lint_source *src, struct migration_set *set)
{
	const struct framework_desc *f = framework_get(set->fw);
	layout_check_split(src, set, f->split, f->sections->line);
}

int layout_sections_any(const char *dir, const struct layout_sections *r, enum layout_line kind)
{
	size_t n;
	char **names = layout_list(dir, &n);
	int found = 0;
	for (size_t i = 0; i < n && !found; i++) {
		if (!is_migration(r, names[i]))
			continue;
		char *path = path_join(dir, names[i]);
		size_t len;
		struct stat st;
		/* a migration with sections is a few kilobytes; a dump of many megabytes is not one,
		 * and is not read once per runner */
		int small = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= DETECT_MAX_BYTES;
		char *text = small ? file_read(path, &len) : NULL;
		free(path);
		if (!text) {
			error_clear();
			continue;
		}
		for (size_t k = 0, ln; k < len && !found;) {
			size_t eol = layout_line_end(text, len, k, &ln);
			int no_tx = 0;
			found = r->line(text + k, ln, &no_tx) == kind;
			k = eol + 1;
		}
		free(text);
	}
	layout_list_free(names);
	return found;
}

long layout_header_line(const char *text, size_t len, const char *prefix, const char **rest, size_t *rest_len)
{
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < len;) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t s = i;
		while (s < eol && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
			s++;
		if (s == eol) { /* a blank line */
			i = eol + 1;
			continue;
		}
		if (eol - s < 2 || text[s] != '-' || text[s + 1] != '-')
			return -1; /* the first statement: directives stand above it */
		if (eol - s >= pl && !strncasecmp(text + s, prefix, pl)) {
			size_t e = eol;
			while (e > s + pl && (text[e - 1] == '\r' || text[e - 1] == ' ' || text[e - 1] == '\t'))
				e--;
			*rest = text + s + pl;
			*rest_len = e - (s + pl);
			return (long)s;
		}
		i = eol + 1;
	}
	return -1;
}

/* ---- where a runner that cuts at ';' line ends cuts ---- */

/* goose's and sql-migrate's endsWithSemicolon: the last whitespace-separated word of the line,
 * before any word that starts with "--", ends in ';'. Quotes and comments are not looked at. */
static int line_ends_statement(const char *line, size_t len)
{
	const char *last = NULL;
	size_t last_len = 0;
	for (size_t i = 0; i < len;) {
		while (i < len && isspace((unsigned char)line[i]))
			i++;
		if (i >= len)
			break;
		size_t w = i;
		while (i < len && !isspace((unsigned char)line[i]))
			i++;
		if (i - w >= 2 && line[w] == '-' && line[w + 1] == '-')
			break;
		last = line + w;
		last_len = i - w;
	}
	return last && last[last_len - 1] == ';';
}

struct split_scan {
	uint32_t *cuts; /* offsets where the runner ends a statement, ascending */
	size_t ncuts, cap;
	uint32_t cut_stmt_start, cut_at; /* the first statement cut in two, and where */
	int has_cut_stmt;
	uint32_t last_start, last_end;   /* the last statement */
	int has_last;
};

static void add_cut(struct split_scan *s, uint32_t at)
{
	XGROW(s->cuts, s->ncuts + 1, s->cap);
	s->cuts[s->ncuts++] = at;
}

/* The first cut after `from`, or UINT32_MAX. */
static uint32_t cut_after(const struct split_scan *s, uint32_t from)
{
	size_t lo = 0, hi = s->ncuts;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->cuts[mid] <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->ncuts ? s->cuts[lo] : UINT32_MAX;
}

static int split_statement(void *ud, const struct sql_stmt *st)
{
	struct split_scan *s = ud;
	uint32_t c = cut_after(s, st->start);
	if (!s->has_cut_stmt && c < st->end) {
		s->has_cut_stmt = 1;
		s->cut_stmt_start = st->start;
		s->cut_at = c;
	}
	s->has_last = 1;
	s->last_start = st->start;
	s->last_end = st->end;
	return 0;
}

static uint32_t line_number(const char *text, uint32_t offset)
{
	uint32_t line = 1;
	for (uint32_t i = 0; i < offset; i++)
		line += text[i] == '\n';
	return line;
}

void layout_check_split(const struct lint_source *src, struct migration_set *set, const struct layout_split *r,
			enum layout_line (*line)(const char *line, size_t len, int *no_tx))
{
	size_t from = src->has_region ? src->region_offset : 0;
	size_t to = src->has_region ? from + src->region_len : src->len;
	if (to > src->len)
		to = src->len;
	struct split_scan s = { 0 };
	long open_block = -1;
	for (size_t i = from, n; i < to;) {
		size_t eol = layout_line_end(src->text, to, i, &n);
		int no_tx = 0;
		switch (line(src->text + i, n, &no_tx)) {
		case LAYOUT_LINE_BLOCK_BEGIN:
			if (open_block < 0)
				open_block = (long)i;
			break;
		case LAYOUT_LINE_BLOCK_END:
			if (open_block >= 0)
				add_cut(&s, (uint32_t)i);
			open_block = -1;
			break;
		case LAYOUT_LINE_SQL:
			if (open_block < 0 && line_ends_statement(src->text + i, n))
				add_cut(&s, (uint32_t)eol);
			break;
		default: /* the runner's other markers are comments */
			break;
		}
		i = eol < to ? eol + 1 : eol;
	}
	struct sql_callbacks cb = { &s, NULL, split_statement };
	sql_parse_region(src->text, src->len, (uint32_t)from, to - from, &cb);

	if (s.has_cut_stmt) {
		char *msg = xasprintf("%s ends a statement at every line that ends in ';' outside `%s` and `%s`, so "
				      "it cuts this statement after line %u and sends the pieces to PostgreSQL one "
				      "by one: the first piece is not a whole statement (an unterminated function "
				      "body or string), PostgreSQL rejects it and the migration fails",
				      r->runner, r->block_begin, r->block_end, line_number(src->text, s.cut_at));
		char *help = xasprintf("put `%s` on a line of its own before the statement and `%s` on a line "
				       "after its last line",
				       r->block_begin, r->block_end);
		migration_set_problem(set, "runner-statement-split", src->path, s.cut_stmt_start, help, "%s", msg);
		free(msg);
		free(help);
	}
	if (open_block >= 0) {
		char *msg = xasprintf("`%s` has no `%s` after it in this section: %s refuses the migration "
				      "before running any of it",
				      r->block_begin, r->block_end, r->runner);
		char *help = xasprintf("add `%s` on a line of its own after the statement's last line", r->block_end);
		migration_set_problem(set, "runner-statement-split", src->path, (uint32_t)open_block, help, "%s", msg);
		free(msg);
		free(help);
	} else if (s.has_last && cut_after(&s, s.last_end - (s.last_end > 0)) == UINT32_MAX) {
		char *msg = xasprintf("%s ends a statement only at a line that ends in ';' (or at `%s`); the "
				      "section's last statement has none, so %s is left with an unfinished "
				      "statement and refuses the migration (%s)",
				      r->runner, r->block_end, r->runner, r->unfinished);
		migration_set_problem(set, "runner-statement-split", src->path, s.last_start,
				      "end the statement with ';' at the end of its last line", "%s", msg);
		free(msg);
	}
	free(s.cuts);
}

/* ---- new migrations (framework_desc.new_migration) ---- */

/* The version part of an entry name: up to its first '_' (0 when there is none). */
static size_t version_len(const char *name)
{
	const char *u = strchr(name, '_');
	return u ? (size_t)(u - name) : 0;
}

/* a < b as numbers written in decimal (leading zeros allowed); both all digits. */
static int digits_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 1 && *a == '0')
		a++, an--;
	while (bn > 1 && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	return memcmp(a, b, an);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* Whether v (vn bytes) is after cur and up to next: as bytes, or, all three being digits, as
 * numbers (golang-migrate and goose order by number, dbmate and plain SQL by name). */
static int between(const char *v, size_t vn, const char *cur, const char *next)
{
	size_t cn = strlen(cur), nn = strlen(next);
	size_t m = vn < cn ? vn : cn;
	int after = memcmp(v, cur, m) > 0 || (memcmp(v, cur, m) == 0 && vn > cn);
	m = vn < nn ? vn : nn;
	int upto = memcmp(v, next, m) < 0 || (memcmp(v, next, m) == 0 && vn <= nn);
	if (after && upto)
		return 1;
	if (all_digits(v, vn) && all_digits(cur, cn) && all_digits(next, nn))
		return digits_cmp(v, vn, cur, cn) > 0 && digits_cmp(v, vn, next, nn) <= 0;
	return 0;
}

char *layout_next_version(const char *dir, const char *name)
{
	size_t n = version_len(name);
	if (!n || !isdigit((unsigned char)name[n - 1]))
		return NULL;
	char *next = xstrndup(name, n);
	size_t i = n;
	for (;;) { /* the last run of digits plus one */
		if (i == 0 || !isdigit((unsigned char)next[i - 1])) {
			free(next);
			return NULL; /* 999 -> 1000 would be wider */
		}
		if (next[i - 1] != '9') {
			next[i - 1]++;
			break;
		}
		next[--i] = '0';
	}
	char *cur = xstrndup(name, n);
	size_t count;
	char **names = layout_list(dir, &count);
	int taken = 0;
	for (size_t k = 0; names && k < count && !taken; k++) {
		size_t vn = version_len(names[k]);
		taken = vn && between(names[k], vn, cur, next);
	}
	layout_list_free(names);
	free(cur);
	if (taken) {
		free(next);
		return NULL;
	}
	return next;
}

char *layout_slug(const char *words)
{
	enum { SLUG_MAX = 48 };
	char *s = xmalloc(SLUG_MAX + 1);
	size_t n = 0;
	for (const char *p = words; *p && n < SLUG_MAX; p++) {
		unsigned char c = (unsigned char)*p;
		char o = isalnum(c) && c < 128 ? (char)tolower(c) : '_';
		if (o == '_' && (n == 0 || s[n - 1] == '_'))
			continue;
		s[n++] = o;
	}
	while (n > 0 && s[n - 1] == '_')
		n--;
	s[n] = '\0';
	return s;
}

void layout_new_file(struct lint_new_file *out, size_t *n, char *path, const char *content)
{
	out[*n].path = path;
	out[*n].content = xstrdup(content);
	(*n)++;
}

char *layout_next_path(const char *path, const char *words, const char *suffix)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	char *version = layout_next_version(*dir ? dir : "/", base);
	char *out = NULL;
	if (version) {
		char *slug = layout_slug(words);
		out = slash ? xasprintf("%s/%s_%s%s", dir, version, slug, suffix) : xasprintf("%s_%s%s", version, slug, suffix);
		free(slug);
	}
	free(version);
	free(dir);
	return out;
}
