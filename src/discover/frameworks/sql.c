/* Plain SQL: *.sql files in name order, each run as the file itself says (its own BEGIN and
 * COMMIT; --assume-in-transaction says a runner wraps it). Never detected: what a directory
 * is when no runner's layout matches. */
#include "discover/frameworks/framework.h"

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	layout_load_sql_files(dir, set, LINT_TX_UNKNOWN);
	return 0;
}

const struct framework_desc framework_sql = {
	.name = "sql",
	.load = load,
};
