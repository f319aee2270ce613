/* Liquibase formatted SQL: files starting with `--liquibase formatted sql`, each holding
 * changesets that start at `--changeset author:id [attributes]`; a changeset is a migration,
 * run statement by statement in a transaction unless its attributes say runInTransaction:false.
 * `--rollback <sql>` lines in a changeset are its rollback (the down part). The files run in the
 * order a master changelog includes them (XML `<include file="...">`, YAML `file:`, formatted
 * SQL `--include file:`), or by name without one. History: databasechangelog, a row per
 * changeset run (id, author, filename, exectype, md5sum, ...).
 * The patterns are liquibase's FormattedSqlChangeLogParser's (case-insensitive):
 * changelog `--\s*liquibase formatted.*`, changeset `\s*--[\s]*changeset\s+(author):\s*(id).*`,
 * rollback `\s*--[\s]*rollback (.*)`, runInTransaction `.*runInTransaction:(\w+).*`. */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static const char *const masters[] = {
	"db.changelog-master.xml", "db.changelog-master.yaml", "db.changelog-master.yml", "db.changelog-master.sql",
	"changelog-master.xml", "changelog-master.yaml", "changelog-master.yml", "changelog.xml", "changelog.yaml",
	"changelog.yml", NULL,
};

/* After optional blanks, "--", optional blanks and word (case-insensitive): the rest of the
 * line past the word, or NULL. */
static const char *comment_word(const char *line, const char *end, const char *word)
{
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	if (end - line < 2 || line[0] != '-' || line[1] != '-')
		return NULL;
	line += 2;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	size_t wl = strlen(word);
	if ((size_t)(end - line) < wl || strncasecmp(line, word, wl))
		return NULL;
	return line + wl;
}

static int is_formatted(const char *text, size_t len)
{
	const char *eol = memchr(text, '\n', len);
	return comment_word(text, eol ? eol : text + len, "liquibase formatted") != NULL;
}

static int is_formatted_file(const char *dir, const char *name)
{
	if (!layout_ends_with(name, ".sql"))
		return 0;
	char *path = path_join(dir, name);
	size_t len;
	char *text = layout_is_file(path) ? file_read(path, &len) : NULL;
	if (!text)
		error_clear();
	int r = text && is_formatted(text, len);
	free(text);
	free(path);
	return r;
}

static const char *master_of(const char *dir)
{
	for (const char *const *m = masters; *m; m++)
		if (layout_has_file(dir, NULL, *m))
			return *m;
	return NULL;
}

static char **includes(const char *dir, const char *master, size_t *n);

static int detect(const char *dir, const char **why)
{
	*why = "SQL files starting with --liquibase formatted sql, or a master changelog including SQL files";
	if (layout_any(dir, is_formatted_file))
		return 1;
	const char *master = master_of(dir);
	size_t n = 0;
	char **files = master ? includes(dir, master, &n) : NULL;
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return n > 0;
}

/* An attribute `name:value` of a changeset line (case-insensitive name); 1 when its value
 * starts with value. */
static int attribute(const char *rest, const char *end, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	for (const char *p = rest; p + nl < end; p++)
		if (!strncasecmp(p, name, nl) && p[nl] == ':' && (p == rest || isspace((unsigned char)p[-1])))
			return (size_t)(end - (p + nl + 1)) >= vl && !strncasecmp(p + nl + 1, value, vl);
	return 0;
}

/* Appends one rollback line's SQL to text, with the segment that places it in the file. */
static void add_rollback(struct strbuf *text, struct lint_segment **segs, size_t *nsegs, size_t *cap, const char *sql,
			 size_t n, uint32_t offset, uint32_t line, uint32_t column)
{
	XGROW(*segs, *nsegs + 1, *cap);
	struct lint_segment *s = &(*segs)[(*nsegs)++];
	memset(s, 0, sizeof(*s));
	s->start = (uint32_t)text->len;
	s->line = s->end_line = line;
	s->column = column;
	s->end_column = column + (uint32_t)n;
	s->offset = offset;
	s->end_offset = offset + (uint32_t)n;
	strbuf_add(text, sql, n);
	strbuf_add(text, "\n", 1);
}

