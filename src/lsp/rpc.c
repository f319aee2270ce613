#include "lsp/rpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/xalloc.h"

static const char content_length[] = "content-length";

void rpc_in_init(struct rpc_in *in, int fd)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
}

void rpc_in_release(struct rpc_in *in)
{
	free(in->buf);
	memset(in, 0, sizeof(*in));
}

static void drop(struct rpc_in *in, size_t n)
{
	memmove(in->buf, in->buf + n, in->len - n);
	in->len -= n;
}

int rpc_in_fill(struct rpc_in *in)
{
	if (in->cap - in->len < 65536) {
		in->cap = in->cap ? in->cap * 2 : 131072;
		in->buf = xrealloc(in->buf, in->cap);
	}
	ssize_t got = read(in->fd, in->buf + in->len, in->cap - in->len);
	if (got < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (got == 0)
		return 0;
	in->len += (size_t)got;
	return 1;
}

/* Where "Content-Length" (any case) starts in the bytes read, or len. */
static size_t find_header(const struct rpc_in *in)
{
	size_t n = sizeof(content_length) - 1;
	for (size_t i = 0; i + n <= in->len; i++)
		if (!strncasecmp(in->buf + i, content_length, n))
			return i;
	return in->len;
}

static size_t find_blank_line(const struct rpc_in *in)
{
	for (size_t i = 0; i + 4 <= in->len; i++)
		if (!memcmp(in->buf + i, "\r\n\r\n", 4))
			return i;
	return in->len;
}

/* Reads the header block buf[0..end): *length from Content-Length; -1 with problem set when it
 * is not a valid block. */
static int parse_headers(const char *buf, size_t end, size_t *length, char *problem, size_t size)
{
	int found = 0;
	size_t i = 0;
	while (i < end) {
		const char *line = buf + i;
		const char *eol = memchr(line, '\r', end - i);
		size_t n = eol ? (size_t)(eol - line) : end - i;
		const char *colon = memchr(line, ':', n);
		if (!colon) {
			snprintf(problem, size, "a header line has no ':' (byte %zu of the header block)", i);
			return -1;
		}
		size_t name_len = (size_t)(colon - line);
		if (name_len == sizeof(content_length) - 1 && !strncasecmp(line, content_length, name_len)) {
			const char *v = colon + 1, *v_end = line + n;
			while (v < v_end && (*v == ' ' || *v == '\t'))
				v++;
			while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
				v_end--;
			size_t value = 0;
			int digits = 0;
			for (; v < v_end && *v >= '0' && *v <= '9'; v++, digits++) {
				if (value > RPC_MAX_BODY)
					break;
				value = value * 10 + (size_t)(*v - '0');
			}
			if (!digits || v != v_end) {
				snprintf(problem, size, "Content-Length is not a number: '%.*s'",
					 (int)(n - name_len - 1 > 40 ? 40 : n - name_len - 1), colon + 1);
				return -1;
			}
			*length = value;
			found = 1;
		}
		i += n + 2; /* the line and its CR LF */
	}
	if (!found) {
		snprintf(problem, size, "%s", "a message has no Content-Length header");
		return -1;
	}
	return 0;
}

enum rpc_next rpc_in_next(struct rpc_in *in, char **body, size_t *len, char *problem, size_t problem_size)
{
	if (in->skip) {
		size_t n = in->skip < in->len ? in->skip : in->len;
		drop(in, n);
		in->skip -= n;
		if (in->skip)
			return RPC_NONE;
	}
	if (in->resync) {
		size_t at = find_header(in);
		if (at == in->len) { /* keep what could be the start of the header */
			size_t keep = sizeof(content_length) - 2;
			if (in->len > keep)
				drop(in, in->len - keep);
			return RPC_NONE;
		}
		drop(in, at);
		in->resync = 0;
	}
	size_t end = find_blank_line(in);
	if (end == in->len) {
		if (in->len <= RPC_MAX_HEADER)
			return RPC_NONE;
		snprintf(problem, problem_size, "no end of the header block in %d bytes", RPC_MAX_HEADER);
		drop(in, 1); /* past this header: the next one is searched from here */
		in->resync = 1;
		return RPC_BAD;
	}
	size_t length = 0;
	if (end > RPC_MAX_HEADER) {
		snprintf(problem, problem_size, "a header block of more than %d bytes", RPC_MAX_HEADER);
		drop(in, end + 4);
		in->resync = 1;
		return RPC_BAD;
	}
	if (parse_headers(in->buf, end, &length, problem, problem_size) != 0) {
		/* what follows is a body of unknown length: read on from the next header */
		drop(in, end + 4);
		in->resync = 1;
		return RPC_BAD;
	}
	if (length > RPC_MAX_BODY) {
		snprintf(problem, problem_size, "a message of %zu bytes or more: larger than %zu MiB, not read",
			 length, RPC_MAX_BODY / (1024 * 1024));
		drop(in, end + 4);
		in->skip = length;
		return RPC_BAD;
	}
	if (in->len - (end + 4) < length)
		return RPC_NONE;
	*body = xmalloc(length + 1);
	memcpy(*body, in->buf + end + 4, length);
	(*body)[length] = '\0';
	*len = length;
	drop(in, end + 4 + length);
	return RPC_MESSAGE;
}

int rpc_write(FILE *out, const json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return -1;
	size_t n = strlen(text);
	int failed = fprintf(out, "Content-Length: %zu\r\n\r\n", n) < 0 || fwrite(text, 1, n, out) != n ||
		     fflush(out) != 0;
	free(text);
	return failed ? -1 : 0;
}
