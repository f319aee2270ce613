/* The sources of a schema model the commands share (src/cmd/): a database (src/catalog/), a
 * schema file (src/schema/load.h) or migrations replayed (src/discover/ + the lint engine with
 * every rule off). Errors are printed on stderr here, since every caller is a command. */
#ifndef PGSIEVE_RUN_SOURCE_H
#define PGSIEVE_RUN_SOURCE_H

#include "discover/lint_plan.h"
#include "schema/model.h"

/* Loads the model lint starts from: the database db names (NULL: none) or the schema file
 * (NULL: none). Prints warnings and errors on stderr; returns 0, or 2 (the exit status) when
 * the source cannot be read. */
int schema_source_load(struct schema_model *m, const char *db, const char *schema_file);

/* Replays the up migrations of paths (directories or files, in their framework's order;
 * framework -1: detected) onto m, which must be freshly initialised, with no rule running.
 * Returns 0, or 2 after printing on stderr when a path cannot be read. */
int schema_replay(struct schema_model *m, char *const *paths, size_t n, int framework);
/* The same for a plan already built: its up parts with only[i] set (every one when only is
 * NULL), in the plan's order. */
int schema_replay_plan(struct schema_model *m, const struct plan *plan, const char *only);

/* Whether a source names a database: a postgres:// or postgresql:// URI, or a conninfo string
 * (anything with '='). */
int schema_source_is_dsn(const char *source);
/* Loads a source given as one string, as `pgsieve diff --from/--to` take it: a database (as
 * schema_source_is_dsn() decides), an existing directory (migrations, replayed), or an existing
 * file (a schema file). Returns 0, or 2 after printing the reason on stderr. */
int schema_source_load_any(struct schema_model *m, const char *source, int framework);

#endif
