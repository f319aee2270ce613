/* libFuzzer target: the SQL front end (src/sql/) on arbitrary text. Every statement and comment
 * it hands over must lie inside the text, in order, with tokens inside their statement; DO
 * blocks are followed into the statements they run, as the engine does. Crashes, hangs, leaks
 * and sanitizer reports are what the fuzzer looks for; a broken invariant aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	const char *text;
	size_t len;
	uint32_t region_start, region_end;
	uint32_t next_index;
	uint32_t last_comment;
	int do_depth;
};

static void fail(const char *what, uint32_t a, uint32_t b)
{
	fprintf(stderr, "fuzz-sql: %s (%u, %u)\n", what, a, b);
	abort();
}

static void on_comment(void *ud, const struct sql_comment *c)
{
	struct seen *s = ud;
	if (c->start >= c->end || c->start < s->region_start || c->end > s->region_end)
		fail("comment outside the text", c->start, c->end);
	if (c->start < s->last_comment)
		fail("comments out of order", c->start, s->last_comment);
	s->last_comment = c->end;
	if (s->text[c->start] != '-' && s->text[c->start] != '/')
		fail("comment does not start with a marker", c->start, (uint32_t)s->text[c->start]);
}

static int on_statement(void *ud, const struct sql_stmt *st);

static void on_do_block_statement(void *ud, uint32_t offset, uint32_t length)
{
	struct seen *outer = ud;
	if (offset < outer->region_start || offset + length > outer->region_end)
		fail("DO block statement outside the DO statement", offset, length);
	if (outer->do_depth >= 2)
		return;
	struct seen inner = { outer->text, outer->len, offset, offset + length, 0, 0,
			      outer->do_depth + 1 };
	struct sql_callbacks cb = { &inner, on_comment, on_statement };
	sql_parse_region(outer->text, outer->len, offset, length, &cb);
}

static int on_statement(void *ud, const struct sql_stmt *st)
{
	struct seen *s = ud;
	if (st->index != s->next_index)
		fail("statement index out of sequence", st->index, s->next_index);
	s->next_index++;
	if (st->span_start < s->region_start || st->span_start > st->start || st->start > st->end ||
	    st->end > s->region_end)
		fail("statement span outside the text", st->start, st->end);
	for (size_t i = 0; i < st->ntokens; i++) {
		const struct sql_token *t = &st->tokens[i];
		if (t->start > t->end || t->start < st->start || t->end > st->end)
			fail("token outside its statement", t->start, t->end);
		if (i > 0 && t->start < st->tokens[i - 1].end)
			fail("tokens overlap", t->start, st->tokens[i - 1].end);
	}
	if (!st->node) {
		if (!st->error_message)
			fail("statement without a tree or an error", st->start, st->end);
		if (st->error_offset > s->len)
			fail("error offset outside the text", st->error_offset, (uint32_t)s->len);
		if (sql_stmt_token_end(st, st->error_offset) > s->len)
			fail("error end outside the text", st->error_offset, (uint32_t)s->len);
		return 0;
	}
	if (sql_stmt_token_end(st, st->start) > st->end && st->ntokens)
		fail("first token ends after the statement", st->start, st->end);
	if (st->node->node_case == PG_QUERY__NODE__NODE_DO_STMT) {
		struct seen region = *s;
		region.region_start = st->start;
		region.region_end = st->end;
		sql_do_block_statements(s->text, st, on_do_block_statement, &region);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The engine hands the front end NUL-free UTF-8 only (it reports anything else as
	 * invalid-input first): cut at a NUL, skip what is not UTF-8. */
	const uint8_t *nul = memchr(data, 0, size);
	if (nul)
		size = (size_t)(nul - data);
	size_t bad;
	if (!utf8_valid((const char *)data, size, &bad))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct seen s = { text, size, 0, (uint32_t)size, 0, 0, 0 };
	struct sql_callbacks cb = { &s, on_comment, on_statement };
	sql_parse(text, size, &cb);
	free(text);
	return 0;
}
