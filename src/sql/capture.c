/* Capturing libpg_query's tree while it is built; see capture.h for why and how. */
#include "sql/capture.h"

#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "sql/pbtree.h"

/* The capture in progress on this thread. */
static _Thread_local struct capture_state {
	int armed;
	int captured, too_deep;
	struct arena *arena;
	size_t depth_limit;
	PgQuery__ParseResult *tree;
} state;

/* The two functions libpg_query calls to serialize its tree. Unarmed, they do what the
 * library's own do. */
size_t pg_query__parse_result__get_packed_size(const PgQuery__ParseResult *message)
{
	if (state.armed)
		return 0;
	return protobuf_c_message_get_packed_size((const ProtobufCMessage *)message);
}

size_t pg_query__parse_result__pack(const PgQuery__ParseResult *message, uint8_t *out)
{
	if (!state.armed)
		return protobuf_c_message_pack((const ProtobufCMessage *)message, out);
	state.captured = 1;
	state.tree = sql_tree_copy(state.arena, &message->base, state.depth_limit, &state.too_deep);
	return 0;
}

/* PGSIEVE_PARSE_UNPACK=1 takes the path of a libpg_query that cannot be intercepted, so the
 * tests can check that both give the same results. */
static int unpack_forced = -1;

void sql_capture_parse(const char *buf, struct arena *a, size_t depth_limit, struct sql_capture *capture)
{
	if (unpack_forced < 0) {
		const char *e = getenv("PGSIEVE_PARSE_UNPACK");
		unpack_forced = e && *e && strcmp(e, "0") != 0;
	}
	state = (struct capture_state){ .armed = !unpack_forced, .arena = a, .depth_limit = depth_limit };
	capture->result = pg_query_parse_protobuf(buf);
	capture->tree = NULL;
	capture->too_deep = 0;
	if (state.captured && !capture->result.error) {
		capture->too_deep = state.too_deep;
		capture->tree = capture->too_deep ? NULL : state.tree;
	}
	state = (struct capture_state){ 0 };
}
