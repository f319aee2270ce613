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
	char *text = file_read(path, &len);
	if (!text) {
		fprintf(stderr, "pgsieve: %s\n", error_message());
		(*errors)++;
		return;
	}
	if (!is_formatted(text, len)) {
		free(text);
		return;
	}
	struct migration *m = NULL;
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
		} else if (m && (rest = comment_word(ls, le, "rollback ")) != NULL) {
			add_rollback(&rb, &segs, &nsegs, &cap, rest, (size_t)(le - rest), (uint32_t)(rest - text), line_no,
				     (uint32_t)(rest - ls) + 1);
		}
		i = next;
	}
	if (m)
		finish_changeset(m, path, len, &rb, &segs, &nsegs, &cap);
	free(segs);
	strbuf_release(&rb);
	free(text);
}

/* The files a master changelog includes, in its order: the values of `file="..."`, `file: ...`
 * and `file:...` (XML, YAML and formatted SQL includes), relative to the changelog's directory. */
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
	for (char *p = text; (p = strstr(p, "file")) != NULL;) {
		p += 4;
		char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' && *q != ':')
			continue;
		q++;
		while (*q == ' ' || *q == '\t' || *q == '"' || *q == '\'')
			q++;
		size_t fl = strcspn(q, "\"' \t\r\n>");
		if (fl > 4 && !strncmp(q + fl - 4, ".sql", 4)) {
			XGROW(out, *n + 1, cap);
			out[(*n)++] = xstrndup(q, fl);
		}
		p = q + fl;
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