/* `endDelimiter:X` among a changeset's attributes (END_DELIMITER_REGEX: the word endDelimiter,
 * a colon and a run of non-blanks, without case): X into out, or out empty. */
static void end_delimiter(const char *rest, const char *end, char *out, size_t size)
{
	out[0] = '\0';
	for (const char *p = rest; p + 13 < end; p++) {
		if (strncasecmp(p, "endDelimiter:", 13) || (p > rest && isalnum((unsigned char)p[-1])))
			continue;
		const char *v = p + 13, *ve = v;
		while (ve < end && !isspace((unsigned char)*ve))
			ve++;
		size_t n = (size_t)(ve - v) < size - 1 ? (size_t)(ve - v) : size - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return;
	}
}

/* A line that is only a statement delimiter to Liquibase: the changeset's endDelimiter when it
 * has one other than ';', otherwise `GO` (any case) or `/` (StringUtil.isDelimiter: those two
 * count when they start a line). Only whole lines are taken; a delimiter inside a line, or a
 * regular expression, is not read. */
static int delimiter_line(const char *ls, const char *le, const char *delim)
{
	while (ls < le && isspace((unsigned char)*ls))
		ls++;
	while (le > ls && isspace((unsigned char)le[-1]))
		le--;
	size_t n = (size_t)(le - ls);
	if (!n)
		return 0;
	if (delim[0] && strcmp(delim, ";"))
		return n == strlen(delim) && !strncasecmp(ls, delim, n);
	return (n == 2 && !strncasecmp(ls, "go", 2)) || (n == 1 && *ls == '/');
}

/* ROLLBACK_MULTI_LINE_START_REGEX: a line holding only the start of a block comment and the
 * words `liquibase rollback` (blanks allowed between them), without case. */
static int rollback_block_start(const char *ls, const char *le)
{
	while (ls < le && isspace((unsigned char)*ls))
		ls++;
	if (le - ls < 2 || ls[0] != '/' || ls[1] != '*')
		return 0;
	ls += 2;
	while (ls < le && isspace((unsigned char)*ls))
		ls++;
	if ((size_t)(le - ls) < 9 || strncasecmp(ls, "liquibase", 9))
		return 0;
	ls += 9;
	while (ls < le && isspace((unsigned char)*ls))
		ls++;
	if ((size_t)(le - ls) < 8 || strncasecmp(ls, "rollback", 8))
		return 0;
	ls += 8;
	while (ls < le && isspace((unsigned char)*ls))
		ls++;
	return ls == le;
}

/* Whether the line ends the block (ROLLBACK_MULTI_LINE_END_REGEX: it ends in the comment's end). */
static int block_end_at(const char *ls, const char *le)
{
	while (le > ls && isspace((unsigned char)le[-1]))
		le--;
	return le - ls >= 2 && le[-2] == '*' && le[-1] == '/';
}

/* The SQL of a rollback block's line: up to the comment's end on the last line, the whole line
 * otherwise. */
static const char *block_end(const char *ls, const char *le)
{
	if (!block_end_at(ls, le))
		return le;
	while (le > ls && isspace((unsigned char)le[-1]))
		le--;
	return le - 2;
}

/* Ends changeset m at byte end of its file: its region, and its rollback lines as its down part. */
static void finish_changeset(struct migration *m, const char *path, size_t end, struct strbuf *rb,
			     struct lint_segment **segs, size_t *nsegs, size_t *cap)
{
	m->up.len = (uint32_t)(end > m->up.offset ? end - m->up.offset : 0);
	if (*nsegs) {
		m->down.path = xstrdup(path);
		m->down.tx = m->up.tx;
		m->down.text_len = rb->len;
		m->down.text = xstrdup(strbuf_str(rb));
		m->down.segments = *segs;
		m->down.nsegments = *nsegs;
		*segs = NULL;
		*nsegs = *cap = 0;
	}
	strbuf_reset(rb);
}

