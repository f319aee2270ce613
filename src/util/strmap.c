#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Deleted slots keep a tombstone key so probing continues past them. */
static char tombstone[1];

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != tombstone)
			free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}

static struct strmap_entry *find_slot(const struct strmap *m, const char *key, uint64_t h, int for_insert)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	struct strmap_entry *first_free = NULL;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strmap_entry *e = &m->slots[i];
		if (!e->key)
			return for_insert ? (first_free ? first_free : e) : NULL;
		if (e->key == tombstone) {
			if (!first_free)
				first_free = e;
		} else if (e->hash == h && !strcmp(e->key, key)) {
			return e;
		}
	}
}

static void grow(struct strmap *m)
{
	struct strmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 16;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->count = 0;
	for (size_t i = 0; i < old.cap; i++) {
		struct strmap_entry *e = &old.slots[i];
		if (e->key && e->key != tombstone) {
			*find_slot(m, e->key, e->hash, 1) = *e;
			m->count++;
		}
	}
	free(old.slots);
}

void *strmap_put(struct strmap *m, const char *key, void *value)
{
	/* count includes tombstones' former entries only until the next grow; keep load <= 1/2 */
	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	uint64_t h = hash_key(key);
	struct strmap_entry *e = find_slot(m, key, h, 1);
	if (e->key && e->key != tombstone && e->hash == h && !strcmp(e->key, key)) {
		void *old = e->value;
		e->value = value;
		return old;
	}
	e->key = xstrdup(key);
	e->value = value;
	e->hash = h;
	m->count++;
	return NULL;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry *e = find_slot(m, key, hash_key(key), 0);
	return e ? e->value : NULL;
}

int strmap_has(const struct strmap *m, const char *key)
{
	return find_slot(m, key, hash_key(key), 0) != NULL;
}

void *strmap_remove(struct strmap *m, const char *key)
{
	struct strmap_entry *e = find_slot(m, key, hash_key(key), 0);
	if (!e)
		return NULL;
	void *value = e->value;
	free(e->key);
	e->key = tombstone;
	e->value = NULL;
	/* count is not decreased: tombstones occupy slots until the next grow */
	return value;
}

int strmap_next(const struct strmap *m, size_t *it, const char **key, void **value)
{
	while (*it < m->cap) {
		const struct strmap_entry *e = &m->slots[(*it)++];
		if (e->key && e->key != tombstone) {
			if (key)
				*key = e->key;
			if (value)
				*value = e->value;
			return 1;
		}
	}
	return 0;
}
