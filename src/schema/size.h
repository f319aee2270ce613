/* How big the relations are that a statement locks, rewrites or scans, from the sizes a live
 * database gave the model: what lets a finding on a small table drop to info and a finding on a
 * big one say how big, and roughly how long the lock will be held.
 *
 * The estimate is deliberately rough (docs/schema.md): a rewrite moves the table, its TOAST
 * data and its indexes at about SCHEMA_REWRITE_MBPS, a scan (validation, index build) reads
 * them at about SCHEMA_SCAN_MBPS. Real servers differ by an order of magnitude either way;
 * the number says "seconds" or "hours", not a deadline. */
#ifndef PGSIEVE_SIZE_H
#define PGSIEVE_SIZE_H

#include <pg_query/pg_query.pb-c.h>

#include "schema/model.h"

enum { SCHEMA_REWRITE_MBPS = 50, SCHEMA_SCAN_MBPS = 150 };

struct schema_size_note {
	int known;      /* some relation the statement locks has sizes, and none lacks them */
	int small;      /* every one is under both thresholds */
	char text[300]; /* "app.orders: ~1.2k rows, 96 kB" and what follows from it */
};

void schema_size_note(const struct schema_model *m, const PgQuery__Node *stmt, int pg_version,
		      long long small_rows, long long small_bytes, struct schema_size_note *out);

/* "96 kB", "3.4 GB" (powers of 1024, as pg_size_pretty) and "~1.2k", "~3.4M" into buf. */
const char *schema_format_bytes(long long bytes, char *buf, size_t size);
const char *schema_format_rows(double rows, char *buf, size_t size);

#endif
