#include "report/report.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xalloc.h"

char *report_utf8(const char *s)
{
	size_t len = strlen(s), bad;
	if (utf8_valid(s, len, &bad))
		return xstrdup(s);
	struct strbuf sb = STRBUF_INIT;
	while (!utf8_valid(s, len, &bad)) {
		strbuf_add(&sb, s, bad);
		strbuf_addstr(&sb, "\xEF\xBF\xBD");
		s += bad + 1;
		len -= bad + 1;
	}
	strbuf_add(&sb, s, len);
	return strbuf_detach(&sb);
}

json_t *report_json_text(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *clean = report_utf8(s);
	j = json_string(clean);
	free(clean);
	return j ? j : json_string("");
}

void report_add_printable(struct strbuf *sb, const char *s, int newline_too)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int c1 = p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F;
		if (c1) {
			strbuf_addf(sb, "\\x%02X", p[1]);
			p++;
		} else if ((*p < 0x20 && *p != '\t' && (newline_too || (*p != '\n' && *p != '\r'))) || *p == 0x7F) {
			strbuf_addf(sb, "\\x%02X", *p);
		} else {
			strbuf_addch(sb, (char)*p);
		}
	}
}

static const struct {
	const char *name;
	report_fn fn;
} formats[] = {
	{ "text", report_text },
	{ "json", report_json },
	{ "sarif", report_sarif },
	{ "github", report_github },
	{ "gitlab", report_gitlab },
	{ "junit", report_junit },
	{ "markdown", report_markdown },
};

static int append_json(const char *piece, size_t size, void *data)
{
	strbuf_add(data, piece, size);
	return 0;
}

int report_dump_json(FILE *out, const json_t *root, size_t flags)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = json_dump_callback(root, append_json, &sb, flags);
	if (rc == 0 && sb.len && fwrite(sb.buf, sb.len, 1, out) != 1)
		rc = -1;
	strbuf_release(&sb);
	return rc;
}

static int write_all(FILE *out, const char *buf, size_t len)
{
	return len && fwrite(buf, len, 1, out) != 1 ? -1 : 0;
}

int report_json_add_string(struct strbuf *out, const char *s)
{
	size_t len = strlen(s), bad;
	if (!utf8_valid(s, len, &bad))
		return -1;
	strbuf_addch(out, '"');
	const char *run = s;
	for (const char *p = s; p < s + len; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(out, run, (size_t)(p - run));
		run = p + 1;
		char esc[8];
		switch (c) {
		case '"':
		case '\\':
			esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
			break;
		case '\b':
			memcpy(esc, "\\b", 3);
			break;
		case '\f':
			memcpy(esc, "\\f", 3);
			break;
		case '\n':
			memcpy(esc, "\\n", 3);
			break;
		case '\r':
			memcpy(esc, "\\r", 3);
			break;
		case '\t':
			memcpy(esc, "\\t", 3);
			break;
		default: /* jansson writes the other control characters as \u00XX, in capitals */
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			break;
		}
		strbuf_addstr(out, esc);
	}
	strbuf_add(out, run, (size_t)(s + len - run));
	strbuf_addch(out, '"');
	return 0;
}

void report_json_add_int(struct strbuf *out, long long n)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		*--p = '-';
	strbuf_add(out, p, (size_t)(buf + sizeof(buf) - p));
}

/* One thread's share of the items: dumped one by one, each at the array's depth. */
struct items_part {
	json_t *(*make)(const void *ud, size_t i);
	report_json_write_fn write;
	const void *ud;
	size_t from, to;
	const char *indent; /* the items' indentation */
	struct strbuf text;
	int rc;
};

static void *dump_items_part(void *arg)
{
	struct items_part *p = arg;
	struct strbuf one = STRBUF_INIT;
	size_t indent_len = strlen(p->indent);
	for (size_t i = p->from; i < p->to && p->rc == 0; i++) {
		if (i > 0)
			strbuf_add(&p->text, ",\n", 2);
		if (p->write && p->write(p->ud, i, &p->text, p->indent) == 0)
			continue;
		json_t *item = p->make(p->ud, i);
		strbuf_reset(&one);
		p->rc = json_dump_callback(item, append_json, &one, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(item);
		/* jansson escapes newlines inside strings: every raw one starts a line of structure */
		strbuf_add(&p->text, p->indent, indent_len);
		const char *s = one.buf, *end = one.buf + one.len;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			size_t len = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
			strbuf_add(&p->text, s, len);
			if (nl)
				strbuf_add(&p->text, p->indent, indent_len);
			s += len;
		}
	}
	strbuf_release(&one);
	return NULL;
}

