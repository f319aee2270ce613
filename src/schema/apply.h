/* Advancing the model by one statement: what a CREATE, ALTER, DROP or RENAME does to the
 * tables, columns and indexes it knows. Statements it does not understand leave it as it is. */
#ifndef PGSIEVE_APPLY_H
#define PGSIEVE_APPLY_H

#include <pg_query/pg_query.pb-c.h>

#include "schema/model.h"

void schema_apply(struct schema_model *m, const PgQuery__Node *stmt);

/* The column named by `col IS NOT NULL` in a CHECK expression, or NULL. */
const char *schema_notnull_check_column(const PgQuery__Node *expr);

#endif
