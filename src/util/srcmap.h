/* Byte offsets to 1-based lines and columns. Columns count characters (UTF-8 code points), as
 * SARIF's "unicodeCodePoints" column kind and editors expect; LF, a CR LF pair and a lone CR
 * each end one line, and a CR before LF is not counted as a column. */
#ifndef PGSIEVE_SRCMAP_H
#define PGSIEVE_SRCMAP_H

#include <stddef.h>
#include <stdint.h>

struct srcmap {
	const char *text;
	size_t len;
	uint32_t *line_starts; /* byte offset where each line begins */
	size_t nlines;
	/* The last position asked for: the next one on the same line is counted on from there, so
	 * many findings on one long line cost no more than the line. */
	size_t last_line, last_offset;
	uint32_t last_column;
};

struct srcpos {
	uint32_t line, column; /* both 1-based */
};

void srcmap_init(struct srcmap *map, const char *text, size_t len);
void srcmap_release(struct srcmap *map);
/* offset may be len (the end of the text); larger offsets are clamped to it. */
struct srcpos srcmap_pos(struct srcmap *map, size_t offset);
/* The 0-based line that holds offset (at most map->len). */
size_t srcmap_line_of(const struct srcmap *map, size_t offset);
/* The byte offset of the character at 0-based character index `chars` from `from`: turns
 * libpg_query's character-based error positions into byte offsets. */
size_t srcmap_advance_chars(const char *text, size_t len, size_t from, size_t chars);

#endif
