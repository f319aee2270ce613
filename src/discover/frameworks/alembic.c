/* Alembic: revisions are Python; discover/alembic.c renders each one's upgrade() and
 * downgrade() to the SQL Alembic writes, in the order of the revision graph. One transaction
 * per migration or per run; autocommit_block() bodies outside it. History: alembic_version,
 * the heads. */
#include "discover/frameworks/framework.h"

#include "discover/alembic.h"

static int detect(const char *dir, const char **why)
{
	*why = "an alembic.ini, an env.py beside versions/, or a versions/ directory beside an env.py";
	return layout_exists_in(dir, "alembic.ini") ||
	       (layout_exists_in(dir, "env.py") && layout_exists_in(dir, "versions")) || alembic_versions_dir(dir);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	return alembic_load(dir, set);
}

const struct framework_desc framework_alembic = {
	.name = "alembic",
	.detect_rank = 2,
	.detect = detect,
	.load = load,
	.flags = FRAMEWORK_DOWNS | FRAMEWORK_OWN_ORDER, /* the revision graph's order */
	.not_sql = ".py", /* env.py, helper modules: not revisions, and not SQL */
	.down_help = "write a downgrade() that undoes what upgrade() does",
	.down_consequence = "`alembic downgrade` cannot step back over this revision",
	.history = {
		.table = "alembic_version",
		.columns = "version_num::text, NULL, NULL, NULL, NULL, false, false, 0",
		.rest = " ORDER BY 1",
		.kind = HISTORY_KIND_HEADS,
	},
};
