/* disable-triggers: ALTER TABLE ... DISABLE TRIGGER (ALL, USER or one by name), and
 * session_replication_role = replica (by SET, set_config() or ALTER ROLE / DATABASE ... SET).
 * Whatever the migration writes while they are off skips the checks and side tables those
 * triggers maintain; DISABLE TRIGGER ALL and replica mode also switch off the internal triggers
 * that enforce foreign keys, so rows that break them go in silently and stay. A trigger left
 * disabled at the end of the migration stays off for the application too, which the message
 * says (decided in finish(), since ENABLE may come later). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_VARIABLE_SET_STMT,
	PG_QUERY__NODE__NODE_FUNC_CALL,
	PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT,
	PG_QUERY__NODE__NODE_ALTER_DATABASE_SET_STMT,
	LINT_KINDS_END,
};

const struct rule rule_disable_triggers = {
	.id = "disable-triggers",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "triggers (and the foreign keys they enforce) switched off",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
};

enum which { TRIG_ALL, TRIG_USER, TRIG_NAMED, REPLICA_MODE };

struct disabled {
	const char *schema, *table; /* schema "" when not written */
	enum which which;
	const char *trigger;        /* TRIG_NAMED; for REPLICA_MODE, how it was set */
	int persists;               /* REPLICA_MODE: ALTER ROLE / DATABASE ... SET */
	int local;                  /* REPLICA_MODE: for the transaction only */
	const char *rel;
	struct lint_mark mark;
	int enabled_again;
	struct disabled *next;
};

struct state {
	struct disabled *list, **tail;
};

static struct state *get_state(struct lint_ctx *ctx)
{
	int fresh;
	struct state *st = lint_rule_memory(ctx, &rule_disable_triggers, sizeof(*st), &fresh);
	if (fresh)
		st->tail = &st->list;
	return st;
}

static int same_table(const struct disabled *d, const PgQuery__RangeVar *rv)
{
	if (d->which == REPLICA_MODE)
		return 0;
	const char *schema = rv->schemaname ? rv->schemaname : "";
	return !strcmp(d->table, rv->relname) &&
	       (!*d->schema || !*schema || !strcmp(d->schema, schema));
}

/* ENABLE TRIGGER ALL covers everything; USER covers user triggers; a name covers that one. */
static void enable(struct state *st, const PgQuery__RangeVar *rv, enum which which, const char *name)
{
	for (struct disabled *d = st->list; d; d = d->next) {
		if (!same_table(d, rv))
			continue;
		if (which == TRIG_ALL || (which == TRIG_USER && d->which != TRIG_ALL) ||
		    (which == TRIG_NAMED && d->which == TRIG_NAMED && !strcmp(d->trigger, name)))
			d->enabled_again = 1;
	}
}

static void alter_table(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (!as->relation)
		return;
	struct state *st = get_state(ctx);
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		enum which which;
		int disable;
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
			which = TRIG_ALL, disable = 1;
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
			which = TRIG_USER, disable = 1;
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
			which = TRIG_NAMED, disable = 1;
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
			which = TRIG_ALL, disable = 0;
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
			which = TRIG_USER, disable = 0;
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
		case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
			which = TRIG_NAMED, disable = 0;
			break;
		default:
			continue;
		}
		if (!disable) {
			enable(st, as->relation, which, cmd->name);
			continue;
		}
		struct disabled *d = lint_alloc(ctx, sizeof(*d));
		d->schema = lint_keep(ctx, as->relation->schemaname);
		d->table = lint_keep(ctx, as->relation->relname);
		d->which = which;
		d->trigger = lint_keep(ctx, cmd->name);
		d->rel = lint_rel(ctx, as->relation);
		d->mark = lint_mark_here(ctx, -1);
		*st->tail = d;
		st->tail = &d->next;
	}
}

static void add_replica(struct lint_ctx *ctx, int location, const char *how, int persists,
			int local)
{
	struct state *st = get_state(ctx);
	struct disabled *d = lint_alloc(ctx, sizeof(*d));
	d->which = REPLICA_MODE;
	d->trigger = how;
	d->persists = persists;
	d->local = local;
	d->mark = lint_mark_here(ctx, location);
	*st->tail = d;
	st->tail = &d->next;
}

static void report_replica(struct lint_ctx *ctx, const struct disabled *d)
{
	lint_report_mark(
		ctx, &rule_disable_triggers, &d->mark,
		d->persists ? "remove it: a role or database setting outlives the migration; if a data "
			      "load needs replica mode, set it with SET LOCAL inside that load's "
			      "transaction and check the foreign keys afterwards"
			    : "load the data with the triggers on, in batches if it is large; if replica "
			      "mode is really needed, keep it to one transaction with SET LOCAL "
			      "session_replication_role = replica, and check the foreign keys afterwards "
			      "with a query (ALTER TABLE ... VALIDATE CONSTRAINT does not recheck them)",
		"%s switches off every ordinary trigger %s, including the ones that enforce foreign "
		"keys: rows that break them are written silently and stay",
		d->trigger,
		d->persists ? "for every later session, not just this migration"
		: d->local  ? "until the transaction ends"
			    : "for the rest of the session");
}

static int is_replica(const PgQuery__Node *arg)
{
	if (!arg || arg->node_case != PG_QUERY__NODE__NODE_A_CONST)
		return 0;
	const PgQuery__AConst *c = arg->a_const;
	return c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval && !strcmp(c->sval->sval, "replica");
}

