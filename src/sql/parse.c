/* Parsing a file into statements with libpg_query; see sql.h for the shape of it. */
#include "sql/sql.h"

#include <stdlib.h>
#include <string.h>

#include <pg_query.h>
#include <protobuf-c/protobuf-c.h>

#include "util/arena.h"
#include "util/error.h"
#include "util/srcmap.h"
#include "util/xalloc.h"

struct parser {
	const char *text; /* the whole file */
	size_t len;
	const struct sql_callbacks *cb;
	uint32_t next_index;
	int stopped;
	struct arena arena; /* the current chunk's tree, tokens and messages */
};

const char *sql_grammar_version(void)
{
	return PG_VERSION;
}

/* pg_query_exit() crashes when libpg_query never allocated its memory context, so it is
 * called only after something was parsed. */
static int parser_used;

void sql_shutdown(void)
{
	if (parser_used)
		pg_query_exit();
	parser_used = 0;
}

/* protobuf-c unpacks into the chunk's arena: one bulk free instead of thousands of frees. */
static void *arena_pb_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void arena_pb_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
}

/* A NUL-terminated view of text[base..base+n): the file itself when the piece runs to its end
 * (the file buffer carries a NUL after its last byte), a copy otherwise. */
static char *piece_text(struct parser *p, uint32_t base, size_t n, int *copied)
{
	if (base + n == p->len) {
		*copied = 0;
		return (char *)p->text + base;
	}
	*copied = 1;
	return xstrndup(p->text + base, n);
}

struct chunk_tokens {
	struct sql_token *code; /* absolute offsets, comments excluded */
	size_t ncode;
	struct sql_comment *comments;
	size_t ncomments;
	size_t next_comment; /* comments delivered so far */
};

/* Scans the piece; returns -1 when the scanner rejects it (an unterminated comment, string or
 * dollar quote), in which case the parser will report the same error with its position. */
static int scan_piece(struct parser *p, const char *buf, uint32_t base, struct chunk_tokens *out,
		      int *error_pos)
{
	memset(out, 0, sizeof(*out));
	PgQueryScanResult sr = pg_query_scan(buf);
	if (sr.error) {
		*error_pos = sr.error->cursorpos;
		pg_query_free_scan_result(sr);
		return -1;
	}
	ProtobufCAllocator alloc = { arena_pb_alloc, arena_pb_free, &p->arena };
	PgQuery__ScanResult *scan =
		pg_query__scan_result__unpack(&alloc, sr.pbuf.len, (const uint8_t *)sr.pbuf.data);
	pg_query_free_scan_result(sr);
	if (!scan)
		return -1;
	out->code = arena_alloc(&p->arena, (scan->n_tokens + 1) * sizeof(*out->code));
	out->comments = arena_alloc(&p->arena, (scan->n_tokens + 1) * sizeof(*out->comments));
	for (size_t i = 0; i < scan->n_tokens; i++) {
		const PgQuery__ScanToken *t = scan->tokens[i];
		uint32_t s = base + (uint32_t)t->start, e = base + (uint32_t)t->end;
		if (t->token == PG_QUERY__TOKEN__SQL_COMMENT || t->token == PG_QUERY__TOKEN__C_COMMENT) {
			out->comments[out->ncomments++] = (struct sql_comment){
				s, e, t->token == PG_QUERY__TOKEN__C_COMMENT
			};
		} else {
			out->code[out->ncode++] = (struct sql_token){ s, e, (int)t->token };
		}
	}
	return 0;
}

static void deliver_comments_before(struct parser *p, struct chunk_tokens *tk, uint32_t limit)
{
	while (tk->next_comment < tk->ncomments && tk->comments[tk->next_comment].start < limit) {
		if (p->cb->comment)
			p->cb->comment(p->cb->ud, &tk->comments[tk->next_comment]);
		tk->next_comment++;
	}
}

