#include "util/srcmap.h"

#include <stdlib.h>

#include "util/xalloc.h"

void srcmap_init(struct srcmap *map, const char *text, size_t len)
{
	size_t cap = 0;
	map->text = text;
	map->len = len;
	map->line_starts = NULL;
	map->nlines = 0;
	map->last_line = map->last_offset = 0;
	map->last_column = 1;
	XGROW(map->line_starts, 1, cap);
	map->line_starts[map->nlines++] = 0;
	for (size_t i = 0; i < len; i++) {
		/* LF, CR LF and a lone CR (old Mac files) each end a line */
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
			XGROW(map->line_starts, map->nlines + 1, cap);
			map->line_starts[map->nlines++] = (uint32_t)(i + 1);
		}
	}
}

void srcmap_release(struct srcmap *map)
{
	free(map->line_starts);
	map->line_starts = NULL;
	map->nlines = 0;
}

/* A UTF-8 continuation byte (10xxxxxx) does not start a character. */
static int starts_char(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

size_t srcmap_line_of(const struct srcmap *map, size_t offset)
{
	size_t lo = 0, hi = map->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (map->line_starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

struct srcpos srcmap_pos(struct srcmap *map, size_t offset)
{
	if (offset > map->len)
		offset = map->len;
	size_t lo = srcmap_line_of(map, offset);
	uint32_t column = 1;
	size_t from = map->line_starts[lo];
	if (map->last_line == lo && map->last_offset >= from && map->last_offset <= offset) {
		from = map->last_offset;
		column = map->last_column;
	}
	for (size_t i = from; i < offset; i++) {
		unsigned char c = (unsigned char)map->text[i];
		if (c == '\r' && i + 1 < map->len && map->text[i + 1] == '\n')
			continue;
		if (starts_char(c))
			column++;
	}
	map->last_line = lo;
	map->last_offset = offset;
	map->last_column = column;
	return (struct srcpos){ (uint32_t)lo + 1, column };
}

size_t srcmap_advance_chars(const char *text, size_t len, size_t from, size_t chars)
{
	size_t i = from;
	while (i < len && chars > 0) {
		i++;
		while (i < len && !starts_char((unsigned char)text[i]))
			i++;
		chars--;
	}
	return i;
}
