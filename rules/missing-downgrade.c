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
	.category = CATEGORY_CORRECTNESS,
	.summary = "a migration without a down migration, or with one that does nothing, where the framework has downs",
	.finish = finish,
};

static void finish(struct lint_ctx *ctx)
{
	/* the advice comes from the framework's description (discover/frameworks/) */
	const char *help, *consequence;
	if (lint_down_advice(ctx, &help, &consequence) != 0)
		return;
	int alembic = !strcmp(lint_framework(ctx), "alembic");
	if (!lint_is_down(ctx)) {
		if (lint_has_down(ctx) == 0)
			lint_report_part(ctx, &rule_missing_downgrade, help, "%s: %s",
					 alembic ? "an Alembic revision with no downgrade()"
						 : "a migration without a down migration",
					 consequence);
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
