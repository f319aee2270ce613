/* Parsing a file into statements with libpg_query; see sql.h for the shape of it. */
#include "sql/sql.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pg_query.h>

/* The tree's fields and the rules' syntax table follow the PostgreSQL 17 grammar: an older
 * libpg_query would compile against the wrong pg_query.pb-c.h or fail later in a confusing way. */
#if !defined(PG_VERSION_NUM) || PG_VERSION_NUM < 170000
#error "pgsieve needs libpg_query 17 or newer (the PostgreSQL 17 grammar); see README.md, Building"
#endif
#include <protobuf-c/protobuf-c.h>

#include "sql/capture.h"
#include "sql/tree.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/srcmap.h"
#include "util/xalloc.h"

/* The most text one libpg_query parse takes when a piece can be cut (see parse_groups). */
enum { SQL_PARSE_BYTES = 64 * 1024 };

struct pipe;

struct parser {
	const char *text; /* the whole file */
	size_t len;
	const struct sql_callbacks *cb;
	uint32_t next_index;
	int stopped;
	struct arena arena; /* the current chunk's tree, tokens and messages */
	struct pipe *pipe;  /* parsing on a thread of its own (see "parsing ahead") */
};

static void record_comment(struct parser *p, const struct sql_comment *c);
static int record_statement(struct parser *p, const struct sql_stmt *st);
static void retire(struct parser *p, struct arena *a);
static int decode_failed(struct parser *p);

const char *sql_grammar_version(void)
{
	return PG_VERSION;
}

/* pg_query_exit() crashes when libpg_query never allocated its memory context, so it is
 * called only after something was parsed. */
static int parser_used;

void sql_shutdown(void)
{
	sql_deparse_cache_release();
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

static int read_varint(const uint8_t **pos, const uint8_t *end, uint64_t *out);

/* Skips the value of a field of wire type `wt`; -1 when the data is malformed. */
static int skip_field(const uint8_t **pos, const uint8_t *end, unsigned wt)
{
	uint64_t n;
	switch (wt) {
	case 0: /* varint */
		return read_varint(pos, end, &n);
	case 1: /* 64-bit */
		n = 8;
		break;
	case 2: /* length-delimited */
		if (read_varint(pos, end, &n) != 0)
			return -1;
		break;
	case 5: /* 32-bit */
		n = 4;
		break;
	default:
		return -1;
	}
	if (n > (uint64_t)(end - *pos))
		return -1;
	*pos += n;
	return 0;
}

/* The field number of a field of a message type of pg_query.proto, from its descriptor. */
static uint64_t field_id(const ProtobufCMessageDescriptor *d, const char *name)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
	return f ? f->id : 0;
}

/* The scanner's output is a flat list of tokens of three small integers each, read here
 * straight from the wire format: protobuf-c's generic unpacking allocates a message per token
 * and took a third as long as the scan itself. Returns -1 on malformed data. */
static int decode_scan(const uint8_t *data, size_t len, uint32_t base, struct chunk_tokens *out,
		       struct arena *a)
{
	const uint8_t *pos = data, *end = data + len;
	uint64_t tag, n, v;
	size_t count = 0;
	const uint64_t tokens_id = field_id(&pg_query__scan_result__descriptor, "tokens"),
		       start_id = field_id(&pg_query__scan_token__descriptor, "start"),
		       end_id = field_id(&pg_query__scan_token__descriptor, "end"),
		       kind_id = field_id(&pg_query__scan_token__descriptor, "token");
	while (pos < end) {
		if (read_varint(&pos, end, &tag) != 0 || skip_field(&pos, end, (unsigned)(tag & 7)) != 0)
			return -1;
		count += (tag >> 3) == tokens_id && (tag & 7) == 2;
	}
	out->code = arena_alloc(a, (count + 1) * sizeof(*out->code));
	out->comments = arena_alloc(a, (count + 1) * sizeof(*out->comments));
	for (pos = data; pos < end;) {
		if (read_varint(&pos, end, &tag) != 0)
			return -1;
		if ((tag >> 3) != tokens_id || (tag & 7) != 2) {
			if (skip_field(&pos, end, (unsigned)(tag & 7)) != 0)
				return -1;
			continue;
		}
		if (read_varint(&pos, end, &n) != 0 || n > (uint64_t)(end - pos))
			return -1;
		const uint8_t *token_end = pos + n;
		uint64_t start = 0, stop = 0, kind = 0; /* proto3 leaves out zero values */
		while (pos < token_end) {
			if (read_varint(&pos, token_end, &tag) != 0)
				return -1;
			if ((tag & 7) != 0) {
				if (skip_field(&pos, token_end, (unsigned)(tag & 7)) != 0)
					return -1;
				continue;
			}
			if (read_varint(&pos, token_end, &v) != 0)
				return -1;
			if ((tag >> 3) == start_id)
				start = v;
			else if ((tag >> 3) == end_id)
				stop = v;
			else if ((tag >> 3) == kind_id)
				kind = v;
		}
		uint32_t s = base + (uint32_t)start, e = base + (uint32_t)stop;
		if (kind == PG_QUERY__TOKEN__SQL_COMMENT || kind == PG_QUERY__TOKEN__C_COMMENT)
			out->comments[out->ncomments++] = (struct sql_comment){
				s, e, kind == PG_QUERY__TOKEN__C_COMMENT
			};
		else
			out->code[out->ncode++] = (struct sql_token){ s, e, (int)kind };
	}
	return 0;
}

/* The scanner's tokens as libpg_query built them (see capture.h): split like decode_scan's. */
struct taken_tokens {
	uint32_t base;
	struct chunk_tokens *out;
	struct arena *a;
};

