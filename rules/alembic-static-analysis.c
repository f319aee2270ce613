/* What pgsieve could not see in an Alembic revision. Either the revision was read statically
 * (Python's ast module) rather than rendered by Alembic: Alembic is missing, or the revision
 * fails to import or to render even with stand-ins for what cannot be imported; the static
 * reading understands op.* calls with literal arguments and op.execute() strings, other code
 * (loops over computed names, SQL built at run time) is not seen, so findings may be missing.
 * Or it was rendered, but with unknowns: modules that could not be imported were replaced by
 * stand-ins (their types and defaults are unknown), upgrade() took parameters Alembic does not
 * pass, or it runs Python against the database (queries return no rows without one). */
#include "lint/rule.h"

static void finish(struct lint_ctx *ctx);

const struct rule rule_alembic_static_analysis = {
	.id = "alembic-static-analysis",
	.severity = SEVERITY_INFO,
	.category = CATEGORY_META,
	.summary = "an Alembic revision was read statically, or rendered with unknowns: findings may be missing",
	.finish = finish,
};

static void finish(struct lint_ctx *ctx)
{
	const char *note = lint_source_note(ctx);
	if (!note)
		return;
	if (!lint_source_note_static(ctx)) {
		lint_report_part(ctx, &rule_alembic_static_analysis,
				 "install the revision's imports where pgsieve runs (or set PGSIEVE_PYTHON to "
				 "the project's python3) so that the real types are known; a step that "
				 "reads rows cannot be seen without a database",
				 "this revision was rendered by Alembic, with unknowns: %s", note);
		return;
	}
	lint_report_part(ctx, &rule_alembic_static_analysis,
			 lint_printf(ctx, "why: %s. Run pgsieve with the Python environment that runs the "
					  "migrations (activate its virtualenv, or set PGSIEVE_PYTHON to its "
					  "python3) so that Alembic renders the revision",
				     note),
			 "this revision was read statically, not rendered by Alembic: only op.* calls "
			 "with literal arguments and op.execute() strings were linted, so findings may be "
			 "missing");
}
