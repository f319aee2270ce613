#include "schema/load.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/apply.h"
#include "sql/sql.h"
#include "util/error.h"
#include "util/file.h"
#include "util/srcmap.h"
#include "util/timing.h"
#include "util/utf8.h"
#include "util/xalloc.h"

static void blank(char *p, char *end)
{
	for (; p < end; p++)
		if (*p != '\n' && *p != '\r')
			*p = ' ';
}

static char *line_end(char *p, char *end)
{
	char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

/* Whether the statement starting at s (up to its ';' at e) is COPY ... FROM stdin, whose data
 * follows as lines up to "\.". */
static int copy_from_stdin(const char *s, const char *e)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	if (e - s < 5 || strncasecmp(s, "copy", 4) || !isspace((unsigned char)s[4]))
		return 0;
	for (const char *p = s; p + 10 <= e; p++)
		if (!strncasecmp(p, "from stdin", 10))
			return 1;
	return 0;
}

size_t schema_blank_meta_commands(char *text, size_t len)
{
	char *p = text, *end = text + len, *stmt = text;
	size_t blanked = 0;
	int at_line_start = 1;
	while (p < end) {
		char c = *p;
		if (at_line_start) {
			char *q = p;
			while (q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (q < end && *q == '\\') {
				char *le = line_end(q, end);
				blank(p, le);
				blanked++;
				p = le;
				continue;
			}
		}
		at_line_start = 0;
		if (c == '\n') {
			at_line_start = 1;
			p++;
		} else if (c == '-' && p + 1 < end && p[1] == '-') {
			p = line_end(p, end);
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			int depth = 1; /* block comments nest in PostgreSQL */
			p += 2;
			while (p < end && depth) {
				if (*p == '/' && p + 1 < end && p[1] == '*')
					depth++, p += 2;
				else if (*p == '*' && p + 1 < end && p[1] == '/')
					depth--, p += 2;
				else
					p++;
			}
		} else if (c == '\'' || c == '"') {
			/* E'' strings may escape a quote with a backslash */
			int escapes = c == '\'' && p > text && (p[-1] == 'E' || p[-1] == 'e');
			for (p++; p < end; p++) {
				if (escapes && *p == '\\' && p + 1 < end) {
					p++;
				} else if (*p == c) {
					if (p + 1 < end && p[1] == c)
						p++;
					else
						break;
				}
			}
			p++;
		} else if (c == '$' && (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
			char *q = p + 1;
			while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
				q++;
			if (q < end && *q == '$' && !(q > p + 1 && isdigit((unsigned char)p[1]))) {
				size_t taglen = (size_t)(q - p + 1);
				char *close = q + 1;
				for (; close + taglen <= end; close++)
					if (*close == '$' && !memcmp(close, p, taglen))
						break;
				p = close + taglen <= end ? close + taglen : end;
			} else {
				p = q;
			}
		} else if (c == ';') {
			int copy = copy_from_stdin(stmt, p);
			p++;
			stmt = p;
			if (copy) {
				/* the data: every line up to and including "\." */
				char *ls = line_end(p, end);
				p = ls < end ? ls + 1 : end;
				while (p < end) {
					char *le = line_end(p, end);
					int last = le - p >= 2 && p[0] == '\\' && p[1] == '.';
					blank(p, le);
					blanked++;
					p = le < end ? le + 1 : end;
					if (last)
						break;
				}
				stmt = p;
				at_line_start = 1;
			}
		} else {
			p++;
		}
	}
	return blanked;
}

struct load_ctx {
	struct schema_model *m;
	struct schema_load_result *r;
	const char *text;
	size_t len;
	double apply_seconds; /* PGSIEVE_TIMING: schema_apply()'s share of the parse loop */
};

static int on_statement(void *ud, const struct sql_stmt *st)
{
	struct load_ctx *lc = ud;
	if (!st->node) {
		if (!lc->r->errors++) {
			struct srcmap map;
			srcmap_init(&map, lc->text, lc->len);
			lc->r->first_error_line = srcmap_pos(&map, st->error_offset).line;
			srcmap_release(&map);
			snprintf(lc->r->first_error, sizeof(lc->r->first_error), "%s",
				 st->error_message ? st->error_message : "syntax error");
		}
		return 0;
	}
	lc->r->statements++;
	double t0 = timing_now();
	schema_apply(lc->m, st->node);
	lc->apply_seconds += timing_now() - t0;
	return 0;
}

int schema_load_text(struct schema_model *m, const char *text, size_t len, struct schema_load_result *r)
{
	memset(r, 0, sizeof(*r));
	if (memchr(text, '\0', len))
		return error("the schema file holds a NUL byte: it is not SQL text");
	size_t bad;
	if (!utf8_valid(text, len, &bad))
		return error("the schema file is not UTF-8 (invalid byte at offset %zu)", bad);
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	schema_blank_meta_commands(copy, len);
	size_t from = len >= 3 && !memcmp(copy, "\xEF\xBB\xBF", 3) ? 3 : 0;
	struct load_ctx lc = { m, r, copy, len, 0 };
	struct sql_callbacks cb = { &lc, NULL, on_statement };
	timing_phase("read: checking and blanking meta-commands");
	int rc = sql_parse_region(copy, len, (uint32_t)from, len - from, &cb);
	free(copy);
	timing_note(lc.apply_seconds, "apply: %zu statements", r->statements);
	timing_phase("parse: %zu statements", r->statements);
	return rc;
}

int schema_load_file(struct schema_model *m, const char *path, struct schema_load_result *r)
{
	size_t len;
	char *text = file_read(path, &len);
	if (!text)
		return -1;
	timing_phase("read: the schema file");
	int rc = schema_load_text(m, text, len, r);
	free(text);
	if (rc != 0)
		return error("%s: %s", path, error_message());
	m->complete = 1;
	free(m->source);
	/* messages name the file, not the directories it was found in: findings stay the same
	 * wherever the schema file is checked out */
	const char *base = strrchr(path, '/');
	m->source = xasprintf("the schema file %s", base ? base + 1 : path);
	schema_model_begin_migration(m);
	return 0;
}