int report_dump_json_items(FILE *out, json_t *root, const char *key, size_t n,
			   json_t *(*make)(const void *ud, size_t i), const void *ud)
{
	return report_dump_json_items_direct(out, root, key, n, make, NULL, ud);
}

int report_dump_json_items_direct(FILE *out, json_t *root, const char *key, size_t n,
				  json_t *(*make)(const void *ud, size_t i), report_json_write_fn write,
				  const void *ud)
{
	const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
	struct strbuf sb = STRBUF_INIT, marker = STRBUF_INIT;
	int rc = json_dump_callback(root, append_json, &sb, flags);
	strbuf_addf(&marker, "\"%s\": []", key);
	/* A string's quotes are escaped, so the marker matches only the member itself. */
	const char *at = rc == 0 && sb.len ? strstr(sb.buf, marker.buf) : NULL;
	if (!at || strstr(at + 1, marker.buf) || n == 0) {
		/* not the shape expected: fill the array and dump the whole tree */
		json_t *arr = json_object_get(root, key);
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, make(ud, i));
		strbuf_release(&sb);
		strbuf_release(&marker);
		return report_dump_json(out, root, flags);
	}
	const char *line = at;
	while (line > sb.buf && line[-1] != '\n')
		line--;
	struct strbuf indent = STRBUF_INIT;
	strbuf_add(&indent, line, (size_t)(at - line));
	strbuf_add(&indent, "  ", 2);

	/* in blocks, two at a time (one here, one on a second thread), each written out as soon
	 * as both are done: the text of all the findings is never held at once */
	enum { BLOCK = 4096 };
	size_t head = (size_t)(at - sb.buf) + marker.len - 1; /* up to and with the '[' */
	rc = write_all(out, sb.buf, head) || write_all(out, "\n", 1) ? -1 : 0;
	struct items_part parts[2] = {
		{ make, write, ud, 0, 0, strbuf_str(&indent), STRBUF_INIT, 0 },
		{ make, write, ud, 0, 0, strbuf_str(&indent), STRBUF_INIT, 0 },
	};
	for (size_t start = 0; start < n && rc == 0; start += 2 * BLOCK) {
		parts[0].from = start;
		parts[0].to = parts[1].from = start + BLOCK < n ? start + BLOCK : n;
		parts[1].to = start + 2 * BLOCK < n ? start + 2 * BLOCK : n;
		pthread_t thread;
		int threaded = parts[1].to - parts[1].from >= 64 &&
			       pthread_create(&thread, NULL, dump_items_part, &parts[1]) == 0;
		dump_items_part(&parts[0]);
		if (threaded)
			pthread_join(thread, NULL);
		else
			dump_items_part(&parts[1]);
		if (parts[0].rc || parts[1].rc || write_all(out, parts[0].text.buf, parts[0].text.len) ||
		    write_all(out, parts[1].text.buf, parts[1].text.len))
			rc = -1;
		strbuf_reset(&parts[0].text);
		strbuf_reset(&parts[1].text);
	}
	if (rc == 0 && (write_all(out, "\n", 1) || write_all(out, line, (size_t)(at - line)) ||
			write_all(out, sb.buf + head, sb.len - head)))
		rc = -1;
	strbuf_release(&parts[0].text);
	strbuf_release(&parts[1].text);
	strbuf_release(&indent);
	strbuf_release(&marker);
	strbuf_release(&sb);
	return rc;
}

report_fn report_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(formats[i].name, name))
			return formats[i].fn;
	return NULL;
}

const char *report_format_names(void)
{
	return "text, json, sarif, github, gitlab, junit, markdown";
}

char *report_rule_doc_url(const struct report_options *o, const char *rule_id)
{
	return xasprintf("%s/blob/main/docs/rules/%s.md", o->project_url, rule_id);
}

json_t *report_renderer_json(const struct lint_renderer *rd)
{
	if (!rd->mode)
		return NULL;
	json_t *j = json_object();
	json_object_set_new(j, "mode", json_string(rd->mode));
	json_object_set_new(j, "python", rd->python ? report_json_text(rd->python) : json_null());
	json_object_set_new(j, "python_version", rd->python_version ? json_string(rd->python_version) : json_null());
	json_object_set_new(j, "alembic", rd->alembic ? json_string(rd->alembic) : json_null());
	json_object_set_new(j, "sqlalchemy", rd->sqlalchemy ? json_string(rd->sqlalchemy) : json_null());
	return j;
}
