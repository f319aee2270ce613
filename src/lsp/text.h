/* What the language server needs of a document's text: LSP positions (0-based line, character
 * counted in the negotiated encoding's code units) to and from byte offsets, and file: URIs to
 * and from paths. */
#ifndef PGSIEVE_LSP_TEXT_H
#define PGSIEVE_LSP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/srcmap.h"

/* positionEncoding: UTF-16 code units unless the client offers "utf-8" (LSP 3.17). */
enum lsp_encoding { LSP_UTF16, LSP_UTF8 };

struct lsp_pos {
	uint32_t line, character;
};

/* The position of byte `offset` of map's text (clamped to its end). A byte that is not valid
 * UTF-8 counts as one unit, as the U+FFFD an editor shows for it. */
struct lsp_pos lsp_pos_of(const struct srcmap *map, enum lsp_encoding enc, size_t offset);
/* The byte offset of a position; a line past the end is the end of the text, a character past
 * the line's end is the end of the line (before its line break), as the protocol says. */
size_t lsp_offset_of(const struct srcmap *map, enum lsp_encoding enc, struct lsp_pos pos);

/* The path of a file: URI ("file:///a%20b.sql" -> "/a b.sql"), malloc'd; NULL for another
 * scheme, a remote host or an escape that does not decode to a path. */
char *lsp_uri_path(const char *uri);
/* The file: URI of an absolute path, malloc'd. */
char *lsp_path_uri(const char *path);

#endif