/* Reads the changesets of one formatted SQL file into set, numbered on from *order. */
static void load_file(const char *path, struct migration_set *set, unsigned *order, int *errors)
{
	size_t len;
	char *text = layout_read_migration(path, &len, errors);
	if (!text)
		return;
	if (!is_formatted(text, len)) {
		free(text);
		return;
	}
	struct migration *m = NULL;
	char *in_place = NULL; /* the text with delimiter lines read as ';' */
	char delim[32] = "";   /* the current changeset's endDelimiter */
	size_t first = set->n;
	struct strbuf rb = STRBUF_INIT;
	struct lint_segment *segs = NULL;
	size_t nsegs = 0, cap = 0;
	uint32_t line_no = 1;
	for (size_t i = 0; i < len; line_no++) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t next = eol < len ? eol + 1 : eol;
		const char *ls = text + i, *le = text + eol;
		if (le > ls && le[-1] == '\r')
			le--;
		const char *rest;
		if ((rest = comment_word(ls, le, "changeset")) != NULL && rest < le && isspace((unsigned char)*rest)) {
			if (m) /* the previous changeset ends here */
				finish_changeset(m, path, i, &rb, &segs, &nsegs, &cap);
			while (rest < le && isspace((unsigned char)*rest))
				rest++;
			const char *ne = rest;
			while (ne < le && !isspace((unsigned char)*ne))
				ne++;
			char version[32];
			snprintf(version, sizeof(version), "%06u", ++*order);
			char *name = xstrndup(rest, (size_t)(ne - rest));
			m = migration_set_add(set, version, name);
			free(name);
			/* statement by statement in the changeset's transaction, or each on its own */
			migration_part_set(&m->up, xstrdup(path),
					   attribute(ne, le, "runInTransaction", "false") ? LINT_TX_NONE : LINT_TX_WRAPPED);
			m->up.has_region = 1;
			m->up.offset = (uint32_t)next;
			m->up.marker_offset = (uint32_t)i;
			end_delimiter(ne, le, delim, sizeof(delim));
		} else if (m && (rest = comment_word(ls, le, "rollback ")) != NULL) {
			add_rollback(&rb, &segs, &nsegs, &cap, rest, (size_t)(le - rest), (uint32_t)(rest - text), line_no,
				     (uint32_t)(rest - ls) + 1);
		} else if (m && rollback_block_start(ls, le)) {
			/* every line up to the one ending in the comment's end is rollback SQL */
			i = next;
			while (i < len) {
				line_no++;
				size_t e = i;
				while (e < len && text[e] != '\n')
					e++;
				const char *bs = text + i, *be = text + e;
				if (be > bs && be[-1] == '\r')
					be--;
				const char *close = block_end(bs, be);
				if (close > bs)
					add_rollback(&rb, &segs, &nsegs, &cap, bs, (size_t)(close - bs), (uint32_t)i, line_no, 1);
				i = e < len ? e + 1 : e;
				if (block_end_at(bs, be))
					break;
			}
			continue;
		} else if (m && delimiter_line(ls, le, delim)) {
			/* Liquibase ends a statement there (GO or / alone on a line, or the changeset's
			 * endDelimiter); PostgreSQL would not understand it: read it as ';' */
			if (!in_place) {
				in_place = xmalloc(len + 1);
				memcpy(in_place, text, len + 1);
			}
			char *d = in_place + (ls - text);
			while (*d == ' ' || *d == '\t')
				d++;
			*d++ = ';';
			for (; d < in_place + (le - text); d++)
				*d = ' ';
		}
		i = next;
	}
	if (m)
		finish_changeset(m, path, len, &rb, &segs, &nsegs, &cap);
	for (size_t k = first; in_place && k < set->n; k++) {
		migration_part_text_in_place(&set->items[k].up, in_place, len);
	}
	free(in_place);
	free(segs);
	strbuf_release(&rb);
	free(text);
}

/* The value after `name=` or `name:` at p (quotes and blanks around it skipped): its length,
 * and *v its start; 0 when p is not such an attribute. */