static void take_tokens(void *ud, PgQuery__ScanToken *const *tokens, size_t n)
{
	struct taken_tokens *tt = ud;
	struct chunk_tokens *out = tt->out;
	/* counted first: the arrays live as long as the piece, and comments are few */
	size_t ncomments = 0;
	for (size_t i = 0; i < n; i++)
		ncomments += tokens[i]->token == PG_QUERY__TOKEN__SQL_COMMENT ||
			     tokens[i]->token == PG_QUERY__TOKEN__C_COMMENT;
	out->code = arena_alloc(tt->a, (n - ncomments + 1) * sizeof(*out->code));
	out->comments = arena_alloc(tt->a, (ncomments + 1) * sizeof(*out->comments));
	for (size_t i = 0; i < n; i++) {
		const PgQuery__ScanToken *t = tokens[i];
		uint32_t s = tt->base + (uint32_t)t->start, e = tt->base + (uint32_t)t->end;
		if (t->token == PG_QUERY__TOKEN__SQL_COMMENT || t->token == PG_QUERY__TOKEN__C_COMMENT)
			out->comments[out->ncomments++] = (struct sql_comment){
				s, e, t->token == PG_QUERY__TOKEN__C_COMMENT
			};
		else
			out->code[out->ncode++] = (struct sql_token){ s, e, (int)t->token };
	}
}

/* Scans the piece into memory from `a`; returns -1 when the scanner rejects it (an
 * unterminated comment, string or dollar quote), in which case the parser will report the
 * same error with its position. */
static int scan_piece(const char *buf, uint32_t base, struct chunk_tokens *out, int *error_pos,
		      struct arena *a)
{
	memset(out, 0, sizeof(*out));
	struct taken_tokens tt = { base, out, a };
	int taken;
	PgQueryScanResult sr = sql_capture_scan(buf, take_tokens, &tt, &taken);
	if (sr.error) {
		*error_pos = sr.error->cursorpos;
		pg_query_free_scan_result(sr);
		return -1;
	}
	int rc = taken ? 0 : decode_scan((const uint8_t *)sr.pbuf.data, sr.pbuf.len, base, out, a);
	pg_query_free_scan_result(sr);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

static void deliver_comments_before(struct parser *p, struct chunk_tokens *tk, uint32_t limit)
{
	while (tk->next_comment < tk->ncomments && tk->comments[tk->next_comment].start < limit) {
		if (p->pipe)
			record_comment(p, &tk->comments[tk->next_comment]);
		else if (p->cb->comment)
			p->cb->comment(p->cb->ud, &tk->comments[tk->next_comment]);
		tk->next_comment++;
	}
}

/* The first of n tokens (in order) that starts at or after `from`; n when none does. */
static size_t first_token_from(const struct sql_token *t, size_t n, uint32_t from)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].start < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First code token at or after `from`. */
static size_t token_at_or_after(const struct chunk_tokens *tk, uint32_t from)
{
	return first_token_from(tk->code, tk->ncode, from);
}

