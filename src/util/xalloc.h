/* Allocation that cannot fail: out of memory aborts with a message (as jq and libinput do),
 * so callers never carry an error path for malloc. */
#ifndef PGSIEVE_XALLOC_H
#define PGSIEVE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow an array of `*cap` elements so that index `need - 1` fits. */
#define XGROW(ptr, need, cap)                                                   \
	do {                                                                    \
		if ((size_t)(need) > (cap)) {                                   \
			size_t grow_to_ = (cap) ? (cap) * 2 : 8;                \
			while (grow_to_ < (size_t)(need))                       \
				grow_to_ *= 2;                                  \
			(ptr) = xrealloc((ptr), grow_to_ * sizeof(*(ptr)));     \
			(cap) = grow_to_;                                       \
		}                                                               \
	} while (0)

#endif
