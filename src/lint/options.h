/* What a run is told: from the command line over .pgsieve.yml over the defaults. */
#ifndef PGSIEVE_OPTIONS_H
#define PGSIEVE_OPTIONS_H

#include <stddef.h>

#include "lint/finding.h"

enum { PG_VERSION_MIN = 10, PG_VERSION_MAX = 18, PG_VERSION_DEFAULT = 15 };

struct lint_options {
	int pg_version;
	int assume_in_transaction;
	enum severity fail_on;      /* SEVERITY_OFF: never fail */
	enum severity *severities;  /* per rule_registry index; SEVERITY_OFF disables the rule */
	int lock_timeout_set_by_runner;
	int statement_timeout_set_by_runner;
	/* require-down: migrations of frameworks where a down is optional (Flyway undo scripts,
	 * a Prisma down.sql) must have one (missing-downgrade) */
	int require_down;
	/* irreversible-marker-ok: a down that only raises NotImplementedError is accepted as a
	 * deliberate "cannot be undone" (missing-downgrade) */
	int irreversible_marker_ok;
	int *vector_dimensions;     /* accepted vector(n) sizes; NULL when unset */
	size_t n_vector_dimensions;
	char **exclude;             /* glob patterns of paths not to lint */
	size_t n_exclude;
	char *framework;            /* `framework:` from the config file; NULL when unset */
	/* Alembic, from the config file (NULL, -1: unset): alembic-name (an ini section, as
	 * --alembic-name), alembic-config (an ini file, as --alembic-config) and alembic-python
	 * (the interpreter, as PGSIEVE_PYTHON), paths made relative to the working directory;
	 * no-python (1: read revisions statically, as --no-python). */
	char *alembic_name, *alembic_config, *alembic_python;
	int no_python;
	/* atlas-tx-mode: the --tx-mode `atlas migrate apply` is run with (Atlas takes it from its
	 * command line only): each file in a transaction of its own, all pending files in one, or
	 * none unless a file says `-- atlas:txmode file` */
	enum { ATLAS_TX_FILE = 0, ATLAS_TX_ALL, ATLAS_TX_NONE } atlas_tx_mode;
	/* With a schema source that knows sizes (--db): findings of the locking and rewrite rules
	 * on tables smaller than both drop to info (small-table-rows, small-table-bytes). */
	long long small_table_rows, small_table_bytes;
	/* config.c's record of select, ignore and `rules:` per rule index, from which it
	 * recomputes severities so the command line can override the file; NULL until used. */
	unsigned char *rule_settings;
	unsigned select_given;      /* config.c: whether the file and the command line gave select */
};

/* Defaults: every rule at its default severity, PostgreSQL 15, fail on warning. */
void lint_options_init(struct lint_options *o);
void lint_options_release(struct lint_options *o);

#endif