static int deliver(struct parser *p, struct chunk_tokens *tk, struct sql_stmt *st)
{
	deliver_comments_before(p, tk, st->end);
	st->index = p->next_index++;
	if (p->pipe ? record_statement(p, st) : p->cb->statement(p->cb->ud, st)) {
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
		struct arena mem;
		int ignored;
		arena_init(&mem);
		if (scan_piece(prefix, base, &ptk, &ignored, &mem) == 0)
			ncuts = statement_cuts(&ptk, &cuts);
		arena_release(&mem);
		free(prefix);
	}
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

/* Deep trees are refused before they can exhaust the stack: libpg_query's tree output and
 * protobuf-c's packing and unpacking recurse once per level of the tree (and packing takes time
 * quadratic in the depth), so a statement such as `SELECT a+a+...+a` with 100,000 terms would
 * crash or hang the process. Two guards, both iterative: a bound from the tokens before
 * libpg_query builds its output, and the exact depth of that output before it is unpacked.
 * PostgreSQL has the same kind of limit, reported as "stack depth limit exceeded". */
enum {
	MAX_CHAINED_OPERATORS = 10000, /* token bound: a few MB of libpg_query's stack at most */
	MAX_TREE_DEPTH = 3000,	       /* protobuf messages: about 2.5 MB of unpacking stack */
	MAX_STATEMENT_BYTES = 4 << 20, /* see deliver_oversized */
};

/* An upper bound on the nesting of the tree for these tokens, without building it. Each open
 * parenthesis or bracket adds a level; within one list element (between commas) each operator
 * or keyword can add a level, as the grammar nests chains such as a + b + c, x::t::t, a JOIN
 * b JOIN c and q UNION q UNION q one level per link. Names, constants and dots add none; AND
 * and OR separate list elements like commas, as the grammar gathers their operands into one
 * flat list. Right-recursive nesting the bound misses (x BETWEEN y AND z BETWEEN ...) is
 * limited by the grammar's own stack of 10,000 states. Returns the start of the token at which
 * the bound passes `limit`, or UINT32_MAX when it never does. */
static uint32_t chain_limit_exceeded(const struct chunk_tokens *tk, size_t limit)
{
	size_t *element = NULL; /* the current list element's count, per open parenthesis */
	size_t depth = 0, cap = 0, total = 0;
	uint32_t at = UINT32_MAX;
	XGROW(element, 1, cap);
	element[0] = 0;
	for (size_t i = 0; i < tk->ncode && at == UINT32_MAX; i++) {
		switch (tk->code[i].kind) {
		case PG_QUERY__TOKEN__ASCII_40:
		case PG_QUERY__TOKEN__ASCII_91:
			XGROW(element, depth + 2, cap);
			element[++depth] = 0;
			total++;
			break;
		case PG_QUERY__TOKEN__ASCII_41:
		case PG_QUERY__TOKEN__ASCII_93:
			if (depth > 0) {
				total -= element[depth] + 1;
				depth--;
			}
			break;
		case PG_QUERY__TOKEN__ASCII_44:
		case PG_QUERY__TOKEN__ASCII_59:
		case PG_QUERY__TOKEN__AND:
		case PG_QUERY__TOKEN__OR:
			total -= element[depth];
			element[depth] = 0;
			break;
		case PG_QUERY__TOKEN__IDENT:
		case PG_QUERY__TOKEN__UIDENT:
		case PG_QUERY__TOKEN__ICONST:
		case PG_QUERY__TOKEN__FCONST:
		case PG_QUERY__TOKEN__SCONST:
		case PG_QUERY__TOKEN__USCONST:
		case PG_QUERY__TOKEN__BCONST:
		case PG_QUERY__TOKEN__XCONST:
		case PG_QUERY__TOKEN__PARAM:
		case PG_QUERY__TOKEN__ASCII_46:
			break;
		default:
			element[depth]++;
			total++;
			break;
		}
		if (total > limit)
			at = tk->code[i].start;
	}
	free(element);
	return at;
}

struct pb_frame {
	const uint8_t *end;
	const ProtobufCMessageDescriptor *desc;
};

static int read_varint(const uint8_t **pos, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; *pos < end && shift < 64; shift += 7) {
		uint8_t b = *(*pos)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Whether the serialized message data[0..len) of type `desc` nests more than `limit` messages
 * deep, found by walking the wire format with an explicit stack (protobuf-c's unpacking
 * recurses). Malformed data counts as not too deep: the unpacking then reports it. */
static int tree_too_deep(const uint8_t *data, size_t len, const ProtobufCMessageDescriptor *desc,
			 size_t limit)
{
	struct pb_frame *stack = xmalloc((limit + 2) * sizeof(*stack));
	size_t depth = 0;
	const uint8_t *pos = data;
	int deep = 0;
	stack[0] = (struct pb_frame){ data + len, desc };
	for (;;) {
		if (pos == stack[depth].end) {
			if (depth == 0)
				break;
			depth--;
			continue;
		}
		uint64_t tag, n;
		if (read_varint(&pos, stack[depth].end, &tag) != 0)
			break;
		switch (tag & 7) {
		case 0: /* varint */
			if (read_varint(&pos, stack[depth].end, &n) != 0)
				goto out;
			continue;
		case 1: /* 64-bit */
			n = 8;
			break;
		case 5: /* 32-bit */
			n = 4;
			break;
		case 2: { /* length-delimited: a string, bytes, packed numbers or a message */
			if (read_varint(&pos, stack[depth].end, &n) != 0 ||
			    n > (uint64_t)(stack[depth].end - pos))
				goto out;
			const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(
				stack[depth].desc, (unsigned)(tag >> 3));
			if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				if (++depth > limit) {
					deep = 1;
					goto out;
				}
				stack[depth] = (struct pb_frame){ pos + n, f->descriptor };
				continue;
			}
			break;
		}
		default:
			goto out;
		}
		if (n > (uint64_t)(stack[depth].end - pos))
			break;
		pos += n;
	}
out:
	free(stack);
	return deep;
}

/* The character position libpg_query reports (1-based, 0 for none) as a byte offset. */
static uint32_t error_offset(const char *buf, size_t n, uint32_t base, int cursorpos,
			     uint32_t fallback)
{
	if (cursorpos <= 0)
		return fallback;
	return base + (uint32_t)srcmap_advance_chars(buf, n, 0, (size_t)cursorpos - 1);
}

enum piece_mode {
	PIECE_SINGLE, /* one statement: an error makes it a statement that does not parse */
	PIECE_SPLIT,  /* an error makes the piece be parsed again one statement at a time */
	PIECE_TRY,    /* an error delivers nothing and returns PIECE_FAILED */
};
enum { PIECE_FAILED = 1 };

/* Parses the piece text[base..base+n), whose NUL-terminated text is buf and whose tokens are
 * tk, and delivers its statements. */
static int parse_scanned(struct parser *p, uint32_t base, size_t n, const char *buf,
			 struct chunk_tokens *tk, int scanned, int scan_error, enum piece_mode mode)
{
	struct sql_capture cap = { 0 };
	struct arena mem; /* the tree and the messages, until the statements are delivered */
	int rc = 0;
	arena_init(&mem);
	/* why the piece's tree is not used though it may parse, and where, UINT32_MAX for the
	 * start of the statement */
	const char *refused = NULL;
	uint32_t refused_at = UINT32_MAX;

	if (scanned && (refused_at = chain_limit_exceeded(tk, MAX_CHAINED_OPERATORS)) != UINT32_MAX)
		refused = arena_printf(&mem, "more than %d operators chained or nested in one expression",
				       MAX_CHAINED_OPERATORS);
	else
		sql_capture_parse(buf, &mem, MAX_TREE_DEPTH, &cap);
	PgQueryProtobufParseResult pr = cap.result;
	if (!refused && !pr.error &&
	    (cap.too_deep ||
	     (!cap.tree && tree_too_deep((const uint8_t *)pr.parse_tree.data, pr.parse_tree.len,
					 &pg_query__parse_result__descriptor, MAX_TREE_DEPTH))))
		refused = arena_printf(&mem, "its tree nests more than %d levels deep", MAX_TREE_DEPTH);

	if ((pr.error || refused) && mode == PIECE_TRY) {
		pg_query_free_protobuf_parse_result(pr);
		arena_release(&mem);
		return PIECE_FAILED;
	}
	if ((pr.error || refused) && mode == PIECE_SPLIT) {
		pg_query_free_protobuf_parse_result(pr);
		arena_release(&mem);
		return parse_statements(p, base, n, buf, tk, scanned, scan_error);
	}
	if (pr.error || refused) {
		struct sql_stmt st = { 0 };
		if (scanned) {
			locate(&st, tk, base, base + (uint32_t)n);
		} else {
			uint32_t s = base;
			while (s < base + n && strchr(" \t\r\n\f\v", p->text[s]))
				s++;
			st.span_start = base;
			st.start = s;
			st.end = base + (uint32_t)n;
		}
		st.base = base;
		if (refused) {
			st.error_offset = refused_at != UINT32_MAX ? refused_at : st.start;
			st.error_message = refused;
			st.beyond_limits = 1;
		} else {
			st.error_offset = error_offset(buf, n, base, pr.error->cursorpos, st.start);
			st.error_message = arena_strdup(&mem, pr.error->message);
		}
		pg_query_free_protobuf_parse_result(pr);
		rc = deliver(p, tk, &st);
		if (rc == 0)
			deliver_comments_before(p, tk, UINT32_MAX);
		goto out;
	}

	PgQuery__ParseResult *tree = cap.tree;
	if (!tree) {
		ProtobufCAllocator alloc = { arena_pb_alloc, arena_pb_free, &mem };
		tree = pg_query__parse_result__unpack(&alloc, pr.parse_tree.len,
						      (const uint8_t *)pr.parse_tree.data);
	}
	pg_query_free_protobuf_parse_result(pr);
	if (!tree) {
		rc = decode_failed(p);
		goto out;
	}
	if (!scanned) /* the scanner and the parser agree on what is SQL; cannot happen */
		memset(tk, 0, sizeof(*tk));
	for (size_t i = 0; i < tree->n_stmts && rc == 0; i++) {
		const PgQuery__RawStmt *raw = tree->stmts[i];
		uint32_t from = base + (uint32_t)raw->stmt_location;
		uint32_t to = raw->stmt_len ? from + (uint32_t)raw->stmt_len : base + (uint32_t)n;
		struct sql_stmt st = { 0 };
		locate(&st, tk, from, to);
		st.node = raw->stmt;
		st.base = base;
		rc = deliver(p, tk, &st);
	}
	if (rc == 0)
		deliver_comments_before(p, tk, UINT32_MAX);
out:
	retire(p, &mem);
	return rc;
}


/* The tokens and comments of tk in [from, to), which must not cut a token. */
static struct chunk_tokens token_view(const struct chunk_tokens *tk, uint32_t from, uint32_t to)
{
	struct chunk_tokens v = { 0 };
	size_t first = token_at_or_after(tk, from), last = token_at_or_after(tk, to);
	v.code = tk->code + first;
	v.ncode = last - first;
	size_t lo = 0, hi = tk->ncomments;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tk->comments[mid].start < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	v.comments = tk->comments + lo;
	while (v.ncomments < tk->ncomments - lo && v.comments[v.ncomments].start < to)
		v.ncomments++;
	return v;
}

/* A piece above SQL_PARSE_BYTES is parsed in groups of whole statements of about that size,
 * cut at the statement ends its tokens show. libpg_query needs some 40 bytes of memory per byte
 * it parses at once; parsing 64 kB at a time keeps that memory small and reused, where a
 * whole 2 MB file costs 120 MB of fresh pages and takes longer. The trees of the groups parsed
 * ahead wait for the rules too (PIPE_BATCHES): with groups of 256 kB they were a third of the
 * peak memory of a 1.7 MB migration with every rule on (101 MiB; 74 with 64 kB, no slower). A group that does not parse
 * (a syntax error, or a cut in the middle of a statement the cutting did not foresee) ends the
 * grouping: the rest of the piece is parsed as it would have been without groups. */
static int parse_groups(struct parser *p, uint32_t base, size_t n, const char *buf,
			struct chunk_tokens *tk)
{
	uint32_t *cuts;
	size_t ncuts = statement_cuts(tk, &cuts), next = 0;
	uint32_t from = base, end = base + (uint32_t)n;
	int rc = 0;
	while (rc == 0 && !p->stopped && from < end) {
		while (next < ncuts && cuts[next] < from + SQL_PARSE_BYTES)
			next++;
		uint32_t to = next < ncuts ? cuts[next] : end;
		struct chunk_tokens view = token_view(tk, from, to);
		if (to < end) {
			char *group = xstrndup(p->text + from, to - from);
			rc = parse_scanned(p, from, to - from, group, &view, 1, 0, PIECE_TRY);
			free(group);
			if (rc != PIECE_FAILED) {
				from = to;
				continue;
			}
			view = token_view(tk, from, end);
		}
		rc = parse_scanned(p, from, end - from, buf + (from - base), &view, 1, 0, PIECE_SPLIT);
		break;
	}
	free(cuts);
	return rc;
}

/* Parses one piece. With `may_split`, a piece with a syntax error is split into statements
 * that are parsed one at a time; without, the piece is one statement and becomes an error
 * statement. */
static int parse_piece(struct parser *p, uint32_t base, size_t n, int may_split)
{
	struct arena mem; /* the tokens */
	arena_init(&mem);
	int copied;
	char *buf = piece_text(p, base, n, &copied);
	struct chunk_tokens tk;
	int scan_error = 0;
	int scanned = scan_piece(buf, base, &tk, &scan_error, &mem) == 0;
	int rc;
	if (scanned && may_split && n > SQL_PARSE_BYTES)
		rc = parse_groups(p, base, n, buf, &tk);
	else
		rc = parse_scanned(p, base, n, buf, &tk, scanned, scan_error,
				   may_split ? PIECE_SPLIT : PIECE_SINGLE);
	if (copied)
		free(buf);
	retire(p, &mem);
	return rc;
}

/* A statement too large to parse: libpg_query needs about 75 bytes of memory for each byte
 * of a statement (its tree, the protobuf copy and ours), so one huge INSERT would take
 * gigabytes. It is handed over unparsed and unscanned, as a statement that does not parse, with
 * `message` at `error_at` when the scanner already found an error in it. */
static int deliver_oversized(struct parser *p, uint32_t start, size_t n, uint32_t error_at,
			     const char *message)
{
	struct chunk_tokens none = { 0 };
	struct sql_stmt st = { 0 };
	uint32_t s = start, end = start + (uint32_t)n;
	while (s < end && (p->text[s] == ' ' || p->text[s] == '\t' || p->text[s] == '\r' ||
			   p->text[s] == '\n' || p->text[s] == '\f' || p->text[s] == '\v'))
		s++;
	st.span_start = start;
	st.start = s;
	st.end = end;
	st.base = start;
	st.error_offset = error_at != UINT32_MAX ? error_at : s;
	st.beyond_limits = !message;
	st.error_message = message ? arena_strdup(&p->arena, message)
			: arena_printf(&p->arena, "%zu MiB, more than the %d MiB pgsieve parses in one statement",
				       n >> 20, MAX_STATEMENT_BYTES >> 20);
	int rc = deliver(p, &none, &st);
	retire(p, &p->arena);
	return rc;
}

/* The splitter reads this much text at a time: libpg_query keeps what it allocates for every
 * token until the split returns, about five times the text, so a whole 50 MB file at once
 * would take 270 MB. */
enum { SPLIT_WINDOW_BYTES = 4 * 1024 * 1024 };

/* A large region is cut into chunks of about `chunk_bytes` at statement ends found by
 * libpg_query's scanner-based splitter, run on windows of the text that start at statement
 * ends. Chunks are contiguous ranges of the text, so nothing between the statements it
 * recognises is lost; a chunk with an error is handled by parse_piece like any other. The last
 * statement of a window that stops before the end of the region may run past it, so it is left
 * for the next window; a window whose text does not scan (a quote or comment that goes on past
 * it) or holds less than one whole statement is doubled. Where the splitter fails on the last
 * window, the rest of the region is one chunk. */
static int parse_large(struct parser *p, uint32_t offset, size_t n, size_t chunk_bytes)
{
	size_t from = 0, window = SPLIT_WINDOW_BYTES;
	int rc = 0;
	while (rc == 0 && !p->stopped && from < n) {
		size_t w = n - from < window ? n - from : window;
		int at_end = from + w == n;
		size_t base = from; /* the window's start: split locations are relative to it */
		int copied;
		char *buf = piece_text(p, offset + (uint32_t)base, w, &copied);
		PgQuerySplitResult split = pg_query_split_with_scanner(buf);
		if (split.error && !at_end) {
			pg_query_free_split_result(split);
			if (copied)
				free(buf);
			window *= 2;
			continue;
		}
		/* After a scanner error (an unterminated quote or comment) the statements before it
		 * are still cut into chunks; the rest is one piece that carries the error. */
		uint32_t scan_error_at = UINT32_MAX;
		char *scan_error = NULL;
		if (split.error && split.error->cursorpos > 0) {
			size_t bad = srcmap_advance_chars(buf, w, 0, (size_t)split.error->cursorpos - 1);
			scan_error_at = offset + (uint32_t)(base + bad);
			scan_error = xstrdup(split.error->message);
			pg_query_free_split_result(split);
			char *prefix = xstrndup(buf, bad);
			split = pg_query_split_with_scanner(prefix);
			free(prefix);
		}
		if (copied)
			free(buf);
		size_t usable = split.error ? 0 : (size_t)split.n_stmts;
		if (!at_end && usable > 0)
			usable--; /* it may go on past the window */
		if (!at_end && usable == 0) {
			pg_query_free_split_result(split);
			window *= 2;
			continue;
		}
		size_t usable_end = base;
		for (size_t i = 0; i < usable && rc == 0 && !p->stopped; i++) {
			size_t start = base + (size_t)split.stmts[i]->stmt_location;
			size_t end = start + (size_t)split.stmts[i]->stmt_len;
			if (end > base + w)
				end = base + w;
			if (start < from)
				start = from;
			usable_end = end;
			if (end - start > MAX_STATEMENT_BYTES) {
				if (start > from)
					rc = parse_piece(p, offset + (uint32_t)from, start - from, 1);
				if (rc == 0 && !p->stopped)
					rc = deliver_oversized(p, offset + (uint32_t)start, end - start, UINT32_MAX,
							       NULL);
				from = end;
			} else if (end - from >= chunk_bytes) {
				rc = parse_piece(p, offset + (uint32_t)from, end - from, 1);
				from = end;
			}
		}
		pg_query_free_split_result(split);
		if (at_end) {
			if (rc == 0 && !p->stopped && from < n) {
				if (n - from > MAX_STATEMENT_BYTES)
					rc = deliver_oversized(p, offset + (uint32_t)from, n - from, scan_error_at,
							       scan_error);
				else
					rc = parse_piece(p, offset + (uint32_t)from, n - from, 1);
			}
			free(scan_error);
			break;
		}
		/* the statements left over are read again by the next window, unless nothing was cut
		 * in this one: then they are one chunk, so that every window makes progress */
		if (rc == 0 && !p->stopped && from == base && usable_end > from) {
			rc = parse_piece(p, offset + (uint32_t)from, usable_end - from, 1);
			from = usable_end;
		}
		window = SPLIT_WINDOW_BYTES;
	}
	return rc;
}

static int parse_region(struct parser *p, uint32_t offset, size_t n)
{
	if (n > SQL_CHUNK_BYTES)
		return parse_large(p, offset, n, SQL_CHUNK_BYTES / 2);
	return parse_piece(p, offset, n, 1);
}

/* ---- parsing ahead ----
 *
 * Regions are parsed on a thread of their own while the caller's thread hands what is already
 * parsed to the callbacks, so that libpg_query and the callbacks (the lint rules) run on two
 * cores at once: one large region (a region of more than two parse groups, parse_with_thread),
 * or the regions of many files queued one after another (sql_ahead_*: `pgsieve lint` queues the
 * next files while it lints one). The parsing thread takes the queued regions in order and
 * records what it would deliver into batches; memory it would free goes into the batch too, to
 * be freed by the caller's thread once everything recorded before it has been delivered. A few
 * batches at most wait, which bounds the memory. Each region ends with an event that carries
 * its result; the next region's events may follow it in the same batch. libpg_query keeps its memory per thread, so the two
 * threads share nothing in it, and frees a thread's when the thread ends. */
enum { PIPE_BYTES = 2 * SQL_PARSE_BYTES, PIPE_BATCHES = 3 };

/* A batch is handed over once it holds this much memory, or sooner when the caller's thread
 * waits for one, or when the parsing thread has nothing more to parse: many small files go
 * over in a few batches, not in two wake-ups each (19,000 context switches for 2,000 files). */
enum { BATCH_BYTES = 256 * 1024 };

enum event_kind { EVENT_STATEMENT, EVENT_COMMENT, EVENT_END };

struct event {
	enum event_kind kind;
	struct sql_comment comment;
	struct sql_stmt stmt;
	int rc, decode_failed; /* EVENT_END: the region's result */
};

struct batch {
	struct event *events;
	size_t nevents, events_cap;
	struct arena *arenas; /* to free once the events are delivered */
	size_t narenas, arenas_cap;
	size_t bytes; /* in the arenas */
	struct batch *next;
};

/* A region queued for the parsing thread. */
struct job {
	const char *text;
	size_t len;
	uint32_t offset;
	size_t n;
	int blanked; /* psql's meta-commands are blanked in text already (blank_psql) */
	struct job *next;
};

struct pipe {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct job *jobs, *last_job; /* queued, not yet taken by the parsing thread */
	struct batch *head, *tail;   /* recorded, not yet delivered */
	size_t queued;
	int closing;                 /* no more jobs; the caller delivers nothing more */
	int done;                    /* set by the parsing thread when it ends */
	atomic_uint stop;            /* the serial of a region a callback stopped */
	atomic_int hungry;           /* the caller's thread waits for a batch */
	unsigned parsing;            /* the parsing thread's region (its serial, from 1) */
	unsigned delivering;         /* the caller's */
	int decode_failed;           /* in the region being parsed */
	struct batch *cur;           /* being filled by the parsing thread */
	struct batch *reading;       /* being delivered by the caller's thread, from event reading_at */
	size_t reading_at;
	struct parser parser;        /* the parsing thread's */
	pthread_t thread;
};

static struct batch *current_batch(struct pipe *q)
{
	if (!q->cur)
		q->cur = xcalloc(1, sizeof(*q->cur));
	return q->cur;
}

static struct event *new_event(struct pipe *q, enum event_kind kind)
{
	struct batch *b = current_batch(q);
	XGROW(b->events, b->nevents + 1, b->events_cap);
	struct event *e = &b->events[b->nevents++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

static void record_comment(struct parser *p, const struct sql_comment *c)
{
	new_event(p->pipe, EVENT_COMMENT)->comment = *c;
}

static int record_statement(struct parser *p, const struct sql_stmt *st)
{
	new_event(p->pipe, EVENT_STATEMENT)->stmt = *st;
	return atomic_load(&p->pipe->stop) == p->pipe->parsing;
}

static void hand_over(struct pipe *q)
{
	struct batch *b = q->cur;
	if (!b)
		return;
	q->cur = NULL;
	pthread_mutex_lock(&q->lock);
	while (q->queued >= PIPE_BATCHES && !q->closing)
		pthread_cond_wait(&q->changed, &q->lock);
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->queued++;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

/* Frees memory whose statements have been delivered; on the parsing thread, passes it on to
 * be freed after them, with everything recorded so far. */
static void retire(struct parser *p, struct arena *a)
{
	if (!p->pipe) {
		arena_release(a);
		return;
	}
	struct batch *b = current_batch(p->pipe);
	XGROW(b->arenas, b->narenas + 1, b->arenas_cap);
	b->arenas[b->narenas++] = *a;
	b->bytes += a->used;
	arena_init(a);
	if (b->bytes >= BATCH_BYTES || atomic_load(&p->pipe->hungry))
		hand_over(p->pipe);
}

static int decode_failed(struct parser *p)
{
	if (p->pipe) {
		p->pipe->decode_failed = 1; /* error() is for the caller's thread to call */
		return -1;
	}
	return error("cannot decode the parse tree of libpg_query");
}

static char *blank_psql(const char *text, size_t len, size_t offset, size_t n);

static void *parse_ahead(void *arg)
{
	struct pipe *q = arg;
	for (;;) {
		pthread_mutex_lock(&q->lock);
		while (!q->jobs && !q->closing)
			pthread_cond_wait(&q->changed, &q->lock);
		struct job *j = q->jobs;
		if (j) {
			q->jobs = j->next;
			if (!q->jobs)
				q->last_job = NULL;
		}
		int closing = q->closing;
		pthread_mutex_unlock(&q->lock);
		if (!j || closing) { /* closing: what is queued is not delivered any more */
			free(j);
			if (!j)
				break;
			continue;
		}
		q->parsing++;
		q->decode_failed = 0;
		char *plain = j->blanked ? NULL : blank_psql(j->text, j->len, j->offset, j->n);
		q->parser = (struct parser){ .text = plain ? plain : j->text, .len = j->len, .pipe = q };
		arena_init(&q->parser.arena);
		int rc = parse_region(&q->parser, j->offset, j->n);
		free(plain); /* the events point into arenas, not into the text */
		retire(&q->parser, &q->parser.arena);
		struct event *e = new_event(q, EVENT_END);
		e->rc = rc;
		e->decode_failed = q->decode_failed;
		pthread_mutex_lock(&q->lock);
		int more = q->jobs != NULL;
		pthread_mutex_unlock(&q->lock);
		/* never kept while waiting for a job: the caller may be waiting for it */
		if (!more || q->cur->bytes >= BATCH_BYTES || atomic_load(&q->hungry))
			hand_over(q);
		free(j);
	}
	pthread_mutex_lock(&q->lock);
	q->done = 1;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void free_batch(struct batch *b)
{
	for (size_t i = 0; i < b->narenas; i++)
		arena_release(&b->arenas[i]);
	free(b->arenas);
	free(b->events);
	free(b);
}

/* The pipe and its parsing thread, or NULL when no thread could be started. */
static struct pipe *pipe_start(void)
{
	struct pipe *q = xcalloc(1, sizeof(*q));
	atomic_init(&q->stop, 0);
	atomic_init(&q->hungry, 0);
	if (pthread_mutex_init(&q->lock, NULL) != 0) {
		free(q);
		return NULL;
	}
	if (pthread_cond_init(&q->changed, NULL) != 0) {
		pthread_mutex_destroy(&q->lock);
		free(q);
		return NULL;
	}
	if (pthread_create(&q->thread, NULL, parse_ahead, q) != 0) {
		pthread_cond_destroy(&q->changed);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return NULL;
	}
	return q;
}

static void pipe_queue(struct pipe *q, const char *text, size_t len, uint32_t offset, size_t n,
		       int blanked)
{
	struct job *j = xcalloc(1, sizeof(*j));
	*j = (struct job){ .text = text, .len = len, .offset = offset, .n = n, .blanked = blanked };
	pthread_mutex_lock(&q->lock);
	if (q->last_job)
		q->last_job->next = j;
	else
		q->jobs = j;
	q->last_job = j;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

/* The next batch recorded, waiting for it; NULL when the parsing thread has ended. */
static struct batch *pipe_take(struct pipe *q)
{
	pthread_mutex_lock(&q->lock);
	while (!q->head && !q->done) {
		atomic_store(&q->hungry, 1);
		pthread_cond_wait(&q->changed, &q->lock);
	}
	atomic_store(&q->hungry, 0);
	struct batch *b = q->head;
	if (b) {
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
		q->queued--;
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return b;
}

/* Delivers the oldest queued region to cb (NULL: drops it); returns what sql_parse_region
 * returns for it. A batch may hold the end of one region and the start of the next: it is
 * freed once every event of it has been delivered. */
static int pipe_deliver(struct pipe *q, const struct sql_callbacks *cb)
{
	unsigned serial = ++q->delivering;
	int stopped = 0, ended = 0, rc = -1, failed = 0;
	while (!ended) {
		if (!q->reading) {
			q->reading = pipe_take(q);
			q->reading_at = 0;
			if (!q->reading)
				break; /* cannot happen: every region queued ends with EVENT_END */
		}
		struct batch *b = q->reading;
		while (!ended && q->reading_at < b->nevents) {
			struct event *e = &b->events[q->reading_at++];
			if (e->kind == EVENT_END) {
				ended = 1;
				rc = e->rc;
				failed = e->decode_failed;
			} else if (!cb || stopped) {
				continue;
			} else if (e->kind == EVENT_COMMENT) {
				if (cb->comment)
					cb->comment(cb->ud, &e->comment);
			} else if (cb->statement(cb->ud, &e->stmt)) {
				stopped = 1;
				atomic_store(&q->stop, serial); /* the parsing thread skips the rest of it */
			}
		}
		if (q->reading_at == b->nevents) {
			free_batch(b);
			q->reading = NULL;
		}
	}
	if (!ended)
		return error("the parsing thread ended early");
	if (failed)
		return error("cannot decode the parse tree of libpg_query");
	if (stopped)
		return error("stopped");
	return rc;
}

/* Ends the parsing thread (what it has not delivered is dropped) and frees the pipe. */
static void pipe_finish(struct pipe *q)
{
	pthread_mutex_lock(&q->lock);
	q->closing = 1;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	while (q->head) {
		struct batch *b = q->head;
		q->head = b->next;
		free_batch(b);
	}
	if (q->cur)
		free_batch(q->cur);
	if (q->reading)
		free_batch(q->reading);
	pthread_cond_destroy(&q->changed);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* Parses the region on a second thread and delivers here. Returns 1 when no thread could be
 * started (the caller parses the region itself), else what sql_parse_region returns. */
static int parse_with_thread(const char *text, size_t len, uint32_t offset, size_t n,
			     const struct sql_callbacks *cb)
{
	struct pipe *q = pipe_start();
	if (!q)
		return 1;
	pipe_queue(q, text, len, offset, n, 1);
	int rc = pipe_deliver(q, cb);
	pipe_finish(q);
	return rc;
}

struct sql_ahead {
	struct pipe *pipe;
	size_t queued; /* regions queued and not delivered */
};

struct sql_ahead *sql_ahead_start(void)
{
	struct pipe *q = pipe_start();
	if (!q)
		return NULL;
	struct sql_ahead *a = xcalloc(1, sizeof(*a));
	a->pipe = q;
	return a;
}

void sql_ahead_queue(struct sql_ahead *a, const char *text, size_t len, uint32_t offset, size_t n)
{
	a->queued++;
	pipe_queue(a->pipe, text, len, offset, n, 0);
}

size_t sql_ahead_pending(const struct sql_ahead *a)
{
	return a ? a->queued : 0;
}

int sql_ahead_deliver(struct sql_ahead *a, const struct sql_callbacks *cb)
{
	if (!a->queued)
		return error("no region was queued to parse ahead");
	a->queued--;
	return pipe_deliver(a->pipe, cb);
}

void sql_ahead_finish(struct sql_ahead *a)
{
	if (!a)
		return;
	pipe_finish(a->pipe);
	free(a);
}

/* ---- what psql reads but the server never sees ----
 *
 * A migration written for psql (pg_dump's output among them) may hold meta-commands (\i,
 * \set, \connect, \gexec...) and COPY ... FROM stdin followed by its data lines up to a line
 * "\.". Neither is SQL: parsed as such, the data lines are syntax errors that swallow the
 * statements after them. They are blanked (spaces, line ends kept, so every position stays
 * the same) in a copy the parser reads. A meta-command that sends the query buffer (\g,
 * \gexec, \gset, \gx, \crosstabview, \watch) ends the statement before it, as ';' would. A
 * lexer of its own, small: quotes, dollar quotes and comments, so that a backslash in them is
 * left alone. */

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       (unsigned char)c >= 0x80;
}

static void blank(char *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (t[i] != '\n' && t[i] != '\r')
			t[i] = ' ';
}

static size_t line_end(const char *t, size_t n, size_t i)
{
	while (i < n && t[i] != '\n' && t[i] != '\r')
		i++;
	return i;
}

static size_t next_line(const char *t, size_t n, size_t i)
{
	i = line_end(t, n, i);
	if (i < n && t[i] == '\r')
		i++;
	if (i < n && t[i] == '\n')
		i++;
	return i;
}

/* Whether t[from..to) is COPY ... FROM STDIN (words compared without case). */
static int copy_from_stdin(const char *t, size_t from, size_t to)
{
	int words = 0, saw_from = 0;
	for (size_t i = from; i < to;) {
		if (!ident_char(t[i]) || t[i] == '$') {
			i++;
			continue;
		}
		size_t b = i;
		while (i < to && ident_char(t[i]))
			i++;
		size_t len = i - b;
		words++;
		if (words == 1 && !(len == 4 && !strncasecmp(t + b, "copy", 4)))
			return 0;
		if (len == 5 && !strncasecmp(t + b, "stdin", 5) && saw_from)
			return 1;
		saw_from = len == 4 && !strncasecmp(t + b, "from", 4);
	}
	return 0;
}

/* A copy of text[0..len) with psql's meta-commands and COPY data in [offset, offset + n)
 * blanked, or NULL when there is none. */
static char *blank_psql(const char *text, size_t len, size_t offset, size_t n)
{
	if (!memchr(text + offset, '\\', n))
		return NULL;
	char *t = xmalloc(len + 1);
	memcpy(t, text, len);
	t[len] = '\0';
	n += offset;
	size_t stmt = offset; /* where the statement being read starts */
	int changed = 0, pending = 0;
	for (size_t i = offset; i < n;) {
		char c = t[i];
		if (c == '-' && i + 1 < n && t[i + 1] == '-') {
			i = line_end(t, n, i);
		} else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
			int depth = 1;
			for (i += 2; i < n && depth; i++) {
				if (t[i] == '/' && i + 1 < n && t[i + 1] == '*')
					depth++, i++;
				else if (t[i] == '*' && i + 1 < n && t[i + 1] == '/')
					depth--, i++;
			}
		} else if (c == '\'' || c == '"') {
			int escapes = c == '\'' && i > 0 && (t[i - 1] == 'E' || t[i - 1] == 'e') &&
				      (i < 2 || !ident_char(t[i - 2]));
			pending = 1;
			for (i++; i < n; i++) {
				if (escapes && t[i] == '\\') {
					i++;
				} else if (t[i] == c) {
					if (i + 1 < n && t[i + 1] == c)
						i++;
					else
						break;
				}
			}
			i++;
		} else if (c == '$' && (i == 0 || !ident_char(t[i - 1]))) {
			size_t e = i + 1;
			while (e < n && ident_char(t[e]) && t[e] != '$' && !(e == i + 1 && t[e] >= '0' && t[e] <= '9'))
				e++;
			pending = 1;
			if (e < n && t[e] == '$') {
				size_t tag = e + 1 - i;
				const char *close = NULL;
				for (size_t k = e + 1; k + tag <= n; k++)
					if (t[k] == '$' && !memcmp(t + k, t + i, tag)) {
						close = t + k;
						break;
					}
				i = close ? (size_t)(close - t) + tag : n;
			} else {
				i = e;
			}
		} else if (c == '\\') {
			size_t end = line_end(t, n, i);
			const char *cmd = t + i + 1;
			int sends = pending && (*cmd == 'g' || !strncmp(cmd, "crosstabview", 12) || !strncmp(cmd, "watch", 5));
			blank(t, i, end);
			if (sends) {
				t[i] = ';';
				pending = 0;
				stmt = i + 1;
			}
			changed = 1;
			i = end;
		} else if (c == ';') {
			int copy = copy_from_stdin(t, stmt, i);
			i++;
			stmt = i;
			pending = 0;
			if (copy) { /* the data: the rest of this line is ignored, then lines up to "\." */
				size_t d = next_line(t, n, i);
				while (d < n) {
					size_t e = line_end(t, n, d), next = next_line(t, n, d);
					int last = e - d >= 2 && t[d] == '\\' && t[d + 1] == '.';
					blank(t, d, e);
					d = next;
					if (last)
						break;
				}
				changed = 1;
				i = stmt = d;
			}
		} else {
			if (!strchr(" \t\r\n\f\v", c))
				pending = 1;
			i++;
		}
	}
	if (!changed) {
		free(t);
		return NULL;
	}
	return t;
}

static int parse_region_plain(const char *text, size_t len, uint32_t offset, size_t n,
			      const struct sql_callbacks *cb);

int sql_parse_region(const char *text, size_t len, uint32_t offset, size_t n,
		     const struct sql_callbacks *cb)
{
	char *plain = blank_psql(text, len, offset, n);
	int rc = parse_region_plain(plain ? plain : text, len, offset, n, cb);
	free(plain);
	return rc;
}

static int parse_region_plain(const char *text, size_t len, uint32_t offset, size_t n,
			      const struct sql_callbacks *cb)
{
	if (n > PIPE_BYTES) {
		int rc = parse_with_thread(text, len, offset, n, cb);
		if (rc != 1)
			return rc;
	}
	struct parser p = { .text = text, .len = len, .cb = cb };
	parser_used = 1;
	arena_init(&p.arena);
	int rc = parse_region(&p, offset, n);
	arena_release(&p.arena);
	if (p.stopped)
		return error("stopped");
	return rc;
}

int sql_parse(const char *text, size_t len, const struct sql_callbacks *cb)
{
	return sql_parse_region(text, len, 0, len, cb);
}

size_t sql_count_statements(const char *text, size_t len, uint32_t offset, size_t n)
{
	char *copy = offset + n == len ? NULL : xstrndup(text + offset, n);
	/* The parser's split is exact (it knows BEGIN ATOMIC bodies) but builds the raw tree of the
	 * whole region at once: gigabytes for a 50 MB migration. Past a chunk the scanner's split,
	 * which holds only the tokens, answers "one statement or more" as well. */
	PgQuerySplitResult split = n > SQL_CHUNK_BYTES ? pg_query_split_with_scanner(copy ? copy : text + offset)
						       : pg_query_split_with_parser(copy ? copy : text + offset);
	parser_used = 1;
	size_t count = split.error ? 1 : (size_t)split.n_stmts;
	pg_query_free_split_result(split);
	free(copy);
	return count;
}

uint32_t sql_stmt_token_end(const struct sql_stmt *stmt, uint32_t offset)
{
	size_t lo = first_token_from(stmt->tokens, stmt->ntokens, offset);
	if (lo < stmt->ntokens && stmt->tokens[lo].start == offset)
		return stmt->tokens[lo].end;
	return stmt->end > offset ? stmt->end : offset;
}
