#include "util/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Blocks grow geometrically so a large parse tree costs few mallocs; an allocation larger than
 * a block gets a block of its own. */
struct arena_block {
	struct arena_block *next;
	size_t size, used;
	max_align_t data[];
};

enum { ARENA_MIN_BLOCK = 64 * 1024, ARENA_MAX_BLOCK = 8 * 1024 * 1024 };

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t want = b ? b->size * 2 : ARENA_MIN_BLOCK;
		if (want > ARENA_MAX_BLOCK)
			want = ARENA_MAX_BLOCK;
		if (want < size)
			want = size;
		struct arena_block *nb = xmalloc(sizeof(*nb) + want);
		nb->size = want;
		nb->used = 0;
		nb->next = b;
		a->head = nb;
		b = nb;
	}
	void *p = (char *)b->data + b->used;
	b->used += size;
	a->used += size;
	return p;
}

void *arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	/* Most strings fit in what is left of the current block: format them there, once, rather
	 * than measure first and format again (messages were a tenth of a lint run). */
	struct arena_block *b = a->head;
	if (b && b->used < b->size) {
		size_t room = b->size - b->used;
		char *p = (char *)b->data + b->used;
		va_copy(copy, ap);
		int n = vsnprintf(p, room, fmt, copy);
		va_end(copy);
		if (n >= 0 && (size_t)n < room) {
			size_t size = ((size_t)n + sizeof(max_align_t)) & ~(sizeof(max_align_t) - 1);
			b->used += size;
			a->used += size;
			return p;
		}
	}
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return arena_strdup(a, "");
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
