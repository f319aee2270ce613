/* UTF-8 validation for input files: pgsieve lints text, and says where text stops being text. */
#ifndef PGSIEVE_UTF8_H
#define PGSIEVE_UTF8_H

#include <stddef.h>

/* Returns 1 when text[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF);
 * otherwise 0 with *bad_offset at the first invalid byte. */
int utf8_valid(const char *text, size_t len, size_t *bad_offset);

#endif
