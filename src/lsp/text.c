#include "lsp/text.h"

#include <stdio.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"

/* The length of the UTF-8 sequence at s[0..n) and whether it takes two UTF-16 units; an
 * invalid byte is a sequence of one. */
static size_t utf8_step(const unsigned char *s, size_t n, int *astral)
{
	*astral = 0;
	unsigned char c = s[0];
	size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (len <= 1 || len > n)
		return 1;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	*astral = len == 4;
	return len;
}

/* The end of line `line` (before its LF, CR LF or CR). */
static size_t line_end(const struct srcmap *map, size_t line)
{
	size_t end = line + 1 < map->nlines ? map->line_starts[line + 1] : map->len;
	if (end > map->line_starts[line] && map->text[end - 1] == '\n')
		end--;
	if (end > map->line_starts[line] && map->text[end - 1] == '\r')
		end--;
	return end;
}

struct lsp_pos lsp_pos_of(const struct srcmap *map, enum lsp_encoding enc, size_t offset)
{
	if (offset > map->len)
		offset = map->len;
	size_t lo = srcmap_line_of(map, offset);
	struct lsp_pos p = { (uint32_t)lo, 0 };
	size_t i = map->line_starts[lo], end = line_end(map, lo);
	if (offset > end) /* inside the line break: the end of the line */
		offset = end;
	if (enc == LSP_UTF8) {
		p.character = (uint32_t)(offset - i);
		return p;
	}
	const unsigned char *s = (const unsigned char *)map->text;
	while (i < offset) {
		int astral;
		i += utf8_step(s + i, map->len - i, &astral);
		p.character += astral ? 2 : 1;
	}
	return p;
}

size_t lsp_offset_of(const struct srcmap *map, enum lsp_encoding enc, struct lsp_pos pos)
{
	if (pos.line >= map->nlines)
		return map->len;
	size_t i = map->line_starts[pos.line], end = line_end(map, pos.line);
	if (enc == LSP_UTF8) {
		size_t at = i + pos.character;
		if (at > end || at < i)
			return end;
		/* not inside a character: back to its first byte */
		while (at > i && ((unsigned char)map->text[at] & 0xC0) == 0x80)
			at--;
		return at;
	}
	const unsigned char *s = (const unsigned char *)map->text;
	uint32_t units = 0;
	while (i < end && units < pos.character) {
		int astral;
		size_t step = utf8_step(s + i, map->len - i, &astral);
		units += astral ? 2 : 1;
		if (units > pos.character) /* the middle of a surrogate pair: its character */
			break;
		i += step;
	}
	return i;
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *lsp_uri_path(const char *uri)
{
	if (strncmp(uri, "file://", 7))
		return NULL;
	const char *p = uri + 7;
	if (strncmp(p, "localhost/", 10) == 0)
		p += 9;
	if (*p != '/') /* file://host/...: not this machine's */
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	for (; *p && *p != '?' && *p != '#'; p++) {
		if (*p == '%') {
			int a = hex(p[1]), b = a < 0 ? -1 : hex(p[2]);
			if (b < 0 || (a == 0 && b == 0)) {
				strbuf_release(&sb);
				return NULL;
			}
			strbuf_addch(&sb, (char)(a * 16 + b));
			p += 2;
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	return strbuf_detach(&sb);
}

char *lsp_path_uri(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		/* RFC 3986 unreserved characters and the path's slashes stay as they are */
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			strbuf_addch(&sb, (char)*p);
		else
			strbuf_addf(&sb, "%%%02X", *p);
	}
	return strbuf_detach(&sb);
}
