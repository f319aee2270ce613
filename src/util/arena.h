/* A bump allocator: many small allocations, freed together in one call. One arena per linted
 * chunk of SQL holds the parse tree; another holds the findings of a run (git's mem-pool). */
#ifndef PGSIEVE_ARENA_H
#define PGSIEVE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used; /* bytes handed out, for statistics */
};

void arena_init(struct arena *a);
/* Frees every block; the arena can be used again afterwards. */
void arena_release(struct arena *a);

void *arena_alloc(struct arena *a, size_t size);
void *arena_zalloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
