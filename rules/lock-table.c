/* An explicit LOCK TABLE holds its mode until the transaction ends, and while it waits for the
 * lock every later query on the table queues behind it. Each DDL statement takes the lock it
 * needs by itself, so an explicit lock in a migration is rarely needed; when it is, it should
 * be short and give up instead of queueing. Tables created earlier in the migration are fine:
 * nobody else can see them. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_LOCK_STMT, LINT_KINDS_END };

const struct rule rule_lock_table = {
	.id = "lock-table",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "explicit LOCK TABLE blocks other sessions for the rest of the transaction",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	struct lint_names locked = { 0 };
	enum lock_mode mode = LOCK_NONE;
	for (size_t i = 0; i < n; i++) {
		if (lint_effect_is_new(ctx, &e[i]))
			continue;
		lint_names_add(ctx, &locked, lint_rel(ctx, e[i].rel));
		mode = e[i].lock;
	}
	const char *names = locked.list;
	if (!names)
		return;
	const char *how = node->lock_stmt->nowait ? " NOWAIT" : "";
	const char *help;
	if (lock_blocks_writes(mode))
		help = lint_printf(
			ctx,
			"each DDL statement takes the lock it needs by itself, so drop the LOCK TABLE unless "
			"the migration must keep others out between statements; if it must, keep the "
			"transaction short and let the lock give up instead of queueing in front of every "
			"query: SET LOCAL lock_timeout = '5s'; LOCK TABLE %s IN %s MODE%s; and retry the "
			"migration when it times out",
			names, lock_mode_name(mode), how);
	else
		help = lint_printf(ctx,
				   "the %s lock only keeps DDL out (normal reads and writes go on); drop it "
				   "unless the migration needs that, and keep the transaction short",
				   lock_mode_name(mode));
	lint_report(ctx, &rule_lock_table, -1, help,
		    "LOCK TABLE %s in %s mode%s holds the lock until the transaction ends: it %s", names,
		    lock_mode_name(mode), mode == LOCK_ACCESS_EXCLUSIVE ? " (the default)" : "",
		    lock_mode_blocks(mode));
}
