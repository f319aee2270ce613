/* disable-row-security: ALTER TABLE ... DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY
 * and DROP POLICY on a table that existed before the migration. Each one silently widens (or,
 * for a permissive policy, narrows) what roles see, with no error anywhere.
 *
 * DROP POLICY followed by CREATE POLICY of the same name on the same table later in the
 * migration is how a policy is replaced, so it is left alone; so is anything done to a table the
 * migration created (its policies are not in use yet). Deciding that needs the rest of the
 * migration: drops are remembered and reported in finish(). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_DROP_STMT,
	PG_QUERY__NODE__NODE_CREATE_POLICY_STMT,
	LINT_KINDS_END,
};

const struct rule rule_disable_row_security = {
	.id = "disable-row-security",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_SECURITY,
	.summary = "row-level security switched off or a policy dropped",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
};

struct policy_ref {
	const char *schema, *table, *policy; /* schema "" when not written */
	const char *display;                 /* "p" ON "public"."t" */
	const char *rel;                     /* "public"."t" */
	struct lint_mark mark;
	int permissive; /* 1, 0, or -1 when the model does not know the policy */
	int recreated;
	struct policy_ref *next;
};

struct state {
	struct policy_ref *drops; /* newest first */
	struct policy_ref *created;
};

static struct state *get_state(struct lint_ctx *ctx)
{
	return lint_rule_memory(ctx, &rule_disable_row_security, sizeof(struct state), NULL);
}

/* An unqualified table name means the same table as a qualified one: the search_path decides,
 * and migrations rarely mix spellings for different tables of the same name. */
static int same_table(const struct policy_ref *a, const char *schema, const char *table)
{
	return !strcmp(a->table, table) && (!*a->schema || !*schema || !strcmp(a->schema, schema));
}

static void disable(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (!as->relation || lint_table_is_new(ctx, as->relation))
		return;
	const char *rel = lint_rel(ctx, as->relation);
	size_t i = 0;
	const PgQuery__AlterTableCmd *cmd;
	while ((cmd = sql_alter_next(as, &i, 0))) {
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
			lint_report(ctx, &rule_disable_row_security, -1,
				    lint_printf(ctx,
						"keep row-level security on and change what it allows with the "
						"policies: CREATE POLICY ... ON %s, ALTER POLICY ... ON %s; a role "
						"that must see every row can be given BYPASSRLS instead",
						rel, rel),
				    "ALTER TABLE %s DISABLE ROW LEVEL SECURITY switches off every policy on "
				    "the table: each role with table privileges reads and changes all rows",
				    rel);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
			lint_report(ctx, &rule_disable_row_security, -1,
				    lint_printf(ctx,
						"keep ALTER TABLE %s FORCE ROW LEVEL SECURITY, and give a policy "
						"to the owner role for the rows it really needs",
						rel),
				    "ALTER TABLE %s NO FORCE ROW LEVEL SECURITY exempts the table's owner "
				    "from its policies: code that connects as the owner sees and changes "
				    "every row again",
				    rel);
			break;
		default:
			break;
		}
	}
}

/* DROP POLICY objects are lists of String nodes: [schema,] table, policy. */
static int policy_object(const PgQuery__Node *obj, const char **schema, const char **table,
			 const char **policy)
{
	if (!obj || obj->node_case != PG_QUERY__NODE__NODE_LIST || obj->list->n_items < 2)
		return -1;
	const PgQuery__List *l = obj->list;
	size_t n = l->n_items;
	*policy = sql_node_str(l->items[n - 1]);
	*table = sql_node_str(l->items[n - 2]);
	*schema = n >= 3 ? sql_node_str(l->items[n - 3]) : "";
	return *policy && *table && *schema ? 0 : -1;
}

