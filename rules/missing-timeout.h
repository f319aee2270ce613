/* The shared check of missing-lock-timeout and missing-statement-timeout: the first statement
 * of a migration that takes a lock ordinary queries conflict with, on a relation that existed
 * before the migration, while no nonzero `setting` was SET earlier in it.
 *
 * "A lock ordinary queries conflict with" is SHARE or stronger (lock_blocks_writes): while such
 * a request waits, reads or writes that arrive after it queue behind it. SHARE UPDATE
 * EXCLUSIVE (CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT, COMMENT ON, SET STATISTICS) is
 * stronger than ROW EXCLUSIVE but conflicts with neither, so a long wait for it stalls nobody;
 * it is left out. Views and sequences are left out too: the rules are about tables (and the
 * tables of indexes, and materialized views).
 *
 * statement_timeout matters where lock_timeout does not: once the lock is granted, a statement
 * that rewrites or reads a whole table holds it for as long as that takes. So
 * missing-statement-timeout looks only at effects that do such work (EFFECT_REWRITE, _SCAN,
 * _VALIDATE, certain or possible); the wait for a catalog-only change is lock_timeout's.
 *
 * Once per migration: one SET at the top fixes every statement. Header-only: the two rules are
 * its only users. */
#ifndef PGSIEVE_RULES_MISSING_TIMEOUT_H
#define PGSIEVE_RULES_MISSING_TIMEOUT_H

#include <stdlib.h>
#include <string.h>

#include "lint/rule.h"
#include "lint/run.h"

/* What the rule says about its setting. */
struct timeout_rule {
	const struct rule *rule;
	const char *setting;    /* "lock_timeout" */
	const char *config_key; /* "lock-timeout-set-by-runner" */
	const char *example;    /* "'5s'" */
	unsigned work;          /* effect flags an effect needs to count; 0: any */
};

/* Whether a value set for a timeout turns it on: "5s", '1min', 2000 do; 0, '0ms' do not. */
static inline int timeout_value_on(const char *v)
{
	if (!v)
		return 0;
	char *end;
	double d = strtod(v, &end);
	return end != v && d > 0;
}

/* SELECT set_config('lock_timeout', '5s', false): the other way migrations set it. Returns the
 * value, or NULL. */
