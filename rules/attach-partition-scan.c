/* ALTER TABLE parent ATTACH PARTITION child reads every row of child to check it against the
 * partition bound, holding ACCESS EXCLUSIVE on child the whole time (and, before PostgreSQL 12,
 * on the parent too). PostgreSQL skips the scan when a valid CHECK constraint on child already
 * implies the bound; such a constraint can be added NOT VALID and validated under SHARE UPDATE
 * EXCLUSIVE, which lets reads and writes go on.
 *
 * Whether a CHECK implies the bound needs the server's predicate prover; the rule approximates
 * it: a CHECK constraint added to the partition earlier in the migration and validated (added
 * without NOT VALID, or VALIDATE CONSTRAINT since) counts as matching. A partition created
 * earlier in the migration is empty (or was filled by the migration), so it is not reported,
 * and neither is a foreign table created in it (PostgreSQL does not scan foreign tables). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_CREATE_STMT, PG_QUERY__NODE__NODE_CREATE_FOREIGN_TABLE_STMT,
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, LINT_KINDS_END,
};

const struct rule rule_attach_partition_scan = {
	.id = "attach-partition-scan",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "ATTACH PARTITION scans the partition under lock unless a matching CHECK constraint proves the bound",
	.kinds = kinds,
	.visit = visit,
};

/* What the migration has shown so far: CHECK constraints added to tables, and the partition
 * key of partitioned tables it created (for the help's CHECK). Names are copied into the run's
 * memory, since the tree they come from is freed after each statement. */
struct check {
	const char *schema, *table, *name; /* name "" when the constraint was added unnamed */
	int validated;
	struct check *next;
};

/* column NULL: a foreign table the migration created */
struct partkey {
	const char *schema, *table, *column;
	struct partkey *next;
};

struct seen {
	struct check *checks;
	struct partkey *keys;
};

static struct seen *seen_of(struct lint_ctx *ctx)
{
	return lint_rule_memory(ctx, &rule_attach_partition_scan, sizeof(struct seen), NULL);
}

static const char *schema_of(const PgQuery__RangeVar *rv)
{
	return *rv->schemaname ? rv->schemaname : "public";
}

static int same_table(const char *schema, const char *table, const PgQuery__RangeVar *rv)
{
	return !strcmp(schema, schema_of(rv)) && !strcmp(table, rv->relname);
}

static void remember_check(struct lint_ctx *ctx, struct seen *s, const PgQuery__RangeVar *rv,
			   const PgQuery__Constraint *con)
{
	struct check *c = lint_alloc(ctx, sizeof(*c));
	c->schema = lint_printf(ctx, "%s", schema_of(rv));
	c->table = lint_printf(ctx, "%s", rv->relname);
	c->name = lint_printf(ctx, "%s", con->conname);
	c->validated = !con->skip_validation;
	c->next = s->checks;
	s->checks = c;
}

/* VALIDATE CONSTRAINT (validated = 1) or DROP CONSTRAINT (validated = -1: forget it). */
static void update_check(struct seen *s, const PgQuery__RangeVar *rv, const char *name, int validated)
{
	for (struct check **p = &s->checks; *p; p = &(*p)->next) {
		struct check *c = *p;
		if (!*name || strcmp(c->name, name) || !same_table(c->schema, c->table, rv))
			continue;
		if (validated < 0)
			*p = c->next;
		else
			c->validated = 1;
		return;
	}
}

static int has_valid_check(const struct seen *s, const PgQuery__RangeVar *rv)
{
	for (const struct check *c = s->checks; c; c = c->next)
		if (c->validated && same_table(c->schema, c->table, rv))
			return 1;
	return 0;
}

static const struct partkey *partkey_of(const struct seen *s, const PgQuery__RangeVar *rv)
{
	for (const struct partkey *k = s->keys; k; k = k->next)
		if (same_table(k->schema, k->table, rv))
			return k;
	return NULL;
}

