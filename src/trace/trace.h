/* `pgsieve trace`: the migrations of a plan run on a throwaway cluster (trace/cluster.h) or a
 * scratch database, each statement observed (catalog/observe.h) and compared with what lint
 * predicts for it (effects/effects.h), findings from the observation recorded in a lint run so
 * that every reporter can write them.
 *
 * The order of things: the starting schema (a schema file, then the migrations before the
 * traced ones, as lint reads them for context), generated rows in every empty table, then each
 * traced migration with its framework's transaction (BEGIN ... COMMIT around it for runners that
 * wrap, statement by statement otherwise). The first statement that fails ends the trace, as it
 * ends the runner. With round_trip, each migration that has a down part runs up, down, up; the
 * schema after the down must be the one before the up (the comparison of `pgsieve diff`). */
#ifndef PGSIEVE_TRACE_H
#define PGSIEVE_TRACE_H

#include <stddef.h>
#include <stdio.h>

#include "catalog/observe.h"
#include "discover/lint_plan.h"
#include "lint/run.h"

struct trace_options {
	const char *db;          /* a scratch database; NULL: a throwaway cluster */
	int scratch_ok;          /* --i-know-this-is-scratch */
	const char *schema_file; /* --schema: the starting schema (pg_dump -s, structure.sql) */
	long rows;               /* --rows */
	int round_trip;          /* --round-trip */
	const char *pg_bin;      /* --pg-bin */
	double timeout;          /* seconds one statement may take */
	double slow_ms;          /* a statement this slow, under a blocking lock of an earlier one */
};

/* What the lock table predicts for a statement (effects_of()), on one relation. */
struct trace_prediction {
	char *relation; /* "name" or "schema.name" as the statement writes it */
	int on_index_table; /* the lock is on the table of the index `relation` names */
	int referenced;     /* the table a new foreign key references */
	enum lock_mode lock;
	unsigned flags; /* enum effect_flag */
};

struct trace_stmt {
	const char *path;  /* the migration's file (the run's arena) */
	const char *phase; /* "up", "down", "up again" */
	uint32_t offset, line, column;
	char *sql;
	char *command;     /* "ALTER TABLE", ... */
	struct obs_result obs;
	int observed;      /* 0: a transaction statement, run but not observed */
	struct trace_prediction *predicted;
	size_t npredicted;
	char *mismatch;    /* what lint's prediction got wrong, or NULL */
};

struct trace_result {
	struct trace_stmt *stmts;
	size_t n, cap;
	int server_version;
	double start_seconds;  /* starting the throwaway cluster (0 with --db) */
	double total_ms;       /* the traced statements' own time */
	long filled;           /* tables given generated rows */
	char *not_filled;      /* tables that refused them, or NULL */
	int stopped;           /* a statement failed: the later migrations did not run */
	size_t not_run;        /* migrations that did not run because of it */
};

/* Runs the plan's reported up parts (and downs, with round_trip) with the options; findings go
 * into run (whose options say which rules are on). Returns 0, or -1 with error() when the trace
 * could not be done (no server, a database that is not scratch, a lost connection). */
int trace_plan(struct lint_run *run, const struct plan *plan, const struct trace_options *o,
	       struct trace_result *res);
void trace_result_release(struct trace_result *res);

/* The reports: JSON ({"statements": [...], "findings": [...]} plus the run's summary) and text
 * (a lock timeline per statement, then the findings as `lint` writes them). */
struct report_options;
int trace_report_json(FILE *out, const struct lint_run *run, const struct trace_result *res,
		      const struct report_options *ro);
int trace_report_text(FILE *out, const struct lint_run *run, const struct trace_result *res,
		      const struct report_options *ro);

#endif
