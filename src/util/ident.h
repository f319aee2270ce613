/* Quoting SQL identifiers, the one place it is done: as PostgreSQL's quote_ident() does (only
 * when needed, for SQL pgsieve writes and names the model stores), or always (for messages,
 * where a quoted name stands out in the sentence). */
#ifndef PGSIEVE_IDENT_H
#define PGSIEVE_IDENT_H

#include <stddef.h>

/* name quoted as quote_ident() would: double quotes only when it is not a lowercase identifier
 * or is a reserved word that occurs as a name in schemas. Writes into buf (truncated to size)
 * and returns it ("" when size is under 3 and quotes are needed). */
const char *ident_quote(const char *name, char *buf, size_t size);

/* name always in double quotes, inner ones doubled; returns buf ("" when size is under 3). */
const char *ident_quote_always(const char *name, char *buf, size_t size);

#endif
