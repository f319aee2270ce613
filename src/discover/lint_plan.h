/* The lint plan: what `pgsieve lint PATH...` will lint, in order. Directories are searched for
 * framework layouts (a directory holding a recognised layout is one migration set; elsewhere
 * *.sql files are plain migrations and subdirectories are searched in turn). A file named on
 * the command line inside a framework directory brings its whole set along: the earlier
 * migrations are read for context (tables they create, column types) but only the named
 * files are reported. */
#ifndef PGSIEVE_LINT_PLAN_H
#define PGSIEVE_LINT_PLAN_H

#include <stddef.h>

#include "discover/migrations.h"
#include "lint/options.h"
#include "lint/run.h"
#include "util/strmap.h"

struct plan_item {
	struct migration_set *set;         /* NULL for a plain file or standard input */
	const struct migration *migration; /* NULL for a plain file or standard input */
	const struct migration_part *part;
	char *path;          /* file to read ("-" for standard input) */
	int is_down;
	int report;          /* 0: read for context only */
	enum framework fw;
};

/* How Alembic environments are chosen: name is an ini section (`alembic -n NAME`; NULL: every
 * environment of each ini), config an ini file linted besides the paths (--alembic-config). */
struct plan_alembic {
	const char *name;
	const char *config;
};

struct plan {
	const struct plan_alembic *alembic; /* NULL: the defaults */
	struct migration_set **sets; /* each allocated alone: items point into them */
	size_t nsets, sets_cap;
	struct plan_item *items;
	size_t n, cap;
	int errors; /* paths that could not be read, already reported on stderr */
	int follow_symlinks; /* PLAN_FOLLOW_SYMLINKS was given */
	char *root; /* while building: the canonical directory of the path argument being read */
	struct strmap skipped; /* paths skipped with a warning, so that it is given once */
};

/* --follow-symlinks: read files whose symbolic links lead out of the tree given */
enum { PLAN_FOLLOW_SYMLINKS = 1 };

/* forced: the framework from --framework or the config (-1 to detect); alembic may be NULL.
 * A directory named in paths under which no migration is found is an error (counted in
 * plan->errors, said on stderr with what was looked for): a job pointed at the wrong folder
 * must fail, not pass having linted nothing. Files that are not regular (FIFOs, sockets,
 * devices) are skipped with a warning on stderr, and so are files whose path leads, through a
 * symbolic link, out of the directory given (or, for a file given, out of its migration set's
 * directory) unless flags has PLAN_FOLLOW_SYMLINKS. */
void plan_build(struct plan *plan, char *const *paths, size_t npaths, int forced,
		char *const *exclude, size_t n_exclude, const struct plan_alembic *alembic, unsigned flags);
void plan_release(struct plan *plan);

/* Keeps reporting only the parts whose file is in `changed` (canonical absolute paths, as
 * from changes.h); the others are read for context, and unchanged down parts and plain files
 * are dropped. */
void plan_restrict(struct plan *plan, const struct strmap *changed);

/* What the framework adds to a lint source built for an item (the file's text in src->text):
 * the rendered SQL of an Alembic part and its segments, whether a down is expected, Flyway's
 * choice of transaction (a Flyway migration that mixes statements Flyway runs outside a
 * transaction with others becomes a problem of its set, reported under not-in-transaction),
 * the statements the Supabase CLI runs on their own. */
void plan_item_source(const struct plan_item *it, const struct lint_options *o,
		      struct lint_source *src);

/* Reports the problems found while reading the sets (migration-graph): those about a file
 * being reported, about a set read whole, or about a file in `changed` (canonical paths;
 * may be NULL). */
void plan_report_problems(const struct plan *plan, struct lint_run *run, const struct strmap *changed);

#endif
