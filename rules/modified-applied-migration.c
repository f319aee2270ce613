/* An applied migration whose file changed: with `lint --db`, the framework's history table says
 * the migration ran there, and the checksum it recorded (Flyway's CRC-32, Prisma's SHA-256,
 * Sqitch's SHA-1, sqlx's SHA-384) is not the file's any more. The edit never runs where the migration was
 * applied, so databases drift apart; Flyway's validate and Prisma's migrate refuse to go on.
 *
 * Found by run/history.c (status_lint_skips) from catalog/history.c and reported with
 * lint_run_report_file() at line 1 of the file. No statement visitor. */
#include "lint/rule.h"

const struct rule rule_modified_applied_migration = {
	.id = "modified-applied-migration",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "an applied migration's file was edited: the change never runs where it was applied",
};
