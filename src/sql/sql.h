/* The SQL front end: libpg_query's parser and scanner behind a small streaming interface.
 *
 * This directory is the only includer of pg_query.h (the C API). The typed parse tree
 * (pg_query.pb-c.h, generated from libpg_query's protobuf definition) is pgsieve's statement
 * representation and is visible to rules through lint/rule.h.
 *
 * A file is parsed in chunks: normally one chunk for the whole file, scanned once; files above
 * SQL_CHUNK_BYTES are cut into chunks at statement boundaries first (found a few megabytes at a
 * time), so memory stays bounded by the chunk, not the file. A chunk is parsed in groups of
 * statements of about 64 kB, cut at the scanner's top-level ';' tokens. A group with a syntax
 * error ends the grouping: the rest of the chunk is parsed whole, and when it fails too it is
 * cut there and re-parsed one statement at a time, so the statements around the error are
 * still linted. The parse tree of a group lives in an arena that is freed once all its
 * statements have been handed to the callback. A region of more than two groups is parsed on
 * a second thread while the callbacks run on the caller's; they are called on the caller's
 * thread, in order, as without it. */
#ifndef PGSIEVE_SQL_H
#define PGSIEVE_SQL_H

#include <stddef.h>
#include <stdint.h>

#include <pg_query/pg_query.pb-c.h>

enum { SQL_CHUNK_BYTES = 2 * 1024 * 1024 };

/* Which PostgreSQL release's grammar the parser implements (libpg_query is built from it). */
const char *sql_grammar_version(void);

struct sql_token {
	uint32_t start, end;
	int kind; /* PgQuery__Token: PG_QUERY__TOKEN__ASCII_59 for ';', keywords, IDENT, ... */
};

struct sql_stmt {
	const PgQuery__Node *node; /* NULL for a statement that does not parse */
	uint32_t index;            /* 0-based position in the file */
	uint32_t span_start;       /* libpg_query's stmt_location: includes leading comments */
	uint32_t start, end;       /* first token .. end of last token (without the ';') */
	uint32_t base;             /* add to a node's `location` for a byte offset in the file */
	/* For a statement that does not parse: */
	uint32_t error_offset;
	const char *error_message;
	/* not parsed for a limit of pgsieve's own (nesting, chain length, size), which says
	 * nothing about whether PostgreSQL accepts the statement */
	int beyond_limits;
	/* The statement's tokens (comments excluded), absolute byte offsets, in order. */
	const struct sql_token *tokens;
	size_t ntokens;
};

struct sql_comment {
	uint32_t start, end; /* byte offsets of the whole comment, markers included */
	int is_block;        /* slash-star comment rather than double-dash */
};

struct sql_callbacks {
	void *ud;
	/* Comments arrive in file order, each before the statement it precedes. */
	void (*comment)(void *ud, const struct sql_comment *c);
	/* The statement's tree is valid only during the call. Return nonzero to stop. */
	int (*statement)(void *ud, const struct sql_stmt *stmt);
};

/* Parses text[0..len), which must hold no NUL byte and be followed by one (text[len] == 0).
 * Returns 0, or -1 with error() set when a callback stopped it. */
int sql_parse(const char *text, size_t len, const struct sql_callbacks *cb);

/* The byte offset just after the token that starts at `offset` (absolute), or after the
 * statement's last token when no token starts there. Gives findings a length. */
uint32_t sql_stmt_token_end(const struct sql_stmt *stmt, uint32_t offset);

/* Parses the region text[offset..offset+n) of a file like a file of its own (positions stay
 * those of the file). Used for statements embedded in DO blocks. */
int sql_parse_region(const char *text, size_t len, uint32_t offset, size_t n,
		     const struct sql_callbacks *cb);

/* Parsing ahead across regions (the files `pgsieve lint` reads one after another): a thread of
 * its own parses the regions queued, in order, while the caller runs the callbacks of those
 * before. sql_ahead_deliver() delivers the oldest region queued and not yet delivered, on the
 * caller's thread, as sql_parse_region() would have (same statements, comments, order and
 * result); its text must stay valid and unchanged until then. Only the caller's thread calls
 * these. */
struct sql_ahead;
/* NULL when no thread could be started: parse with sql_parse_region() instead. */
struct sql_ahead *sql_ahead_start(void);
void sql_ahead_queue(struct sql_ahead *a, const char *text, size_t len, uint32_t offset, size_t n);
/* cb NULL drops the region (its parse is waited for, nothing is called). */
int sql_ahead_deliver(struct sql_ahead *a, const struct sql_callbacks *cb);
/* Regions queued and not delivered (0 for a NULL a). */
size_t sql_ahead_pending(const struct sql_ahead *a);
/* Ends the thread; regions not delivered are dropped. NULL does nothing. */
void sql_ahead_finish(struct sql_ahead *a);

/* How many statements text[offset..offset+n) holds (by libpg_query's splitter; an unparsable
 * region counts as one). */
size_t sql_count_statements(const char *text, size_t len, uint32_t offset, size_t n);

/* For a DO statement (stmt, in the file `text`) whose code is dollar-quoted PL/pgSQL, calls
 * found() with the place in the file of each SQL statement the block runs (plain statements,
 * and EXECUTE of a string literal). Returns -1 when the code does not parse as PL/pgSQL. */
int sql_do_block_statements(const char *text, const struct sql_stmt *stmt,
			    void (*found)(void *ud, uint32_t offset, uint32_t length), void *ud);

/* Frees libpg_query's per-thread memory; call once at exit so leak checkers stay quiet. */
void sql_shutdown(void);

#endif
