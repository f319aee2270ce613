/* Generic operations on libpg_query's typed tree (protobuf-c structs), driven by the message
 * descriptors: a deep copy into an arena, and a key that identifies a subtree's content.
 *
 * Both walk per-type plans built once from the descriptors of every message reachable from
 * PgQuery__ParseResult: the fields that need work (strings, messages, repeated fields), and
 * for a oneof the field each case value names, so that a PgQuery__Node (250 fields, one set)
 * costs one lookup instead of a scan of its descriptor. Thread-safe. */
#ifndef PGSIEVE_SQL_PBTREE_H
#define PGSIEVE_SQL_PBTREE_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include "util/arena.h"
#include "util/strbuf.h"

/* A copy of message m and everything it points to, allocated in a. A copy that would nest
 * more than depth_limit messages deep is abandoned: NULL, and *too_deep set when not NULL.
 * Empty strings are shared with protobuf-c's protobuf_c_empty_string, as unpacking does. */
void *sql_tree_copy(struct arena *a, const ProtobufCMessage *m, size_t depth_limit, int *too_deep);

/* Appends to out a text that is equal for two subtrees exactly when they are equal in every
 * field but source positions (fields named "location"): what deparsing sees. Returns -1, with
 * nothing useful in out, when m is not a message type of the parse tree. */
int sql_tree_key(const ProtobufCMessage *m, struct strbuf *out);

#endif
