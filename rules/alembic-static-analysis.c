/* A note that an Alembic revision was read statically (Python's ast module) rather than
 * rendered by Alembic: Alembic or one of the revision's imports is missing, or upgrade() or
 * downgrade() needs a database. The static reading understands op.* calls with literal
 * arguments and op.execute() strings; other code (loops over computed names, SQL built at run
 * time, helpers from the application) is not seen, so findings may be missing. */
#include "lint/rule.h"

static void finish(struct lint_ctx *ctx);

const struct rule rule_alembic_static_analysis = {
	.id = "alembic-static-analysis",
	.severity = SEVERITY_INFO,
	.category = "meta",
	.summary = "an Alembic revision was read statically, not rendered by Alembic: findings may be missing",
	.finish = finish,
};

static void finish(struct lint_ctx *ctx)
{
	const char *note = lint_source_note(ctx);
	if (!note)
		return;
	lint_report_part(ctx, &rule_alembic_static_analysis,
			 lint_printf(ctx, "why: %s. Run pgsieve with the Python environment that runs the "
					  "migrations (activate its virtualenv, or set PGSIEVE_PYTHON to its "
					  "python3) so that Alembic renders the revision; one that needs a "
					  "database in upgrade() or downgrade() is read statically in any case",
				     note),
			 "this revision was read statically, not rendered by Alembic: only op.* calls "
			 "with literal arguments and op.execute() strings were linted, so findings may be "
			 "missing");
}
