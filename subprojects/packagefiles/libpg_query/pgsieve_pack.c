/* Weak fallbacks for the four pack functions compiled under other names in this build (see
 * meson.build): they pack as the generated code does. pgsieve's src/sql/capture.c defines the
 * strong versions, which capture the tree instead while a parse asks for it. */
#include "protobuf/pg_query.pb-c.h"

__attribute__((weak)) size_t pg_query__parse_result__get_packed_size(const PgQuery__ParseResult *message)
{
	return protobuf_c_message_get_packed_size((const ProtobufCMessage *)message);
}

__attribute__((weak)) size_t pg_query__parse_result__pack(const PgQuery__ParseResult *message, uint8_t *out)
{
	return protobuf_c_message_pack((const ProtobufCMessage *)message, out);
}

__attribute__((weak)) size_t pg_query__scan_result__get_packed_size(const PgQuery__ScanResult *message)
{
	return protobuf_c_message_get_packed_size((const ProtobufCMessage *)message);
}

__attribute__((weak)) size_t pg_query__scan_result__pack(const PgQuery__ScanResult *message, uint8_t *out)
{
	return protobuf_c_message_pack((const ProtobufCMessage *)message, out);
}