static inline const char *timeout_set_config(const PgQuery__Node *stmt, const char *setting)
{
	if (stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return NULL;
	const PgQuery__SelectStmt *ss = stmt->select_stmt;
	for (size_t i = 0; i < ss->n_target_list; i++) {
		const PgQuery__Node *t = ss->target_list[i];
		if (t->node_case != PG_QUERY__NODE__NODE_RES_TARGET || !t->res_target->val ||
		    t->res_target->val->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
			continue;
		const PgQuery__FuncCall *fc = t->res_target->val->func_call;
		const char *fn = sql_names_last(fc->funcname, fc->n_funcname);
		if (!fn || strcmp(fn, "set_config") || fc->n_args < 2)
			continue;
		const PgQuery__Node *name = fc->args[0], *value = fc->args[1];
		if (name->node_case != PG_QUERY__NODE__NODE_A_CONST || !name->a_const->sval ||
		    strcmp(name->a_const->sval->sval, setting))
			continue;
		if (value->node_case == PG_QUERY__NODE__NODE_A_CONST && value->a_const->sval)
			return value->a_const->sval->sval;
		return "1"; /* set from an expression: assume it is on */
	}
	return NULL;
}

/* "a SHARE lock", "an ACCESS EXCLUSIVE lock" */
static inline const char *timeout_article(enum lock_mode m)
{
	const char *name = lock_mode_name(m);
	return name[0] == 'A' || name[0] == 'E' ? "an" : "a";
}

static inline int timeout_object_counts(enum effect_object o)
{
	return o != EFFECT_OBJ_VIEW && o != EFFECT_OBJ_SEQUENCE;
}

static inline void timeout_visit(struct lint_ctx *ctx, const struct timeout_rule *tr,
				 const PgQuery__Node *node)
{
	int *state = lint_rule_state(ctx, tr->rule); /* 1: reported, 2: set by set_config() */
	if (*state || lint_config_flag(ctx, tr->config_key))
		return;
	const char *via_function = timeout_set_config(node, tr->setting);
	if (via_function) {
		if (timeout_value_on(via_function))
			*state = 2;
		return;
	}
	if (timeout_value_on(lint_setting(ctx, tr->setting)))
		return;
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	for (size_t i = 0; i < n; i++) {
		if (!lock_blocks_writes(e[i].lock) || !timeout_object_counts(e[i].object) ||
		    (tr->work && !(e[i].flags & tr->work)) || lint_effect_is_new(ctx, &e[i]))
			continue;
		*state = 1;
		PgQuery__RangeVar buf;
		const PgQuery__RangeVar *rv = effect_rangevar(&e[i], &buf);
		const char *rel = rv ? lint_rel(ctx, rv) : "every table";
		if (e[i].role == EFFECT_ROLE_INDEX_TABLE)
			rel = lint_printf(ctx, "the table of %s", rel);
		const char *who = lock_blocks_reads(e[i].lock) ? "every query on" : "every write to";
		const char *command = effects_command(node);
		/* the fix: the SET line at the top of the migration part, where it covers every
		 * statement (a SET outside a transaction lasts for the session; inside the runner's,
		 * until it ends) */
		/* not for a one-statement part of a runner that sends the part as one query, or
		 * can be told to (a fix may add the framework's no-transaction marker): a second
		 * statement would put both in an implicit transaction (where CREATE INDEX
		 * CONCURRENTLY and the like fail) */
		if (lint_fix_possible(ctx) && !lint_setting(ctx, tr->setting) &&
		    !((lint_framework_tx_kind(ctx) == LINT_TX_IMPLICIT || lint_fix_notx_possible(ctx)) &&
		      lint_statement_alone(ctx))) {
			struct lint_fix *fix = lint_fix_new(ctx, lint_printf(ctx, "set %s at the top of the migration", tr->setting));
			lint_fix_replace(ctx, fix, lint_part_start(ctx), 0,
					 lint_printf(ctx, "SET %s = %s;\n", tr->setting, tr->example));
			lint_fix_attach(ctx, fix);
		}
		if (!strcmp(tr->setting, "lock_timeout"))
			lint_report(
				ctx, tr->rule, -1,
				lint_printf(ctx,
					    "put SET lock_timeout = %s; at the top of the migration, so a lock "
					    "that cannot be had quickly gives up instead of stalling the "
					    "application, and retry the migration when it does; if the runner "
					    "sets lock_timeout itself, say so with `%s: true` in .pgsieve.yml",
					    tr->example, tr->config_key),
				"%s waits for %s %s lock on %s with no lock_timeout set: while it waits behind a "
				"long-running query or transaction, %s %s queues behind it",
				command, timeout_article(e[i].lock), lock_mode_name(e[i].lock), rel, who, rel);
		else {
			int maybe = (e[i].flags & EFFECT_MAYBE) != 0;
			const char *work = e[i].flags & EFFECT_REWRITE ? (maybe ? "may rewrite" : "rewrites")
								       : (maybe ? "may read every row of" : "reads every row of");
			lint_report(
				ctx, tr->rule, -1,
				lint_printf(ctx,
					    "put SET statement_timeout = %s; (above the longest statement the "
					    "migration should take) at the top of the migration, so a statement "
					    "that runs or waits too long is cancelled instead of holding its lock; "
					    "if the runner sets statement_timeout itself, say so with `%s: true` "
					    "in .pgsieve.yml",
					    tr->example, tr->config_key),
				"%s holds %s %s lock on %s while it %s it, with no statement_timeout set: "
				"nothing bounds how long %s %s waits for it",
				command, timeout_article(e[i].lock), lock_mode_name(e[i].lock), rel, work, who, rel);
		}
		return;
	}
}

#endif