static void drop_policy(struct lint_ctx *ctx, const PgQuery__DropStmt *ds)
{
	struct state *st = get_state(ctx);
	for (size_t i = 0; i < ds->n_objects; i++) {
		const char *schema, *table, *policy;
		if (policy_object(ds->objects[i], &schema, &table, &policy) < 0)
			continue;
		PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
		rv.relname = (char *)table;
		rv.schemaname = (char *)schema;
		if (lint_table_is_new(ctx, &rv))
			continue;
		/* a policy this migration created and now drops again was never in force */
		int own = 0;
		for (const struct policy_ref *c = st->created; c && !own; c = c->next)
			own = same_table(c, schema, table) && !strcmp(c->policy, policy);
		if (own)
			continue;
		struct policy_ref *d = lint_alloc(ctx, sizeof(*d));
		d->schema = lint_keep(ctx, schema);
		d->table = lint_keep(ctx, table);
		d->policy = lint_keep(ctx, policy);
		d->rel = lint_rel(ctx, &rv);
		d->permissive = -1;
		const struct schema_table *t = lint_table(ctx, &rv);
		if (t) {
			char *key = lint_printf(ctx, "%s.%s", t->schema, t->name);
			const struct schema_policy *known = schema_object_find(lint_model(ctx), SCHEMA_KIND_POLICY, key, policy);
			if (known)
				d->permissive = known->permissive != 0;
		}
		d->display = lint_printf(ctx, "%s ON %s", lint_ident(ctx, policy), d->rel);
		d->mark = lint_mark_here(ctx, -1);
		d->next = st->drops;
		st->drops = d;
	}
}

static void create_policy(struct lint_ctx *ctx, const PgQuery__CreatePolicyStmt *cp)
{
	if (!cp->table)
		return;
	struct state *st = get_state(ctx);
	const char *schema = cp->table->schemaname ? cp->table->schemaname : "";
	for (struct policy_ref *d = st->drops; d; d = d->next)
		if (same_table(d, schema, cp->table->relname) && !strcmp(d->policy, cp->policy_name))
			d->recreated = 1;
	struct policy_ref *c = lint_alloc(ctx, sizeof(*c));
	c->schema = lint_keep(ctx, schema);
	c->table = lint_keep(ctx, cp->table->relname);
	c->policy = lint_keep(ctx, cp->policy_name);
	c->next = st->created;
	st->created = c;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT)
		disable(ctx, node->alter_table_stmt);
	else if (node->node_case == PG_QUERY__NODE__NODE_DROP_STMT &&
		 node->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY)
		drop_policy(ctx, node->drop_stmt);
	else if (node->node_case == PG_QUERY__NODE__NODE_CREATE_POLICY_STMT)
		create_policy(ctx, node->create_policy_stmt);
}

static void finish(struct lint_ctx *ctx)
{
	struct state *st = *lint_rule_data(ctx, &rule_disable_row_security);
	if (!st)
		return;
	/* the list is newest first: reverse it so findings come in file order */
	struct policy_ref *ordered = NULL;
	for (struct policy_ref *d = st->drops, *next; d; d = next) {
		next = d->next;
		d->next = ordered;
		ordered = d;
	}
	st->drops = ordered;
	for (const struct policy_ref *d = ordered; d; d = d->next) {
		if (d->recreated)
			continue;
		lint_report_mark(ctx, &rule_disable_row_security, &d->mark,
				 lint_printf(ctx,
					     "change a policy in place with ALTER POLICY %s USING (...) WITH "
					     "CHECK (...), or drop and create it again in one transaction "
					     "(BEGIN; DROP POLICY %s; CREATE POLICY ...; COMMIT;)",
					     d->display, d->display),
				 "DROP POLICY %s changes which rows roles see: %s", d->display,
				 d->permissive == 1 ? "the rows this permissive policy allowed disappear "
						      "for the roles it covered (with no permissive policy "
						      "left, they see no rows at all)"
				 : d->permissive == 0 ? "the rows this restrictive policy hid become visible"
						      : "if it was restrictive, the rows it hid become "
							"visible; if it was permissive, the rows it allowed "
							"disappear");
	}
}
