/* ADD CONSTRAINT ... EXCLUDE on an existing table builds the constraint's index and checks every
 * pair of conflicting rows while the table is locked ACCESS EXCLUSIVE. Unlike UNIQUE (USING
 * INDEX), CHECK and FOREIGN KEY (NOT VALID + VALIDATE), PostgreSQL has no way to split this
 * into a concurrent build and a quick attach, so the help says so instead of inventing one. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, LINT_KINDS_END };

const struct rule rule_add_exclusion_blocking = {
	.id = "add-exclusion-blocking",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_LOCKING,
	.summary = "adding an EXCLUDE constraint builds its index and checks every row under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
};

static const PgQuery__Constraint *exclusion_of(const PgQuery__Node *cause)
{
	if (!cause || cause->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
		return NULL;
	const PgQuery__AlterTableCmd *cmd = cause->alter_table_cmd;
	if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint || !cmd->def ||
	    cmd->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
	    cmd->def->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION)
		return NULL;
	return cmd->def->constraint;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	(void)node;
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	for (size_t i = 0; i < n; i++) {
		const PgQuery__Constraint *con = exclusion_of(e[i].cause);
		if (!con || e[i].role != EFFECT_ROLE_TARGET || e[i].object != EFFECT_OBJ_TABLE ||
		    lint_effect_is_new(ctx, &e[i]))
			continue;
		const char *rel = lint_rel(ctx, e[i].rel);
		const char *name = *con->conname ? lint_printf(ctx, " CONSTRAINT %s", lint_ident(ctx, con->conname))
						 : "";
		lint_report(
			ctx, &rule_add_exclusion_blocking, con->location,
			lint_printf(ctx,
				    "PostgreSQL has no concurrent way to add an exclusion constraint: no "
				    "CONCURRENTLY, no NOT VALID, no USING INDEX. Add it while %s is small "
				    "(ideally in the migration that creates it) or in a maintenance window, "
				    "with SET lock_timeout = '5s' before it so it gives up instead of "
				    "queueing in front of every query; on a large table, build a new table "
				    "with the constraint, copy the rows in batches and swap the names",
				    rel),
			"ALTER TABLE %s ADD%s EXCLUDE builds its index and checks every row "
			"under an %s lock: it %s until the build ends",
			rel, name, lock_mode_name(e[i].lock), lock_mode_blocks(e[i].lock));
	}
}
