/* Advancing the model by one statement: what a CREATE, ALTER, DROP, RENAME, COMMENT, GRANT or
 * SET search_path does to the objects the model knows (schema/model.h). The one way anything
 * gets into a model, whichever source it comes from. Statements it does not understand leave
 * the model as it is. */
#ifndef PGSIEVE_APPLY_H
#define PGSIEVE_APPLY_H

#include <pg_query/pg_query.pb-c.h>

#include "schema/model.h"

void schema_apply(struct schema_model *m, const PgQuery__Node *stmt);

/* The function a DROP, COMMENT or GRANT names (argument types as there resolved like
 * CREATE FUNCTION's; any overload when no argument list is given), or NULL. */
struct schema_function *schema_apply_find_function(const struct schema_model *m, const PgQuery__ObjectWithArgs *oa);

/* The column named by `col IS NOT NULL` in a CHECK expression, or NULL. */
const char *schema_notnull_check_column(const PgQuery__Node *expr);

#endif