/* First code token at or after `from`. */
static size_t token_at_or_after(const struct chunk_tokens *tk, uint32_t from)
{
	size_t lo = 0, hi = tk->ncode;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tk->code[mid].start < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int deliver(struct parser *p, struct chunk_tokens *tk, struct sql_stmt *st)
{
	deliver_comments_before(p, tk, st->end);
	st->index = p->next_index++;
	if (p->cb->statement(p->cb->ud, st)) {
		p->stopped = 1;
		return -1;
	}
	return 0;
}

/* Fills the token range and first/last token of a statement spanning [from, to). */
static void locate(struct sql_stmt *st, const struct chunk_tokens *tk, uint32_t from, uint32_t to)
{
	size_t first = token_at_or_after(tk, from);
	size_t last = token_at_or_after(tk, to); /* one past */
	st->span_start = from;
	if (first < last) {
		st->start = tk->code[first].start;
		st->end = tk->code[last - 1].end;
		st->tokens = &tk->code[first];
		st->ntokens = last - first;
	} else {
		st->start = st->end = to;
		st->tokens = NULL;
		st->ntokens = 0;
	}
}

static int parse_piece(struct parser *p, uint32_t base, size_t n, int may_split);

/* Where statements end: after each ';' token at the top level, that is outside parentheses
 * and outside a BEGIN ATOMIC ... END function body (whose statements end in ';' too). Returns
 * the number of cut offsets written to *cuts (malloc'd), each the end of a statement. */
static size_t statement_cuts(const struct chunk_tokens *tk, uint32_t **cuts)
{
	size_t n = 0, cap = 0;
	int parens = 0, atomic = 0;
	*cuts = NULL;
	for (size_t i = 0; i < tk->ncode; i++) {
		int kind = tk->code[i].kind;
		if (kind == PG_QUERY__TOKEN__ASCII_40) {
			parens++;
		} else if (kind == PG_QUERY__TOKEN__ASCII_41) {
			if (parens > 0)
				parens--;
		} else if (kind == PG_QUERY__TOKEN__BEGIN_P && i + 1 < tk->ncode &&
			   tk->code[i + 1].kind == PG_QUERY__TOKEN__ATOMIC) {
			atomic++;
		} else if (kind == PG_QUERY__TOKEN__CASE && atomic > 0) {
			atomic++; /* CASE ... END inside the body closes with END as well */
		} else if (kind == PG_QUERY__TOKEN__END_P && atomic > 0) {
			atomic--;
		} else if (kind == PG_QUERY__TOKEN__ASCII_59 && parens == 0 && atomic == 0) {
			XGROW(*cuts, n + 1, cap);
			(*cuts)[n++] = tk->code[i].end;
		}
	}
	return n;
}

/* Re-parses text[base..base+n), which holds a syntax error, one statement at a time. When the
 * scanner itself failed (an unterminated quote or comment at scan_error, a 1-based character
 * position), statements are cut from the text before that point and the rest of the piece
 * becomes one statement, which carries the error. */
static int parse_statements(struct parser *p, uint32_t base, size_t n, const char *buf,
			    struct chunk_tokens *tk, int scanned, int scan_error)
{
	uint32_t *cuts = NULL;
	size_t ncuts = 0;
	if (scanned) {
		ncuts = statement_cuts(tk, &cuts);
	} else if (scan_error > 0) {
		size_t bad = srcmap_advance_chars(buf, n, 0, (size_t)scan_error - 1);
		char *prefix = xstrndup(buf, bad);
		struct chunk_tokens ptk;
		int ignored;
		if (scan_piece(p, prefix, base, &ptk, &ignored) == 0)
			ncuts = statement_cuts(&ptk, &cuts);
		free(prefix);
	}
	arena_release(&p->arena);
	int rc = 0;
	uint32_t from = base;
	for (size_t i = 0; i <= ncuts && rc == 0 && !p->stopped; i++) {
		uint32_t to = i < ncuts ? cuts[i] : base + (uint32_t)n;
		if (to > from)
			rc = parse_piece(p, from, to - from, 0);
		from = to;
	}
	free(cuts);
	return rc;
}

/* The character position libpg_query reports (1-based, 0 for none) as a byte offset. */
static uint32_t error_offset(const char *buf, size_t n, uint32_t base, int cursorpos,
			     uint32_t fallback)
{
	if (cursorpos <= 0)
		return fallback;
	return base + (uint32_t)srcmap_advance_chars(buf, n, 0, (size_t)cursorpos - 1);
}

/* Parses one piece. With `may_split`, a piece with a syntax error is split into statements
 * that are parsed one at a time; without, the piece is one statement and becomes an error
 * statement. */
static int parse_piece(struct parser *p, uint32_t base, size_t n, int may_split)
{
	int copied;
	char *buf = piece_text(p, base, n, &copied);
	struct chunk_tokens tk;
	int scan_error = 0;
	int scanned = scan_piece(p, buf, base, &tk, &scan_error) == 0;
	PgQueryProtobufParseResult pr = pg_query_parse_protobuf(buf);
	int rc = 0;

	if (pr.error && may_split) {
		pg_query_free_protobuf_parse_result(pr);
		rc = parse_statements(p, base, n, buf, &tk, scanned, scan_error);
		if (copied)
			free(buf);
		return rc;
	}
	if (pr.error) {
		struct sql_stmt st = { 0 };
		if (scanned) {
			locate(&st, &tk, base, base + (uint32_t)n);
		} else {
			uint32_t s = base;
			while (s < base + n && strchr(" \t\r\n\f\v", p->text[s]))
				s++;
			st.span_start = base;
			st.start = s;
			st.end = base + (uint32_t)n;
		}
		st.base = base;
		st.error_offset = error_offset(buf, n, base, pr.error->cursorpos, st.start);
		st.error_message = arena_strdup(&p->arena, pr.error->message);
		pg_query_free_protobuf_parse_result(pr);
		rc = deliver(p, &tk, &st);
		if (rc == 0)
			deliver_comments_before(p, &tk, UINT32_MAX);
		goto out;
	}

	ProtobufCAllocator alloc = { arena_pb_alloc, arena_pb_free, &p->arena };
	PgQuery__ParseResult *tree = pg_query__parse_result__unpack(
		&alloc, pr.parse_tree.len, (const uint8_t *)pr.parse_tree.data);
	pg_query_free_protobuf_parse_result(pr);
	if (!tree) {
		rc = error("cannot decode the parse tree of libpg_query");
		goto out;
	}
	if (!scanned) /* the scanner and the parser agree on what is SQL; cannot happen */
		memset(&tk, 0, sizeof(tk));
	for (size_t i = 0; i < tree->n_stmts && rc == 0; i++) {
		const PgQuery__RawStmt *raw = tree->stmts[i];
		uint32_t from = base + (uint32_t)raw->stmt_location;
		uint32_t to = raw->stmt_len ? from + (uint32_t)raw->stmt_len : base + (uint32_t)n;
		struct sql_stmt st = { 0 };
		locate(&st, &tk, from, to);
		st.node = raw->stmt;
		st.base = base;
		rc = deliver(p, &tk, &st);
	}
	if (rc == 0)
		deliver_comments_before(p, &tk, UINT32_MAX);
out:
	if (copied)
		free(buf);
	arena_release(&p->arena);
	return rc;
}

/* A large file is cut into chunks of about `chunk_bytes` at statement ends found by
 * libpg_query's scanner-based splitter. Chunks are contiguous ranges of the text, so nothing
 * between the statements it recognises is lost; a chunk with an error is handled by
 * parse_piece like any other. Where the splitter fails, the rest of the file is one chunk. */
static int parse_large(struct parser *p, size_t chunk_bytes)
{
	PgQuerySplitResult split = pg_query_split_with_scanner(p->text);
	int rc = 0;
	size_t from = 0;
	if (!split.error) {
		for (int i = 0; i < split.n_stmts && rc == 0 && !p->stopped; i++) {
			size_t end = (size_t)split.stmts[i]->stmt_location + (size_t)split.stmts[i]->stmt_len;
			if (end > p->len)
				end = p->len;
			if (end - from >= chunk_bytes) {
				rc = parse_piece(p, (uint32_t)from, end - from, 1);
				from = end;
			}
		}
	}
	pg_query_free_split_result(split);
	if (rc == 0 && !p->stopped && from < p->len)
		rc = parse_piece(p, (uint32_t)from, p->len - from, 1);
	return rc;
}

int sql_parse(const char *text, size_t len, const struct sql_callbacks *cb)
{
	struct parser p = { .text = text, .len = len, .cb = cb };
	parser_used = 1;
	arena_init(&p.arena);
	int rc;
	if (len > SQL_CHUNK_BYTES)
		rc = parse_large(&p, SQL_CHUNK_BYTES / 2);
	else
		rc = parse_piece(&p, 0, len, 1);
	arena_release(&p.arena);
	if (p.stopped)
		return error("stopped");
	return rc;
}

int sql_parse_region(const char *text, size_t len, uint32_t offset, size_t n,
		     const struct sql_callbacks *cb)
{
	struct parser p = { .text = text, .len = len, .cb = cb };
	parser_used = 1;
	arena_init(&p.arena);
	int rc = parse_piece(&p, offset, n, 1);
	arena_release(&p.arena);
	if (p.stopped)
		return error("stopped");
	return rc;
}

size_t sql_count_statements(const char *text, size_t len, uint32_t offset, size_t n)
{
	char *copy = offset + n == len ? NULL : xstrndup(text + offset, n);
	PgQuerySplitResult split = pg_query_split_with_parser(copy ? copy : text + offset);
	parser_used = 1;
	size_t count = split.error ? 1 : (size_t)split.n_stmts;
	pg_query_free_split_result(split);
	free(copy);
	return count;
}

uint32_t sql_stmt_token_end(const struct sql_stmt *stmt, uint32_t offset)
{
	size_t lo = 0, hi = stmt->ntokens;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (stmt->tokens[mid].start < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < stmt->ntokens && stmt->tokens[lo].start == offset)
		return stmt->tokens[lo].end;
	return stmt->end > offset ? stmt->end : offset;
}
