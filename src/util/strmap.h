/* A string-keyed hash map with open addressing. Keys are copied; values are the caller's. */
#ifndef PGSIEVE_STRMAP_H
#define PGSIEVE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
	char *key;
	void *value;
	uint64_t hash; /* of key: probes compare it before the strings */
};

struct strmap {
	struct strmap_entry *slots;
	size_t cap, count;
};

#define STRMAP_INIT { NULL, 0, 0 }

void strmap_release(struct strmap *m);
/* Inserts or replaces; returns the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
void *strmap_get(const struct strmap *m, const char *key);
int strmap_has(const struct strmap *m, const char *key);
/* Removes the key; returns its value or NULL. */
void *strmap_remove(struct strmap *m, const char *key);

/* Iterates over the live entries in no particular order:
 *   size_t it = 0; const char *key; void *value;
 *   while (strmap_next(&m, &it, &key, &value)) ...
 * The map must not change during the loop. */
int strmap_next(const struct strmap *m, size_t *it, const char **key, void **value);

#endif