static size_t attribute_value(const char *p, const char *name, const char **v)
{
	size_t nl = strlen(name);
	if (strncmp(p, name, nl))
		return 0;
	const char *q = p + nl;
	while (*q == ' ' || *q == '\t')
		q++;
	if (*q != '=' && *q != ':')
		return 0;
	q++;
	while (*q == ' ' || *q == '\t' || *q == '"' || *q == '\'')
		q++;
	*v = q;
	return strcspn(q, "\"' \t\r\n>");
}

/* The formatted SQL files of dir/sub in name order, as paths relative to dir (includeAll reads
 * a directory's changelogs alphabetically). */
static void include_all(const char *dir, const char *sub, size_t sub_len, char ***out, size_t *n, size_t *cap)
{
	char *rel = xstrndup(sub, sub_len);
	while (strlen(rel) > 1 && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	char *full = path_join(dir, rel);
	size_t k;
	char **names = layout_is_dir(full) ? layout_list(full, &k) : NULL;
	for (size_t i = 0; names && i < k; i++) {
		if (!layout_ends_with(names[i], ".sql"))
			continue;
		XGROW(*out, *n + 1, *cap);
		(*out)[(*n)++] = path_join(rel, names[i]);
	}
	if (names)
		layout_list_free(names);
	free(full);
	free(rel);
}

/* The files a master changelog includes, in its order: the values of `file="..."`, `file: ...`
 * and `file:...` (XML, YAML and formatted SQL includes), and the formatted SQL files of each
 * `includeAll` path, relative to the changelog's directory. */
static char **includes(const char *dir, const char *master, size_t *n)
{
	char *path = path_join(dir, master);
	size_t len;
	char *text = file_read(path, &len);
	free(path);
	char **out = NULL;
	size_t cap = 0;
	*n = 0;
	if (!text) {
		error_clear();
		return NULL;
	}
	for (char *p = text; *p; p++) {
		const char *v;
		size_t fl;
		if (!strncmp(p, "includeAll", 10)) {
			/* its path attribute, before the element or item ends */
			char *q = p + 10;
			size_t stop = strcspn(q, ">");
			for (char *a = q; a < q + stop; a++) {
				if ((fl = attribute_value(a, "path", &v)) > 0) {
					include_all(dir, v, fl, &out, n, &cap);
					break;
				}
			}
			p += 9;
		} else if ((fl = attribute_value(p, "file", &v)) > 0) {
			if (fl > 4 && !strncmp(v + fl - 4, ".sql", 4)) {
				XGROW(out, *n + 1, cap);
				out[(*n)++] = xstrndup(v, fl);
			}
			p = (char *)v + fl - 1;
		}
	}
	free(text);
	return out;
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	unsigned order = 0;
	const char *master = master_of(dir);
	size_t n;
	char **files = master ? includes(dir, master, &n) : NULL;
	if (files) {
		for (size_t i = 0; i < n; i++) {
			char *path = path_join(dir, files[i]);
			if (layout_is_file(path)) {
				load_file(path, set, &order, errors);
			} else {
				char *mpath = path_join(dir, master);
				migration_set_problem(set, "migration-graph", mpath, 0, "fix the include's path",
						      "'%s' includes '%s', which is not there: liquibase update fails",
						      master, files[i]);
				free(mpath);
			}
			free(path);
			free(files[i]);
		}
		free(files);
		return 0;
	}
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!layout_ends_with(names[i], ".sql"))
			continue;
		char *path = path_join(dir, names[i]);
		load_file(path, set, &order, errors);
		free(path);
	}
	layout_list_free(names);
	return 0;
}

const struct framework_desc framework_liquibase = {
	.name = "liquibase",
	.detect_rank = 19,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_DOWNS | FRAMEWORK_OWN_ORDER, /* the changelog's order */
	.down_help = "add --rollback lines to the changeset that undo it",
	.down_consequence = "`liquibase rollback` cannot undo this changeset (raw SQL has no automatic rollback)",
	.history = {
		.table = "databasechangelog",
		/* a changeset is keyed by author and id (and its file, which pgsieve does not compare) */
		.columns = "author::text || ':' || id::text, NULL, NULL, NULL, exectype::text, false, false, 0",
		.rest = " ORDER BY orderexecuted",
		.key = HISTORY_KEY_NAME,
	},
};