static void on_create(struct lint_ctx *ctx, const PgQuery__CreateStmt *cs, int foreign)
{
	const PgQuery__PartitionSpec *ps = cs->partspec;
	const char *column = NULL;
	if (!cs->relation)
		return;
	if (!foreign) {
		/* an expression or several columns: no one-column CHECK to suggest */
		if (!ps || ps->n_part_params != 1 ||
		    ps->part_params[0]->node_case != PG_QUERY__NODE__NODE_PARTITION_ELEM ||
		    !*ps->part_params[0]->partition_elem->name)
			return;
		column = lint_ident(ctx, ps->part_params[0]->partition_elem->name);
	}
	struct seen *s = seen_of(ctx);
	struct partkey *k = lint_alloc(ctx, sizeof(*k));
	k->schema = lint_printf(ctx, "%s", schema_of(cs->relation));
	k->table = lint_printf(ctx, "%s", cs->relation->relname);
	k->column = column;
	k->next = s->keys;
	s->keys = k;
}

static int is_word(const PgQuery__Node *n, const char *word)
{
	if (!n || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || n->column_ref->n_fields != 1)
		return 0;
	const char *s = sql_node_str(n->column_ref->fields[0]);
	return s && !strcmp(s, word);
}

static int is_null(const PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->isnull;
}

