/* JSON-RPC over a byte stream with the Language Server Protocol's framing: header lines
 * ("Content-Length: N", others ignored) ended by an empty line, then N bytes of JSON. Input
 * arrives in pieces and may be anything: a bad header block is reported and skipped, and
 * reading starts again at the next "Content-Length" header, so one bad message never ends the
 * stream. */
#ifndef PGSIEVE_LSP_RPC_H
#define PGSIEVE_LSP_RPC_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Largest message read (a 256 MiB file, as pgsieve reads, escaped into JSON). */
#define RPC_MAX_BODY ((size_t)512 * 1024 * 1024)
/* Longest header block: clients send one or two short lines. */
enum { RPC_MAX_HEADER = 8192 };

struct rpc_in {
	int fd;
	char *buf;       /* bytes read and not yet taken */
	size_t len, cap;
	size_t skip;     /* body bytes of a refused message still to drop as they arrive */
	int resync;      /* after a bad header block: drop bytes up to the next "Content-Length" */
};

void rpc_in_init(struct rpc_in *in, int fd);
void rpc_in_release(struct rpc_in *in);

/* One read() of what the descriptor has. Returns 1 (bytes read, or interrupted), 0 at the end
 * of input, -1 on a read error (errno). */
int rpc_in_fill(struct rpc_in *in);

enum rpc_next { RPC_NONE, RPC_MESSAGE, RPC_BAD };

/* The next message among the bytes read: RPC_MESSAGE with *body (malloc'd, NUL-terminated,
 * *len bytes without the NUL); RPC_BAD with a lowercase sentence in problem when a header
 * block was refused (it is dropped); RPC_NONE when more bytes are needed. */
enum rpc_next rpc_in_next(struct rpc_in *in, char **body, size_t *len, char *problem, size_t problem_size);

/* Writes msg with its header and flushes; -1 when out cannot be written. */
int rpc_write(FILE *out, const json_t *msg);

#endif
