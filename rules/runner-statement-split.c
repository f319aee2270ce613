/* Runners that cut a migration into statements at each line ending in ';' (goose,
 * sql-migrate) and send the pieces one by one: a statement with such a line inside it (a
 * PL/pgSQL body) is cut in two unless StatementBegin/StatementEnd markers wrap it; a last
 * statement without ';' at a line end, or a StatementBegin never closed, makes the runner
 * refuse the file.
 *
 * Found while the part is prepared for linting (layout_check_split in
 * discover/frameworks/layout.c, through the framework's check_part) and reported after linting
 * like migration-graph. No statement visitor. */
#include "lint/rule.h"

const struct rule rule_runner_statement_split = {
	.id = "runner-statement-split",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "goose or sql-migrate cuts a statement at a line ending in ';', or refuses the section's last statement",
};
