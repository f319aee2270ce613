/* The generated header where an installed libpg_query puts it (<pg_query/pg_query.pb-c.h>),
 * which is where pgsieve includes it from; a file, not a build step, so that it exists before
 * anything is compiled. */
#include "../../protobuf/pg_query.pb-c.h"