static void variable_set(struct lint_ctx *ctx, const PgQuery__VariableSetStmt *vs)
{
	if (!vs || strcmp(vs->name, "session_replication_role") ||
	    vs->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE || !vs->n_args ||
	    !is_replica(vs->args[0]))
		return;
	/* a function's SET clause applies only while the function runs; the function is not
	 * called by this statement */
	const PgQuery__Node *parent = lint_parent(ctx, 0);
	if (parent && parent->node_case == PG_QUERY__NODE__NODE_DEF_ELEM)
		return;
	const PgQuery__Node *stmt = lint_statement(ctx);
	int persists = stmt->node_case == PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT ||
		       stmt->node_case == PG_QUERY__NODE__NODE_ALTER_DATABASE_SET_STMT;
	const char *how = "SET session_replication_role = replica";
	if (stmt->node_case == PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT)
		how = "ALTER ROLE ... SET session_replication_role = replica";
	else if (stmt->node_case == PG_QUERY__NODE__NODE_ALTER_DATABASE_SET_STMT)
		how = "ALTER DATABASE ... SET session_replication_role = replica";
	else if (vs->is_local)
		how = "SET LOCAL session_replication_role = replica";
	add_replica(ctx, -1, how, persists, vs->is_local);
}

/* set_config('session_replication_role', 'replica', is_local) */
static void func_call(struct lint_ctx *ctx, const PgQuery__FuncCall *fc)
{
	const char *name = sql_names_last(fc->funcname, fc->n_funcname);
	if (!name || strcmp(name, "set_config") || fc->n_args < 2)
		return;
	/* in a function's SQL body it runs when the function is called, not now */
	if (lint_statement(ctx)->node_case == PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT)
		return;
	const PgQuery__Node *a = fc->args[0];
	if (a->node_case != PG_QUERY__NODE__NODE_A_CONST || a->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL ||
	    !a->a_const->sval || strcmp(a->a_const->sval->sval, "session_replication_role") ||
	    !is_replica(fc->args[1]))
		return;
	/* the third argument: true is like SET LOCAL */
	int local = fc->n_args >= 3 && fc->args[2]->node_case == PG_QUERY__NODE__NODE_A_CONST &&
		    fc->args[2]->a_const->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL &&
		    fc->args[2]->a_const->boolval && fc->args[2]->a_const->boolval->boolval;
	add_replica(ctx, fc->location, "set_config('session_replication_role', 'replica')", 0, local);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
		alter_table(ctx, node->alter_table_stmt);
	else if (node->node_case == PG_QUERY__NODE__NODE_VARIABLE_SET_STMT)
		variable_set(ctx, node->variable_set_stmt);
	/* their SET is a message of its own, not a node the walk visits */
	else if (node->node_case == PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT)
		variable_set(ctx, node->alter_role_set_stmt->setstmt);
	else if (node->node_case == PG_QUERY__NODE__NODE_ALTER_DATABASE_SET_STMT)
		variable_set(ctx, node->alter_database_set_stmt->setstmt);
	else
		func_call(ctx, node->func_call);
}

static void finish(struct lint_ctx *ctx)
{
	struct state *st = *lint_rule_data(ctx, &rule_disable_triggers);
	if (!st)
		return;
	for (const struct disabled *d = st->list; d; d = d->next) {
		if (d->which == REPLICA_MODE) {
			report_replica(ctx, d);
			continue;
		}
		const char *left = d->enabled_again ? ""
						    : "; the migration never enables them again, so they "
						      "stay off for the application too";
		const char *which = d->which == TRIG_NAMED ? lint_ident(ctx, d->trigger) : "USER";
		const char *help = lint_printf(
			ctx,
			"do the data change with the triggers on, in batches if it is large; if they "
			"must be off, disable and enable them in one transaction (BEGIN; ALTER TABLE %s "
			"DISABLE TRIGGER %s; ...; ALTER TABLE %s ENABLE TRIGGER %s; COMMIT;) and check "
			"afterwards what they would have done",
			d->rel, which, d->rel, which);
		switch (d->which) {
		case TRIG_ALL:
			lint_report_mark(ctx, &rule_disable_triggers, &d->mark,
					 lint_printf(ctx, "%s; DISABLE TRIGGER USER at least keeps the foreign "
							  "keys enforced",
						     help),
					 "ALTER TABLE %s DISABLE TRIGGER ALL also switches off the internal "
					 "triggers that enforce foreign keys: rows written meanwhile are not "
					 "checked against them, nor by the user triggers%s",
					 d->rel, left);
			break;
		case TRIG_USER:
			lint_report_mark(ctx, &rule_disable_triggers, &d->mark, help,
					 "ALTER TABLE %s DISABLE TRIGGER USER switches off every user trigger "
					 "on the table: what they check or maintain (audit rows, derived "
					 "columns, other tables) is skipped for rows written meanwhile%s",
					 d->rel, left);
			break;
		default:
			lint_report_mark(ctx, &rule_disable_triggers, &d->mark, help,
					 "ALTER TABLE %s DISABLE TRIGGER %s: what the trigger checks or "
					 "maintains is skipped for rows written meanwhile%s",
					 d->rel, lint_ident(ctx, d->trigger),
					 d->enabled_again ? ""
							  : "; the migration never enables it again, so it "
							    "stays off for the application too");
			break;
		}
	}
}
