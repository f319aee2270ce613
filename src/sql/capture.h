/* Taking libpg_query's parse tree as it builds it, instead of packing it to protobuf bytes and
 * unpacking them again (internal to src/sql/).
 *
 * pg_query_parse_protobuf() builds the tree as protobuf-c structs (PgQuery__ParseResult), packs
 * them into bytes and frees them; pgsieve then unpacked the bytes into the same structs. The
 * packing and unpacking were 29% of a lint run (packing is quadratic in the tree's depth). The
 * library calls pg_query__parse_result__get_packed_size() and pg_query__parse_result__pack(),
 * so pgsieve defines both: while a capture is armed, "packing" copies the tree into the
 * caller's arena and packs nothing; otherwise they pack as protobuf-c does. A shared system
 * libpg_query calls them through its procedure linkage table (the executable exports its own,
 * see meson.build); the private static build (subprojects/packagefiles/libpg_query) does not
 * define them, so the static link binds its calls to these.
 *
 * The scanner's result is taken the same way (sql_capture_scan).
 *
 * When neither takes effect (a static libpg_query built some other way, a library that builds
 * its output differently, a binary linked without the export), nothing is captured and the
 * caller unpacks the bytes as before: the result is the same tree either way. */
#ifndef PGSIEVE_SQL_CAPTURE_H
#define PGSIEVE_SQL_CAPTURE_H

#include <stddef.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "util/arena.h"

struct sql_capture {
	PgQueryProtobufParseResult result; /* free with pg_query_free_protobuf_parse_result() */
	PgQuery__ParseResult *tree;        /* the copied tree, in the arena; NULL: not captured */
	int too_deep;                      /* the tree nests more than depth_limit messages */
};

/* Parses buf with pg_query_parse_protobuf() and captures the tree into arena a. When
 * capture->tree is NULL and there is no error and the tree was not too deep, the tree is only
 * in capture->result.parse_tree, to be unpacked. */
void sql_capture_parse(const char *buf, struct arena *a, size_t depth_limit, struct sql_capture *capture);

/* The scanner's output, the same way: pg_query_scan() builds a PgQuery__ScanResult and packs it
 * with pg_query__scan_result__pack(). While armed, the packing hands the tokens to take() and
 * packs nothing. Returns pg_query_scan()'s result (free it with pg_query_free_scan_result());
 * *taken says whether take() saw the tokens, else they are in result.pbuf, to be decoded. */
PgQueryScanResult sql_capture_scan(const char *buf,
				   void (*take)(void *ud, PgQuery__ScanToken *const *tokens, size_t n),
				   void *ud, int *taken);

#endif
