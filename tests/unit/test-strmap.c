/* strmap: insert, replace, look up, remove, grow, iterate. */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define V(n) ((void *)(uintptr_t)(n))

static void test_basics(void)
{
	struct strmap m = STRMAP_INIT;
	CHECK(strmap_get(&m, "a") == NULL); /* an empty map has no slots yet */
	CHECK(!strmap_has(&m, "a"));
	CHECK(strmap_remove(&m, "a") == NULL);

	CHECK(strmap_put(&m, "a", V(1)) == NULL);
	CHECK(strmap_put(&m, "b", V(2)) == NULL);
	CHECK(strmap_get(&m, "a") == V(1));
	CHECK(strmap_get(&m, "b") == V(2));
	CHECK(strmap_has(&m, "a"));
	CHECK(!strmap_has(&m, "c"));

	CHECK(strmap_put(&m, "a", V(3)) == V(1)); /* replace returns the old value */
	CHECK(strmap_get(&m, "a") == V(3));

	/* a NULL value is still present */
	strmap_put(&m, "nothing", NULL);
	CHECK(strmap_has(&m, "nothing"));
	CHECK(strmap_get(&m, "nothing") == NULL);

	/* the empty key is a key like any other */
	strmap_put(&m, "", V(9));
	CHECK(strmap_get(&m, "") == V(9));
	CHECK(strmap_has(&m, ""));
	strmap_release(&m);
	CHECK(m.slots == NULL && m.cap == 0 && m.count == 0);
}

static void test_keys_are_copied(void)
{
	struct strmap m = STRMAP_INIT;
	char key[8] = "abc";
	strmap_put(&m, key, V(1));
	key[0] = 'x';
	CHECK(strmap_get(&m, "abc") == V(1));
	CHECK(!strmap_has(&m, "xbc"));
	strmap_release(&m);
}

static void test_remove(void)
{
	struct strmap m = STRMAP_INIT;
	strmap_put(&m, "a", V(1));
	strmap_put(&m, "b", V(2));
	CHECK(strmap_remove(&m, "a") == V(1));
	CHECK(!strmap_has(&m, "a"));
	CHECK(strmap_get(&m, "b") == V(2));
	CHECK(strmap_remove(&m, "a") == NULL);
	/* put it back after removing */
	CHECK(strmap_put(&m, "a", V(4)) == NULL);
	CHECK(strmap_get(&m, "a") == V(4));
	strmap_release(&m);
}

static void test_many(void)
{
	struct strmap m = STRMAP_INIT;
	char key[32];
	enum { N = 5000 };
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		strmap_put(&m, key, V(i + 1));
	}
	int ok = 1;
	for (int i = 0; i < N && ok; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		ok = strmap_get(&m, key) == V(i + 1);
	}
	CHECK(ok);
	CHECK(m.cap >= 2 * N); /* load stays at most one half */

	/* remove every other key, then insert and remove more so tombstones pile up */
	for (int i = 0; i < N; i += 2) {
		snprintf(key, sizeof(key), "key-%d", i);
		strmap_remove(&m, key);
	}
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < N; i++) {
			snprintf(key, sizeof(key), "tmp-%d-%d", round, i);
			strmap_put(&m, key, V(1));
		}
		for (int i = 0; i < N; i++) {
			snprintf(key, sizeof(key), "tmp-%d-%d", round, i);
			strmap_remove(&m, key);
		}
	}
	ok = 1;
	for (int i = 0; i < N && ok; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		ok = i % 2 ? strmap_get(&m, key) == V(i + 1) : !strmap_has(&m, key);
	}
	CHECK(ok);
	strmap_release(&m);
}

/* strmap_next must see each live key once and nothing else (not the removed one). */
static void test_iterate(void)
{
	struct strmap m = STRMAP_INIT;
	strmap_put(&m, "one", V(1));
	strmap_put(&m, "two", V(2));
	strmap_put(&m, "three", V(3));
	strmap_remove(&m, "two");
	size_t seen = 0;
	uintptr_t sum = 0;
	size_t it = 0;
	const char *key;
	void *value;
	while (strmap_next(&m, &it, &key, &value)) {
		seen++;
		sum += (uintptr_t)value;
		CHECK(strcmp(key, "two") != 0);
	}
	CHECK_INT(seen, 2);
	CHECK_INT(sum, 4);
	strmap_release(&m);
}

int main(void)
{
	test_basics();
	test_keys_are_copied();
	test_remove();
	test_many();
	test_iterate();
	return check_finish();
}
