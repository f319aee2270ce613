/* "Did you mean ...?": how far apart two words are, for suggesting the option, key or rule
 * name a user probably meant. */
#ifndef PGSIEVE_SPELL_H
#define PGSIEVE_SPELL_H

#include <stddef.h>

/* Levenshtein distance; SIZE_MAX for words over 63 bytes (no suggestion is made for those). */
size_t edit_distance(const char *a, const char *b);

#endif
