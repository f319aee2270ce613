/* What libpg_query alone takes for a file: the floor under `pgsieve lint` (issue 16). Reads FILE
 * and times, RUNS times each after one warm-up, libpg_query's parse of the whole text to its
 * protobuf tree (pg_query_parse_protobuf, what pgsieve calls) and its scan to tokens
 * (pg_query_scan, which pgsieve runs too, for comments and token positions), and prints the
 * median wall and CPU seconds of each. Linked against the libpg_query pgsieve is built with;
 * built by meson as pg-query-floor in the build directory, not installed.
 *
 * usage: pg-query-floor FILE [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pg_query.h>

enum { MAX_RUNS = 101 };

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			char *grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* One timed call: 0 on success, else the library's error message on stderr and -1. */
static int parse_once(const char *text)
{
	PgQueryProtobufParseResult r = pg_query_parse_protobuf(text);
	int rc = r.error ? -1 : 0;
	if (r.error)
		fprintf(stderr, "pg-query-floor: parse error: %s\n", r.error->message);
	pg_query_free_protobuf_parse_result(r);
	return rc;
}

static int scan_once(const char *text)
{
	PgQueryScanResult r = pg_query_scan(text);
	int rc = r.error ? -1 : 0;
	if (r.error)
		fprintf(stderr, "pg-query-floor: scan error: %s\n", r.error->message);
	pg_query_free_scan_result(r);
	return rc;
}

static int measure(const char *label, int (*fn)(const char *), const char *text, int runs)
{
	double wall[MAX_RUNS], cpu[MAX_RUNS];
	if (fn(text) != 0) /* the warm-up */
		return -1;
	for (int i = 0; i < runs; i++) {
		double w = now(CLOCK_MONOTONIC), c = now(CLOCK_PROCESS_CPUTIME_ID);
		if (fn(text) != 0)
			return -1;
		cpu[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
		wall[i] = now(CLOCK_MONOTONIC) - w;
	}
	printf("%-8s median wall %.3f s, CPU %.3f s (%d runs)\n", label, median(wall, runs), median(cpu, runs),
	       runs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pg-query-floor FILE [RUNS]\n");
		return 2;
	}
	int runs = argc == 3 ? atoi(argv[2]) : 7;
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "pg-query-floor: RUNS must be 1 to %d\n", MAX_RUNS);
		return 2;
	}
	char *text = read_file(argv[1]);
	if (!text) {
		fprintf(stderr, "pg-query-floor: cannot read '%s'\n", argv[1]);
		return 2;
	}
	printf("libpg_query, PostgreSQL %s grammar; %s, %zu bytes\n", PG_VERSION, argv[1], strlen(text));
	int rc = measure("parse", parse_once, text, runs) || measure("scan", scan_once, text, runs);
	free(text);
	pg_query_exit();
	return rc ? 1 : 0;
}
