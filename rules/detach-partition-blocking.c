/* ALTER TABLE ... DETACH PARTITION locks the partitioned parent ACCESS EXCLUSIVE: every query on
 * the whole partitioned table waits, and while the DETACH waits for its lock behind a long
 * query, everything else queues behind it. PostgreSQL 14 added DETACH PARTITION ... CONCURRENTLY
 * (SHARE UPDATE EXCLUSIVE on the parent) and FINALIZE to complete an interrupted one; below 14
 * there is no alternative, so the finding only names the lock and how to keep the wait short. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, LINT_KINDS_END };

const struct rule rule_detach_partition_blocking = {
	.id = "detach-partition-blocking",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the parent",
	.kinds = kinds,
	.visit = visit,
};

static int is_plain_detach(const PgQuery__Node *cause)
{
	if (!cause || cause->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
		return 0;
	const PgQuery__AlterTableCmd *cmd = cause->alter_table_cmd;
	return cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition && cmd->def &&
	       cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD && !cmd->def->partition_cmd->concurrent;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	(void)node;
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (e[i].role != EFFECT_ROLE_PARENT || !is_plain_detach(e[i].cause) ||
		    lint_effect_is_new(ctx, &e[i]))
			continue;
		const PgQuery__RangeVar *part = e[i].cause->alter_table_cmd->def->partition_cmd->name;
		const char *parent = lint_rel(ctx, e[i].rel), *child = lint_rel(ctx, part);
		const char *help;
		if (lint_pg_version(ctx) >= 14)
			help = lint_printf(
				ctx,
				"detach it without blocking queries on the parent: ALTER TABLE %s DETACH "
				"PARTITION %s CONCURRENTLY; outside a transaction block (a migration of its "
				"own that runs without one); it takes SHARE UPDATE EXCLUSIVE on %s, waits for "
				"the queries using it, and cannot be used while %s has a DEFAULT partition. If "
				"it is interrupted, complete it with ALTER TABLE %s DETACH PARTITION %s FINALIZE",
				parent, child, parent, parent, parent, child);
		else
			help = lint_printf(
				ctx,
				"PostgreSQL %d has no DETACH PARTITION CONCURRENTLY (it came in 14): keep the "
				"lock short and let it give up instead of queueing in front of every query, "
				"with SET lock_timeout = '5s' just before the DETACH, retried until it gets "
				"through, at a quiet time",
				lint_pg_version(ctx));
		lint_report(ctx, &rule_detach_partition_blocking, part ? part->location : -1, help,
			    "ALTER TABLE %s DETACH PARTITION %s takes an %s lock on %s: it %s of the "
			    "whole partitioned table until the transaction ends",
			    parent, child, lock_mode_name(e[i].lock), parent, lock_mode_blocks(e[i].lock));
	}
}
