/* A migration whose framework has down migrations but which has none, or whose down does
 * nothing: no statements at all (an empty file or section, comments only, an Alembic
 * downgrade() that is `pass` or a docstring), or an Alembic downgrade() that only raises.
 * Rolling back such a migration either fails or records it as undone while its changes stay,
 * so running it again fails (the table it creates already exists).
 *
 * Reported once per migration part, at the part's start (lint_report_part): line 1 of an up
 * file without a down, dbmate's `-- migrate:down` line, the `def downgrade` line. Whether a
 * down is expected comes from the framework (lint_has_down: Flyway undo scripts and Prisma's
 * down.sql count only when the directory uses them or require-down is set). */
#include <string.h>

#include "lint/rule.h"

static void finish(struct lint_ctx *ctx);

const struct rule rule_missing_downgrade = {
	.id = "missing-downgrade",
	.severity = SEVERITY_WARNING,
	.category = "correctness",
	.summary = "a migration without a down migration, or with one that does nothing, where the framework has downs",
	.finish = finish,
};

struct framework_down {
	const char *framework;
	const char *missing_help; /* how to add the down part */
	const char *consequence;  /* what the runner does without one */
};

static const struct framework_down downs[] = {
	{ "golang-migrate", "add a .down.sql file with the same version number that undoes this migration",
	  "`migrate down` cannot undo this version" },
	{ "pop", "add the matching .down.sql file that undoes this migration",
	  "pop refuses to run a directory where an up has no down (\"has no corresponding down migration\")" },
	{ "diesel", "add down.sql to the migration's directory, undoing what up.sql does",
	  "`diesel migration revert` and `redo` fail on this migration" },
	{ "dbmate", "add a `-- migrate:down` section that undoes the `-- migrate:up` section",
	  "`dbmate rollback` cannot undo this migration" },
	{ "sqitch", "add revert/<change>.sql undoing the deploy script (`sqitch add` writes one)",
	  "`sqitch revert` cannot undo this change" },
	{ "alembic", "write a downgrade() that undoes what upgrade() does",
	  "`alembic downgrade` cannot step back over this revision" },
	{ "flyway", "add the undo script U<version>__<description>.sql, as the other migrations of the "
		    "directory have", "`flyway undo` cannot undo this migration" },
	{ "prisma", "add down.sql beside migration.sql (require-down is set in the configuration)",
	  "this migration cannot be rolled back with the team's down scripts" },
};

static const struct framework_down *framework_of(struct lint_ctx *ctx)
{
	const char *fw = lint_framework(ctx);
	for (size_t i = 0; fw && i < sizeof(downs) / sizeof(downs[0]); i++)
		if (!strcmp(downs[i].framework, fw))
			return &downs[i];
	return NULL;
}

static void finish(struct lint_ctx *ctx)
{
	const struct framework_down *fd = framework_of(ctx);
	if (!fd)
		return;
	int alembic = !strcmp(fd->framework, "alembic");
	if (!lint_is_down(ctx)) {
		if (lint_has_down(ctx) == 0)
			lint_report_part(ctx, &rule_missing_downgrade, fd->missing_help, "%s: %s",
					 alembic ? "an Alembic revision with no downgrade()"
						 : "a migration without a down migration",
					 fd->consequence);
		return;
	}
	if (lint_statement_count(ctx) > 0 || lint_nothing_to_undo(ctx))
		return;
	if (lint_irreversible(ctx)) {
		if (lint_config_flag(ctx, "irreversible-marker-ok"))
			return;
		lint_report_part(ctx, &rule_missing_downgrade,
				 "write a downgrade() that undoes upgrade(); if the revision truly cannot be "
				 "undone and the team accepts that, set irreversible-marker-ok: true in "
				 ".pgsieve.yml",
				 "downgrade() only raises: `alembic downgrade` stops at this revision and "
				 "nothing before it can be rolled back");
		return;
	}
	lint_report_part(ctx, &rule_missing_downgrade,
			 lint_printf(ctx, "write the statements that undo the up migration (drop what it "
					  "creates, restore what it changes); if it cannot be undone, make the "
					  "down fail loudly%s",
				     alembic ? " (raise NotImplementedError, with irreversible-marker-ok: true)"
					     : " (a DO block that raises an exception)"),
			 "the down migration runs no SQL: rolling back records the migration as undone "
			 "while its changes stay, so running it again fails");
}
