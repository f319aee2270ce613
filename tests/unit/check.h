/* The unit tests' whole framework: CHECK* record a pass or print the failing expression with
 * its place, and check_finish() prints "N passed, N failed" and gives the exit status. */
#ifndef PGSIEVE_TEST_CHECK_H
#define PGSIEVE_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

static inline int check_record(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	}
	return ok;
}

#define CHECK(cond) check_record(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_INT(got, want)                                                                   \
	do {                                                                                   \
		long long got_ = (long long)(got), want_ = (long long)(want);                  \
		if (!check_record(got_ == want_, __FILE__, __LINE__, #got " == " #want))       \
			fprintf(stderr, "    got %lld, want %lld\n", got_, want_);                 \
	} while (0)

#define CHECK_STR(got, want)                                                                   \
	do {                                                                                   \
		const char *got_ = (got), *want_ = (want);                                     \
		int ok_ = got_ && want_ ? !strcmp(got_, want_) : got_ == want_;                \
		if (!check_record(ok_, __FILE__, __LINE__, #got " == " #want))                 \
			fprintf(stderr, "    got \"%s\"\n    want \"%s\"\n", got_ ? got_ : "(null)",  \
				want_ ? want_ : "(null)");                                     \
	} while (0)

/* got contains want */
#define CHECK_CONTAINS(got, want)                                                              \
	do {                                                                                   \
		const char *got_ = (got), *want_ = (want);                                     \
		if (!check_record(got_ && strstr(got_, want_) != NULL, __FILE__, __LINE__,      \
				  #got " contains " #want))                                    \
			fprintf(stderr, "    got \"%s\"\n    want it to contain \"%s\"\n",        \
				got_ ? got_ : "(null)", want_);                                \
	} while (0)

static inline int check_finish(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
