/* `pgsieve schema dump` and the schema sources of `pgsieve lint --db/--schema`: the command-line
 * side of the model (src/schema/) and the catalog (src/catalog/). */
#ifndef PGSIEVE_CMD_SCHEMA_H
#define PGSIEVE_CMD_SCHEMA_H

#include "schema/model.h"

/* `pgsieve schema ...`; returns the exit status. */
int cmd_schema(int argc, char **argv);

/* Loads the model lint starts from: the database db names (NULL: none) or the schema file
 * (NULL: none). Prints warnings and errors on stderr; returns 0, or 2 (the exit status) when
 * the source cannot be read. */
int schema_source_load(struct schema_model *m, const char *db, const char *schema_file);

#endif
