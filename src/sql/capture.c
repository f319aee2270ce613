/* Capturing libpg_query's tree while it is built; see capture.h for why and how. */
#include "sql/capture.h"

#include <pthread.h>
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

/* The two functions libpg_query calls to serialize its tree (the scanner's pair is below). Unarmed, they do what the
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

static _Thread_local struct scan_state {
	int armed, taken;
	void (*take)(void *ud, PgQuery__ScanToken *const *tokens, size_t n);
	void *ud;
} scan_state;

size_t pg_query__scan_result__get_packed_size(const PgQuery__ScanResult *message)
{
	if (scan_state.armed)
		return 0;
	return protobuf_c_message_get_packed_size((const ProtobufCMessage *)message);
}

size_t pg_query__scan_result__pack(const PgQuery__ScanResult *message, uint8_t *out)
{
	if (!scan_state.armed)
		return protobuf_c_message_pack((const ProtobufCMessage *)message, out);
	scan_state.taken = 1;
	scan_state.take(scan_state.ud, message->tokens, message->n_tokens);
	return 0;
}

/* PGSIEVE_PARSE_UNPACK=1 takes the path of a libpg_query that cannot be intercepted, so the
 * tests can check that both give the same results. */
static int unpack_forced;
static pthread_once_t unpack_once = PTHREAD_ONCE_INIT;

static void read_unpack_setting(void)
{
	const char *e = getenv("PGSIEVE_PARSE_UNPACK");
	unpack_forced = e && *e && strcmp(e, "0") != 0;
}

/* Read once, whichever thread parses first. */
static int capture_off(void)
{
	pthread_once(&unpack_once, read_unpack_setting);
	return unpack_forced;
}

PgQueryScanResult sql_capture_scan(const char *buf,
				   void (*take)(void *ud, PgQuery__ScanToken *const *tokens, size_t n),
				   void *ud, int *taken)
{
	scan_state = (struct scan_state){ .armed = !capture_off(), .take = take, .ud = ud };
	PgQueryScanResult r = pg_query_scan(buf);
	*taken = scan_state.taken && !r.error;
	scan_state = (struct scan_state){ 0 };
	return r;
}

void sql_capture_parse(const char *buf, struct arena *a, size_t depth_limit, struct sql_capture *capture)
{
	state = (struct capture_state){ .armed = !capture_off(), .arena = a, .depth_limit = depth_limit };
	capture->result = pg_query_parse_protobuf(buf);
	capture->tree = NULL;
	capture->too_deep = 0;
	if (state.captured && !capture->result.error) {
		capture->too_deep = state.too_deep;
		capture->tree = capture->too_deep ? NULL : state.tree;
	}
	state = (struct capture_state){ 0 };
}