/* text as an SQL string literal */
static const char *literal(struct lint_ctx *ctx, const char *text)
{
	size_t n = strlen(text), o = 0;
	char *out = lint_alloc(ctx, 2 * n + 3);
	out[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\'')
			out[o++] = '\'';
		out[o++] = text[i];
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* A CHECK condition that implies the bound, for a one-column key; NULL when the bound is not
 * one PostgreSQL states as a simple condition (DEFAULT, several columns, an expression that
 * does not deparse). */
static const char *bound_condition(struct lint_ctx *ctx, const PgQuery__PartitionBoundSpec *b,
				   const char *key, const char *parent)
{
	if (!b || b->is_default)
		return NULL;
	if (!strcmp(b->strategy, "r")) {
		if (b->n_lowerdatums != 1 || b->n_upperdatums != 1)
			return NULL;
		const char *cond = lint_printf(ctx, "%s IS NOT NULL", key);
		if (!is_word(b->lowerdatums[0], "minvalue")) {
			const char *lo = lint_expr_sql(ctx, b->lowerdatums[0]);
			if (!lo)
				return NULL;
			cond = lint_printf(ctx, "%s AND %s >= %s", cond, key, lo);
		}
		if (!is_word(b->upperdatums[0], "maxvalue")) {
			const char *hi = lint_expr_sql(ctx, b->upperdatums[0]);
			if (!hi)
				return NULL;
			cond = lint_printf(ctx, "%s AND %s < %s", cond, key, hi);
		}
		return cond;
	}
	if (!strcmp(b->strategy, "l")) {
		const char *list = NULL;
		int with_null = 0;
		for (size_t i = 0; i < b->n_listdatums; i++) {
			if (is_null(b->listdatums[i])) {
				with_null = 1;
				continue;
			}
			const char *v = lint_expr_sql(ctx, b->listdatums[i]);
			if (!v)
				return NULL;
			list = list ? lint_printf(ctx, "%s, %s", list, v) : v;
		}
		if (!list)
			return with_null ? lint_printf(ctx, "%s IS NULL", key) : NULL;
		return with_null ? lint_printf(ctx, "%s IS NULL OR %s IN (%s)", key, key, list)
				 : lint_printf(ctx, "%s IS NOT NULL AND %s IN (%s)", key, key, list);
	}
	if (!strcmp(b->strategy, "h")) {
		/* the server states a hash bound with this function */
		return lint_printf(ctx, "satisfies_hash_partition(%s::regclass, %d, %d, %s)",
				   literal(ctx, parent), b->modulus, b->remainder, key);
	}
	return NULL;
}

static void on_attach(struct lint_ctx *ctx, const struct seen *s, const PgQuery__AlterTableStmt *as,
		      const PgQuery__PartitionCmd *pc, const struct effect *parent_e,
		      const struct effect *part_e)
{
	const PgQuery__RangeVar *part = pc->name;
	const struct partkey *foreign = part ? partkey_of(s, part) : NULL;
	if (!part || lint_effect_is_new(ctx, part_e) || has_valid_check(s, part) ||
	    (foreign && !foreign->column))
		return;
	const char *parent = lint_rel(ctx, as->relation), *child = lint_rel(ctx, part);
	const struct partkey *pk = partkey_of(s, as->relation);
	const char *key = pk ? pk->column : NULL;
	const char *cond = bound_condition(ctx, pc->bound, key ? key : "<partition key>", parent);
	const char *con = lint_ident(ctx, lint_printf(ctx, "%s_bound", part->relname));
	const char *help;
	if (cond)
		help = lint_printf(
			ctx,
			"prove the bound first with a CHECK constraint that is validated without blocking "
			"(SHARE UPDATE EXCLUSIVE), so ATTACH skips the scan: ALTER TABLE %s ADD CONSTRAINT "
			"%s CHECK (%s) NOT VALID; ALTER TABLE %s VALIDATE CONSTRAINT %s; then the ATTACH "
			"PARTITION; then ALTER TABLE %s DROP CONSTRAINT %s;%s",
			child, con, cond, child, con, child, con,
			key ? "" : " where <partition key> is the partition key column of the parent");
	else
		help = lint_printf(
			ctx,
			"prove the bound first with a CHECK constraint on %s that states it (the "
			"partition constraint of the bound), added NOT VALID and then validated with "
			"VALIDATE CONSTRAINT, which lets reads and writes go on; ATTACH then skips the "
			"scan, and the CHECK can be dropped after it",
			child);
	const char *also = "";
	if (parent_e && parent_e->lock == LOCK_ACCESS_EXCLUSIVE)
		also = lint_printf(ctx, ", and %s is locked %s too (PostgreSQL %d): every query on the "
					"partitioned table waits as well",
				   parent, lock_mode_name(parent_e->lock), lint_pg_version(ctx));
	lint_report(ctx, &rule_attach_partition_scan, part->location, help,
		    "ALTER TABLE %s ATTACH PARTITION %s reads every row of %s to check the partition "
		    "bound while holding an %s lock on it: it %s of %s until the scan ends%s",
		    parent, child, child, lock_mode_name(part_e->lock), lock_mode_blocks(part_e->lock),
		    child, also);
}

static void on_alter(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as)
{
	if (!as->relation || as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	struct seen *s = seen_of(ctx);
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	const struct effect *parent_e = NULL;
	for (size_t i = 0; i < n; i++) {
		const PgQuery__AlterTableCmd *cmd = e[i].cause->alter_table_cmd;
		if (e[i].role == EFFECT_ROLE_PARENT)
			parent_e = &e[i];
		if (e[i].role == EFFECT_ROLE_PARTITION &&
		    cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition)
			on_attach(ctx, s, as, cmd->def->partition_cmd, parent_e, &e[i]);
		if (e[i].role != EFFECT_ROLE_TARGET)
			continue;
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
			if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
			    cmd->def->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
				remember_check(ctx, s, as->relation, cmd->def->constraint);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
			update_check(s, as->relation, cmd->name, 1);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
			update_check(s, as->relation, cmd->name, -1);
			break;
		default:
			break;
		}
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_CREATE_STMT)
		on_create(ctx, node->create_stmt, 0);
	else if (node->node_case == PG_QUERY__NODE__NODE_CREATE_FOREIGN_TABLE_STMT)
		on_create(ctx, node->create_foreign_table_stmt->base_stmt, 1);
	else
		on_alter(ctx, node->alter_table_stmt);
}
