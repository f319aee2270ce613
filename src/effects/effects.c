/* The lock table. Three layers of data:
 *
 *  - stmt_facts: per statement kind, its name and, for the statements that touch one relation
 *    in one fixed way, the lock, the flags and which field holds the relation;
 *  - at_facts: per ALTER TABLE subcommand, the lock and flags (with the release that changed
 *    them), and a refine() for the subcommands whose effect depends on their arguments;
 *  - constraint_facts, drop_facts, rename_facts, reloption_facts: the same for ADD CONSTRAINT
 *    kinds, DROP object kinds, RENAME object kinds and storage parameters.
 *
 * Sources: the PostgreSQL 10-17 reference pages of each command (ALTER TABLE lists each
 * subcommand's lock), the "Explicit Locking" chapter, and AlterTableGetLockLevel() /
 * AlterTableGetRelOptionsLockLevel() in the server, which decide ALTER TABLE's lock. */
#include "effects/effects.h"

#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "effects/types.h"
#include "effects/volatility.h"
#include "sql/tree.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct collect {
	struct effect *out;
	size_t n, max;
	int pg;
	const PgQuery__Node *stmt;
};

static void add(struct collect *c, const struct effect *e)
{
	if (c->n < c->max)
		c->out[c->n++] = *e;
}

static struct effect rel_effect(const PgQuery__RangeVar *rv, enum effect_object object,
				enum effect_role role, enum lock_mode lock, unsigned flags,
				const PgQuery__Node *cause)
{
	struct effect e = { 0 };
	e.rel = rv;
	e.schema = rv && *rv->schemaname ? rv->schemaname : NULL;
	e.name = rv ? rv->relname : NULL;
	e.object = object;
	e.role = role;
	e.lock = e.cmd_lock = lock;
	e.flags = flags;
	e.cause = cause;
	e.location = rv ? rv->location : -1;
	return e;
}

/* A relation named by a list of String nodes: [[catalog,] schema,] name, with `strip` more
 * names after it (a trigger's or a column's name). */
static struct effect list_effect(const PgQuery__Node *list, size_t strip, enum effect_object object,
				 enum effect_role role, enum lock_mode lock, unsigned flags,
				 const PgQuery__Node *cause)
{
	struct effect e = rel_effect(NULL, object, role, lock, flags, cause);
	if (!list || list->node_case != PG_QUERY__NODE__NODE_LIST || !list->list)
		return e;
	const PgQuery__List *l = list->list;
	if (l->n_items <= strip)
		return e;
	size_t n = l->n_items - strip;
	e.name = sql_node_str(l->items[n - 1]);
	if (n >= 2)
		e.schema = sql_node_str(l->items[n - 2]);
	return e;
}

static struct effect all_effect(enum lock_mode lock, unsigned flags, const PgQuery__Node *cause)
{
	struct effect e = rel_effect(NULL, EFFECT_OBJ_ALL, EFFECT_ROLE_TARGET, lock, flags, cause);
	return e;
}

/* ---- reading the tree ---- */

/* The message inside a Node's oneof, found through protobuf-c's descriptors so that the
 * statement table can name a RangeVar field instead of a handler per statement. */
static const ProtobufCMessage *node_message(const PgQuery__Node *n)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, (unsigned)n->node_case);
	if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return NULL;
	return *(const ProtobufCMessage *const *)((const char *)n + f->offset);
}

static const PgQuery__RangeVar *message_rangevar(const ProtobufCMessage *m, const char *field)
{
	if (!m)
		return NULL;
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor, field);
	if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED ||
	    f->descriptor != &pg_query__range_var__descriptor)
		return NULL;
	return *(const PgQuery__RangeVar *const *)((const char *)m + f->offset);
}

/* A generic option's value as a boolean: `(FULL)`, `(FULL true)`, `(FULL on)`, `(FULL 1)`. */
static int defelem_true(const PgQuery__DefElem *d)
{
	const PgQuery__Node *a = d->arg;
	if (!a)
		return 1;
	if (a->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
		return a->boolean ? a->boolean->boolval : 0;
	if (a->node_case == PG_QUERY__NODE__NODE_INTEGER)
		return a->integer ? a->integer->ival != 0 : 0;
	const char *s = sql_node_str(a);
	if (s)
		return strcmp(s, "false") && strcmp(s, "off") && strcmp(s, "0") && strcmp(s, "no");
	return 1;
}

/* -1 when the option list does not name `name`, else whether it is set. */
static int option(PgQuery__Node *const *opts, size_t n, const char *name)
{
	int v = -1;
	for (size_t i = 0; i < n; i++)
		if (opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
		    !strcmp(opts[i]->def_elem->defname, name))
			v = defelem_true(opts[i]->def_elem);
	return v;
}

static int same_rel(const PgQuery__RangeVar *a, const PgQuery__RangeVar *b)
{
	return a && b && !strcmp(a->relname, b->relname) && !strcmp(a->schemaname, b->schemaname);
}

/* What a default costs on PostgreSQL 11+: a non-volatile one is evaluated once and kept in the
 * catalog; a volatile one is evaluated for every row, which rewrites the table; one that calls
 * a function pgsieve does not know may do either. */
static unsigned default_flags(const PgQuery__Node *e)
{
	switch (expr_volatility(e, NULL)) {
	case VOLATILITY_VOLATILE:
		return EFFECT_REWRITE;
	case VOLATILITY_UNKNOWN:
		return EFFECT_REWRITE | EFFECT_MAYBE;
	default:
		return 0;
	}
}

/* ---- ALTER TABLE ---- */

struct refine_ctx {
	struct collect *c;
	const PgQuery__AlterTableStmt *as;
	const PgQuery__AlterTableCmd *cmd;
	const PgQuery__Node *cause;
	struct effect *target;       /* the statement's relation; refine may change lock and flags */
	struct effect extra[4];      /* other relations the subcommand locks */
	size_t nextra;
};

static void add_extra(struct refine_ctx *r, const struct effect *e)
{
	if (r->nextra < COUNT(r->extra))
		r->extra[r->nextra++] = *e;
}

/* What each kind of constraint costs when it is added to an existing table. */
static const struct constraint_fact {
	enum lock_mode lock;
	unsigned flags;       /* validated as it is added (the default) */
	unsigned not_valid;   /* with NOT VALID: CHECK and FOREIGN KEY only */
	unsigned using_index; /* with USING INDEX: PRIMARY KEY and UNIQUE only */
} constraint_facts[] = {
	[PG_QUERY__CONSTR_TYPE__CONSTR_CHECK] = { LOCK_ACCESS_EXCLUSIVE, EFFECT_SCAN | EFFECT_VALIDATE,
						  EFFECT_CATALOG, 0 },
	/* SHARE ROW EXCLUSIVE on both tables: it adds triggers to each */
	[PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN] = { LOCK_SHARE_ROW_EXCLUSIVE, EFFECT_SCAN | EFFECT_VALIDATE,
						    EFFECT_CATALOG, 0 },
	/* builds a unique index, like CREATE UNIQUE INDEX but under ACCESS EXCLUSIVE; USING INDEX
	 * only renames an index built before, but a PRIMARY KEY also sets NOT NULL, which scans
	 * the table when a column is not NOT NULL yet */
	[PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY] = { LOCK_ACCESS_EXCLUSIVE, EFFECT_SCAN | EFFECT_VALIDATE, 0,
						    EFFECT_CATALOG | EFFECT_SCAN | EFFECT_MAYBE },
	[PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE] = { LOCK_ACCESS_EXCLUSIVE, EFFECT_SCAN | EFFECT_VALIDATE, 0,
						   EFFECT_CATALOG },
	/* no CONCURRENTLY and no USING INDEX exist for exclusion constraints */
	[PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION] = { LOCK_ACCESS_EXCLUSIVE, EFFECT_SCAN | EFFECT_VALIDATE, 0,
						      0 },
};

static const struct constraint_fact *constraint_fact(PgQuery__ConstrType t)
{
	static const struct constraint_fact other = { LOCK_ACCESS_EXCLUSIVE, EFFECT_CATALOG, EFFECT_CATALOG,
						       EFFECT_CATALOG };
	if ((size_t)t < COUNT(constraint_facts) && constraint_facts[t].lock != LOCK_NONE)
		return &constraint_facts[t];
	return &other;
}

static void refine_add_constraint(struct refine_ctx *r)
{
	const PgQuery__Node *def = r->cmd->def;
	if (!def || def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
		return;
	const PgQuery__Constraint *con = def->constraint;
	const struct constraint_fact *f = constraint_fact(con->contype);
	unsigned flags = f->flags;
	if (con->skip_validation && f->not_valid)
		flags = f->not_valid;
	else if (*con->indexname && f->using_index)
		flags = f->using_index;
	r->target->lock = f->lock;
	r->target->flags = flags;
	r->target->location = con->location;
	if (con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN && con->pktable &&
	    !same_rel(con->pktable, r->as->relation)) {
		struct effect e = rel_effect(con->pktable, EFFECT_OBJ_TABLE, EFFECT_ROLE_REFERENCED,
					     LOCK_SHARE_ROW_EXCLUSIVE, flags, r->cause);
		add_extra(r, &e);
	}
}

/* The constraints written on a new column add to ADD COLUMN's own cost. */
static void refine_add_column(struct refine_ctx *r)
{
	const PgQuery__Node *def = r->cmd->def;
	if (!def || def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
		return;
	const PgQuery__ColumnDef *cd = def->column_def;
	unsigned flags = EFFECT_CATALOG;
	struct sql_type ty;
	sql_type_from_node(cd->type_name, &ty);
	/* serial columns get DEFAULT nextval(), evaluated for each row */
	if (type_is_serial(ty.name))
		flags |= EFFECT_REWRITE;
	if (cd->raw_default)
		flags |= r->c->pg < 11 ? EFFECT_REWRITE : default_flags(cd->raw_default);
	for (size_t i = 0; i < cd->n_constraints; i++) {
		const PgQuery__Node *n = cd->constraints[i];
		if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		const PgQuery__Constraint *con = n->constraint;
		switch (con->contype) {
		case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
			/* before 11 any default was written into each row */
			flags |= r->c->pg < 11 ? EFFECT_REWRITE : default_flags(con->raw_expr);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
		case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
			flags |= EFFECT_REWRITE; /* each row gets its own value */
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
		case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
			flags |= EFFECT_SCAN | EFFECT_VALIDATE;
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
			flags |= EFFECT_SCAN | EFFECT_VALIDATE | EFFECT_MAYBE;
			if (con->pktable && !same_rel(con->pktable, r->as->relation)) {
				struct effect e = rel_effect(con->pktable, EFFECT_OBJ_TABLE, EFFECT_ROLE_REFERENCED,
							     LOCK_SHARE_ROW_EXCLUSIVE,
							     EFFECT_SCAN | EFFECT_VALIDATE | EFFECT_MAYBE, r->cause);
				add_extra(r, &e);
			}
			break;
		default:
			break;
		}
	}
	if ((flags & EFFECT_REWRITE) && !(flags & EFFECT_MAYBE))
		flags &= ~(unsigned)EFFECT_CATALOG;
	r->target->flags = flags;
}

static void refine_attach(struct refine_ctx *r)
{
	const PgQuery__Node *def = r->cmd->def;
	if (r->as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !def ||
	    def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD)
		return;
	r->target->role = EFFECT_ROLE_PARENT;
	/* the partition's rows are checked against the bound unless a valid CHECK constraint on
	 * it proves the bound (and the default partition, if any, is scanned for rows that now
	 * belong to the new partition) */
	struct effect e = rel_effect(def->partition_cmd->name, EFFECT_OBJ_TABLE, EFFECT_ROLE_PARTITION,
				     LOCK_ACCESS_EXCLUSIVE, EFFECT_SCAN | EFFECT_VALIDATE | EFFECT_MAYBE,
				     r->cause);
	add_extra(r, &e);
}

static void refine_detach(struct refine_ctx *r)
{
	const PgQuery__Node *def = r->cmd->def;
	if (r->as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !def ||
	    def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD)
		return;
	r->target->role = EFFECT_ROLE_PARENT;
	/* CONCURRENTLY (14+) runs in two transactions, each with SHARE UPDATE EXCLUSIVE on the
	 * parent; the partition is locked ACCESS EXCLUSIVE either way */
	if (def->partition_cmd->concurrent)
		r->target->lock = LOCK_SHARE_UPDATE_EXCLUSIVE;
	struct effect e = rel_effect(def->partition_cmd->name, EFFECT_OBJ_TABLE, EFFECT_ROLE_PARTITION,
				     LOCK_ACCESS_EXCLUSIVE, EFFECT_CATALOG, r->cause);
	add_extra(r, &e);
}

static void refine_inherit(struct refine_ctx *r)
{
	const PgQuery__Node *def = r->cmd->def;
	if (!def || def->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
		return;
	struct effect e = rel_effect(def->range_var, EFFECT_OBJ_TABLE, EFFECT_ROLE_PARENT,
				     LOCK_SHARE_UPDATE_EXCLUSIVE, EFFECT_CATALOG, r->cause);
	add_extra(r, &e);
}

/* Storage parameters whose change takes only SHARE UPDATE EXCLUSIVE (their lockmode in the
 * server's reloptions tables); any other parameter takes ACCESS EXCLUSIVE. */
static const char *const reloption_sue[] = {
	"fillfactor",
	"toast_tuple_target",
	"parallel_workers",
	"autovacuum_enabled",
	"autovacuum_vacuum_threshold",
	"autovacuum_vacuum_insert_threshold",
	"autovacuum_vacuum_scale_factor",
	"autovacuum_vacuum_insert_scale_factor",
	"autovacuum_analyze_threshold",
	"autovacuum_analyze_scale_factor",
	"autovacuum_vacuum_cost_delay",
	"autovacuum_vacuum_cost_limit",
	"autovacuum_freeze_min_age",
	"autovacuum_freeze_max_age",
	"autovacuum_freeze_table_age",
	"autovacuum_multixact_freeze_min_age",
	"autovacuum_multixact_freeze_max_age",
	"autovacuum_multixact_freeze_table_age",
	"log_autovacuum_min_duration",
	"vacuum_index_cleanup",
	"vacuum_truncate",
};

static void refine_reloptions(struct refine_ctx *r)
{
	const PgQuery__Node *def = r->cmd->def;
	if (r->as->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW || !def ||
	    def->node_case != PG_QUERY__NODE__NODE_LIST)
		return; /* a view's options (check_option, security_barrier) take ACCESS EXCLUSIVE */
	const PgQuery__List *l = def->list;
	enum lock_mode lock = LOCK_SHARE_UPDATE_EXCLUSIVE;
	for (size_t i = 0; i < l->n_items; i++) {
		if (l->items[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
			continue;
		const char *name = l->items[i]->def_elem->defname;
		int light = 0;
		for (size_t k = 0; k < COUNT(reloption_sue); k++)
			light |= !strcmp(name, reloption_sue[k]);
		if (!light)
			lock = LOCK_ACCESS_EXCLUSIVE;
	}
	if (l->n_items)
		r->target->lock = lock;
}

/* Per ALTER TABLE subcommand: the lock, what it does, and from which release on (`since`);
 * before that release `old_lock` / `old_flags` apply. */
static const struct at_fact {
	enum lock_mode lock;
	unsigned flags;
	int since;
	enum lock_mode old_lock;
	unsigned old_flags;
	void (*refine)(struct refine_ctx *r);
} at_facts[] = {
#define AT(x) [PG_QUERY__ALTER_TABLE_TYPE__AT_##x]
#define AE LOCK_ACCESS_EXCLUSIVE
#define SUE LOCK_SHARE_UPDATE_EXCLUSIVE
#define SRE LOCK_SHARE_ROW_EXCLUSIVE
#define CAT EFFECT_CATALOG
	AT(AddColumn) = { AE, CAT, 0, 0, 0, refine_add_column },
	AT(AddColumnToView) = { AE, CAT, 0, 0, 0, NULL },
	AT(ColumnDefault) = { AE, CAT, 0, 0, 0, NULL },
	AT(CookedColumnDefault) = { AE, CAT, 0, 0, 0, NULL },
	AT(DropNotNull) = { AE, CAT, 0, 0, 0, NULL },
	/* 12+ skips the scan when a valid CHECK (col IS NOT NULL) proves it */
	AT(SetNotNull) = { AE, EFFECT_SCAN | EFFECT_VALIDATE | EFFECT_MAYBE, 12, AE, EFFECT_SCAN | EFFECT_VALIDATE,
			   NULL },
	AT(DropExpression) = { AE, CAT, 0, 0, 0, NULL },
	/* PostgreSQL 17: the stored column is computed again for every row */
	AT(SetExpression) = { AE, EFFECT_REWRITE, 0, 0, 0, NULL },
	AT(CheckNotNull) = { LOCK_ACCESS_SHARE, CAT, 0, 0, 0, NULL },
	AT(SetStatistics) = { SUE, CAT, 0, 0, 0, NULL },
	AT(SetOptions) = { SUE, CAT, 0, 0, 0, NULL },
	AT(ResetOptions) = { SUE, CAT, 0, 0, 0, NULL },
	AT(SetStorage) = { AE, CAT, 0, 0, 0, NULL },
	AT(SetCompression) = { AE, CAT, 0, 0, 0, NULL },
	AT(DropColumn) = { AE, CAT | EFFECT_DESTROY, 0, 0, 0, NULL },
	AT(AddIndex) = { AE, EFFECT_SCAN | EFFECT_VALIDATE, 0, 0, 0, NULL },
	AT(ReAddIndex) = { AE, EFFECT_SCAN | EFFECT_VALIDATE, 0, 0, 0, NULL },
	AT(AddConstraint) = { AE, CAT, 0, 0, 0, refine_add_constraint },
	AT(ReAddConstraint) = { AE, CAT, 0, 0, 0, refine_add_constraint },
	AT(ReAddDomainConstraint) = { AE, CAT, 0, 0, 0, refine_add_constraint },
	AT(AlterConstraint) = { AE, CAT, 0, 0, 0, NULL },
	AT(ValidateConstraint) = { SUE, EFFECT_SCAN | EFFECT_VALIDATE, 0, 0, 0, NULL },
	AT(AddIndexConstraint) = { AE, CAT, 0, 0, 0, NULL },
	AT(DropConstraint) = { AE, CAT, 0, 0, 0, NULL },
	AT(ReAddComment) = { AE, CAT, 0, 0, 0, NULL },
	/* binary-coercible changes (varchar(10) -> varchar(20), varchar -> text) skip it */
	AT(AlterColumnType) = { AE, EFFECT_REWRITE | EFFECT_MAYBE, 0, 0, 0, NULL },
	AT(AlterColumnGenericOptions) = { AE, CAT, 0, 0, 0, NULL },
	AT(ChangeOwner) = { AE, CAT, 0, 0, 0, NULL },
	AT(ClusterOn) = { SUE, CAT, 0, 0, 0, NULL },
	AT(DropCluster) = { SUE, CAT, 0, 0, 0, NULL },
	AT(SetLogged) = { AE, EFFECT_REWRITE, 0, 0, 0, NULL },
	AT(SetUnLogged) = { AE, EFFECT_REWRITE, 0, 0, 0, NULL },
	AT(DropOids) = { AE, CAT, 0, 0, 0, NULL },
	AT(SetAccessMethod) = { AE, EFFECT_REWRITE, 0, 0, 0, NULL },
	/* copies every block of the table and its indexes to the new tablespace */
	AT(SetTableSpace) = { AE, EFFECT_REWRITE, 0, 0, 0, NULL },
	AT(SetRelOptions) = { AE, CAT, 0, 0, 0, refine_reloptions },
	AT(ResetRelOptions) = { AE, CAT, 0, 0, 0, refine_reloptions },
	AT(ReplaceRelOptions) = { AE, CAT, 0, 0, 0, NULL },
	AT(EnableTrig) = { SRE, CAT, 0, 0, 0, NULL },
	AT(EnableAlwaysTrig) = { SRE, CAT, 0, 0, 0, NULL },
	AT(EnableReplicaTrig) = { SRE, CAT, 0, 0, 0, NULL },
	AT(DisableTrig) = { SRE, CAT, 0, 0, 0, NULL },
	AT(EnableTrigAll) = { SRE, CAT, 0, 0, 0, NULL },
	AT(DisableTrigAll) = { SRE, CAT, 0, 0, 0, NULL },
	AT(EnableTrigUser) = { SRE, CAT, 0, 0, 0, NULL },
	AT(DisableTrigUser) = { SRE, CAT, 0, 0, 0, NULL },
	AT(EnableRule) = { AE, CAT, 0, 0, 0, NULL },
	AT(EnableAlwaysRule) = { AE, CAT, 0, 0, 0, NULL },
	AT(EnableReplicaRule) = { AE, CAT, 0, 0, 0, NULL },
	AT(DisableRule) = { AE, CAT, 0, 0, 0, NULL },
	AT(AddInherit) = { AE, CAT, 0, 0, 0, refine_inherit },
	AT(DropInherit) = { AE, CAT, 0, 0, 0, refine_inherit },
	AT(AddOf) = { AE, CAT, 0, 0, 0, NULL },
	AT(DropOf) = { AE, CAT, 0, 0, 0, NULL },
	AT(ReplicaIdentity) = { AE, CAT, 0, 0, 0, NULL },
	AT(EnableRowSecurity) = { AE, CAT, 0, 0, 0, NULL },
	AT(DisableRowSecurity) = { AE, CAT, 0, 0, 0, NULL },
	AT(ForceRowSecurity) = { AE, CAT, 0, 0, 0, NULL },
	AT(NoForceRowSecurity) = { AE, CAT, 0, 0, 0, NULL },
	AT(GenericOptions) = { AE, CAT, 0, 0, 0, NULL },
	/* 12 lowered the parent's lock from ACCESS EXCLUSIVE */
	AT(AttachPartition) = { SUE, CAT, 12, AE, CAT, refine_attach },
	AT(DetachPartition) = { AE, CAT, 0, 0, 0, refine_detach },
	AT(DetachPartitionFinalize) = { SUE, CAT, 0, 0, 0, refine_detach },
	AT(AddIdentity) = { AE, CAT, 0, 0, 0, NULL },
	AT(SetIdentity) = { AE, CAT, 0, 0, 0, NULL },
	AT(DropIdentity) = { AE, CAT, 0, 0, 0, NULL },
	AT(ReAddStatistics) = { SUE, CAT, 0, 0, 0, NULL },
#undef AT
#undef AE
#undef SUE
#undef SRE
#undef CAT
};

static const struct {
	PgQuery__ObjectType type;
	enum effect_object object;
	const char *alter; /* the command that alters it */
} object_types[] = {
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, EFFECT_OBJ_TABLE, "ALTER TABLE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, EFFECT_OBJ_INDEX, "ALTER INDEX" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, EFFECT_OBJ_VIEW, "ALTER VIEW" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, EFFECT_OBJ_MATVIEW, "ALTER MATERIALIZED VIEW" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, EFFECT_OBJ_SEQUENCE, "ALTER SEQUENCE" },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, EFFECT_OBJ_FOREIGN_TABLE, "ALTER FOREIGN TABLE" },
};

static const char *alter_command(PgQuery__ObjectType t, const char *otherwise)
{
	for (size_t i = 0; i < COUNT(object_types); i++)
		if (object_types[i].type == t)
			return object_types[i].alter;
	return otherwise;
}

static int object_of(PgQuery__ObjectType t, enum effect_object *out)
{
	for (size_t i = 0; i < COUNT(object_types); i++)
		if (object_types[i].type == t) {
			*out = object_types[i].object;
			return 1;
		}
	return 0;
}

static void alter_table_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__AlterTableStmt *as = stmt->alter_table_stmt;
	enum effect_object object;
	if (!as->relation || !object_of(as->objtype, &object))
		return; /* ALTER TYPE of a composite type */
	size_t first = c->n;
	enum lock_mode strongest = LOCK_NONE;
	for (size_t i = 0; i < as->n_cmds; i++) {
		const PgQuery__Node *cn = as->cmds[i];
		if (cn->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		const PgQuery__AlterTableCmd *cmd = cn->alter_table_cmd;
		static const struct at_fact unknown = { LOCK_ACCESS_EXCLUSIVE, EFFECT_CATALOG, 0, 0, 0, NULL };
		const struct at_fact *f = (size_t)cmd->subtype < COUNT(at_facts) &&
						  at_facts[cmd->subtype].lock != LOCK_NONE
					  ? &at_facts[cmd->subtype]
					  : &unknown;
		int old = f->since && c->pg < f->since;
		struct effect t = rel_effect(as->relation, object, EFFECT_ROLE_TARGET,
					     old ? f->old_lock : f->lock, old ? f->old_flags : f->flags, cn);
		struct refine_ctx r = { .c = c, .as = as, .cmd = cmd, .cause = cn, .target = &t };
		if (f->refine)
			f->refine(&r);
		t.cmd_lock = t.lock;
		if (t.lock > strongest)
			strongest = t.lock;
		add(c, &t);
		for (size_t k = 0; k < r.nextra; k++)
			add(c, &r.extra[k]);
	}
	/* PostgreSQL locks the table once, in the strongest mode any subcommand needs */
	for (size_t i = first; i < c->n; i++)
		if (c->out[i].rel == as->relation)
			c->out[i].lock = strongest;
}

/* ---- other statements with options ---- */

static void create_table_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__CreateStmt *cs = stmt->create_stmt;
	/* PARTITION OF locks the parent ACCESS EXCLUSIVE; INHERITS, SHARE UPDATE EXCLUSIVE */
	for (size_t i = 0; i < cs->n_inh_relations; i++) {
		const PgQuery__Node *n = cs->inh_relations[i];
		if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		struct effect e = rel_effect(n->range_var, EFFECT_OBJ_TABLE, EFFECT_ROLE_PARENT,
					     cs->partbound ? LOCK_ACCESS_EXCLUSIVE : LOCK_SHARE_UPDATE_EXCLUSIVE,
					     EFFECT_CATALOG, stmt);
		add(c, &e);
	}
	/* A foreign key adds triggers to the referenced table; the new table is empty, so
	 * nothing is validated. */
	for (size_t i = 0; i < cs->n_table_elts; i++) {
		const PgQuery__Node *n = cs->table_elts[i];
		PgQuery__Node *const *cons = NULL;
		size_t ncons = 0;
		if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
			cons = n->column_def->constraints;
			ncons = n->column_def->n_constraints;
		} else if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
			cons = &cs->table_elts[i];
			ncons = 1;
		} else if (n->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
			struct effect e = rel_effect(n->table_like_clause->relation, EFFECT_OBJ_TABLE,
						     EFFECT_ROLE_SOURCE, LOCK_ACCESS_SHARE, EFFECT_CATALOG, stmt);
			add(c, &e);
		}
		for (size_t k = 0; k < ncons; k++) {
			if (cons[k]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
				continue;
			const PgQuery__Constraint *con = cons[k]->constraint;
			if (con->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN || !con->pktable ||
			    same_rel(con->pktable, cs->relation))
				continue;
			struct effect e = rel_effect(con->pktable, EFFECT_OBJ_TABLE, EFFECT_ROLE_REFERENCED,
						     LOCK_SHARE_ROW_EXCLUSIVE, EFFECT_CATALOG, stmt);
			add(c, &e);
		}
	}
}

static void index_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__IndexStmt *is = stmt->index_stmt;
	/* reads every row to build the index; plain CREATE INDEX holds SHARE (writes wait) */
	struct effect e = rel_effect(is->relation, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET,
				     is->concurrent ? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_SHARE,
				     EFFECT_SCAN | (is->unique ? EFFECT_VALIDATE : 0), stmt);
	add(c, &e);
}

static void view_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__ViewStmt *vs = stmt->view_stmt;
	if (!vs->replace)
		return; /* a new view */
	struct effect e = rel_effect(vs->view, EFFECT_OBJ_VIEW, EFFECT_ROLE_TARGET, LOCK_ACCESS_EXCLUSIVE,
				     EFFECT_CATALOG, stmt);
	add(c, &e);
}

/* Per kind of object DROP removes: what the lock is taken on. */
static const struct {
	PgQuery__ObjectType type;
	const char *command;
	enum effect_object object;
	enum effect_role role;
	size_t strip; /* names after the relation's in each object's list (a trigger's name) */
	enum lock_mode lock, concurrent_lock;
	unsigned flags;
} drop_facts[] = {
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, "DROP TABLE", EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET, 0,
	  LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG | EFFECT_DESTROY },
	/* DROP INDEX locks the index's table too; CONCURRENTLY waits for its users instead */
	{ PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, "DROP INDEX", EFFECT_OBJ_INDEX, EFFECT_ROLE_INDEX_TABLE, 0,
	  LOCK_ACCESS_EXCLUSIVE, LOCK_SHARE_UPDATE_EXCLUSIVE, EFFECT_CATALOG },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, "DROP VIEW", EFFECT_OBJ_VIEW, EFFECT_ROLE_TARGET, 0,
	  LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, "DROP MATERIALIZED VIEW", EFFECT_OBJ_MATVIEW,
	  EFFECT_ROLE_TARGET, 0, LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG | EFFECT_DESTROY },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, "DROP SEQUENCE", EFFECT_OBJ_SEQUENCE, EFFECT_ROLE_TARGET,
	  0, LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG | EFFECT_DESTROY },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, "DROP FOREIGN TABLE", EFFECT_OBJ_FOREIGN_TABLE,
	  EFFECT_ROLE_TARGET, 0, LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG },
	/* triggers, rules and policies: the table they are on */
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER, "DROP TRIGGER", EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET, 1,
	  LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_RULE, "DROP RULE", EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET, 1,
	  LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_POLICY, "DROP POLICY", EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET, 1,
	  LOCK_ACCESS_EXCLUSIVE, 0, EFFECT_CATALOG },
};

static void drop_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__DropStmt *ds = stmt->drop_stmt;
	for (size_t i = 0; i < COUNT(drop_facts); i++) {
		if (drop_facts[i].type != ds->remove_type)
			continue;
		enum lock_mode lock = ds->concurrent && drop_facts[i].concurrent_lock ? drop_facts[i].concurrent_lock
										      : drop_facts[i].lock;
		for (size_t k = 0; k < ds->n_objects; k++) {
			struct effect e = list_effect(ds->objects[k], drop_facts[i].strip, drop_facts[i].object,
						      drop_facts[i].role, lock, drop_facts[i].flags, stmt);
			if (e.name)
				add(c, &e);
		}
	}
}

static void truncate_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__TruncateStmt *ts = stmt->truncate_stmt;
	for (size_t i = 0; i < ts->n_relations; i++) {
		if (ts->relations[i]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		struct effect e = rel_effect(ts->relations[i]->range_var, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET,
					     LOCK_ACCESS_EXCLUSIVE, EFFECT_CATALOG | EFFECT_DESTROY, stmt);
		add(c, &e);
	}
}

static void lock_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__LockStmt *ls = stmt->lock_stmt;
	/* the grammar stores the server's LOCKMODE numbers (1 AccessShareLock .. 8
	 * AccessExclusiveLock), which enum lock_mode follows; no IN ... MODE means ACCESS
	 * EXCLUSIVE */
	enum lock_mode mode = ls->mode >= LOCK_ACCESS_SHARE && ls->mode <= LOCK_ACCESS_EXCLUSIVE
				      ? (enum lock_mode)ls->mode
				      : LOCK_ACCESS_EXCLUSIVE;
	for (size_t i = 0; i < ls->n_relations; i++) {
		if (ls->relations[i]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		struct effect e = rel_effect(ls->relations[i]->range_var, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET,
					     mode, 0, stmt);
		add(c, &e);
	}
}

static void vacuum_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__VacuumStmt *vs = stmt->vacuum_stmt;
	int full = vs->is_vacuumcmd && option(vs->options, vs->n_options, "full") == 1;
	/* VACUUM FULL writes a new copy of the table; plain VACUUM and ANALYZE let reads and
	 * writes go on */
	enum lock_mode lock = full ? LOCK_ACCESS_EXCLUSIVE : LOCK_SHARE_UPDATE_EXCLUSIVE;
	unsigned flags = full ? EFFECT_REWRITE : vs->is_vacuumcmd ? EFFECT_SCAN : 0;
	if (vs->n_rels == 0) {
		struct effect e = all_effect(lock, flags, stmt);
		add(c, &e);
	}
	for (size_t i = 0; i < vs->n_rels; i++) {
		if (vs->rels[i]->node_case != PG_QUERY__NODE__NODE_VACUUM_RELATION)
			continue;
		struct effect e = rel_effect(vs->rels[i]->vacuum_relation->relation, EFFECT_OBJ_TABLE,
					     EFFECT_ROLE_TARGET, lock, flags, stmt);
		add(c, &e);
	}
}

static void cluster_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__ClusterStmt *cs = stmt->cluster_stmt;
	/* without a table: every table clustered before, again */
	struct effect e = cs->relation ? rel_effect(cs->relation, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET,
						    LOCK_ACCESS_EXCLUSIVE, EFFECT_REWRITE, stmt)
				       : all_effect(LOCK_ACCESS_EXCLUSIVE, EFFECT_REWRITE, stmt);
	add(c, &e);
}

static void reindex_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__ReindexStmt *rs = stmt->reindex_stmt;
	int conc = option(rs->params, rs->n_params, "concurrently") == 1;
	/* the table: SHARE (writes wait) while each index is rebuilt; each index: ACCESS
	 * EXCLUSIVE, which stops every query whose plan would read it. CONCURRENTLY (12+) builds
	 * new copies under SHARE UPDATE EXCLUSIVE instead. */
	enum lock_mode table_lock = conc ? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_SHARE;
	enum lock_mode index_lock = conc ? LOCK_SHARE_UPDATE_EXCLUSIVE : LOCK_ACCESS_EXCLUSIVE;
	struct effect e;
	switch (rs->kind) {
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
		e = rel_effect(rs->relation, EFFECT_OBJ_INDEX, EFFECT_ROLE_TARGET, index_lock, EFFECT_SCAN, stmt);
		add(c, &e);
		e = rel_effect(rs->relation, EFFECT_OBJ_INDEX, EFFECT_ROLE_INDEX_TABLE, table_lock, EFFECT_SCAN,
			       stmt);
		add(c, &e);
		break;
	case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
		e = rel_effect(rs->relation, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET, table_lock, EFFECT_SCAN, stmt);
		add(c, &e);
		break;
	default: /* SCHEMA, SYSTEM, DATABASE */
		e = all_effect(table_lock, EFFECT_SCAN, stmt);
		add(c, &e);
		break;
	}
}

static void refresh_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__RefreshMatViewStmt *rs = stmt->refresh_mat_view_stmt;
	/* CONCURRENTLY computes the new contents beside the old and applies the difference
	 * under EXCLUSIVE, so reads go on; without it the view is replaced under ACCESS
	 * EXCLUSIVE. WITH NO DATA empties it. */
	struct effect e = rel_effect(rs->relation, EFFECT_OBJ_MATVIEW, EFFECT_ROLE_TARGET,
				     rs->concurrent ? LOCK_EXCLUSIVE : LOCK_ACCESS_EXCLUSIVE,
				     rs->skip_data ? EFFECT_CATALOG | EFFECT_DESTROY
						   : rs->concurrent ? EFFECT_SCAN | EFFECT_ROWS : EFFECT_REWRITE,
				     stmt);
	add(c, &e);
}

/* Per kind of object RENAME renames. */
static const struct {
	PgQuery__ObjectType type;
	enum effect_object object;
	enum lock_mode lock;
	int since; /* from this release on `lock`, before it ACCESS EXCLUSIVE */
} rename_facts[] = {
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN, EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT, EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER, EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_POLICY, EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_RULE, EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE, 0 },
	/* 12 lowered ALTER INDEX ... RENAME to SHARE UPDATE EXCLUSIVE */
	{ PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, EFFECT_OBJ_INDEX, LOCK_SHARE_UPDATE_EXCLUSIVE, 12 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, EFFECT_OBJ_VIEW, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, EFFECT_OBJ_MATVIEW, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, EFFECT_OBJ_SEQUENCE, LOCK_ACCESS_EXCLUSIVE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, EFFECT_OBJ_FOREIGN_TABLE, LOCK_ACCESS_EXCLUSIVE, 0 },
};

static void rename_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__RenameStmt *rs = stmt->rename_stmt;
	if (!rs->relation)
		return;
	for (size_t i = 0; i < COUNT(rename_facts); i++) {
		if (rename_facts[i].type != rs->rename_type)
			continue;
		enum effect_object object = rename_facts[i].object;
		/* a column or constraint of a view, a trigger on a foreign table, ... */
		if (rs->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX)
			object_of(rs->relation_type, &object);
		enum lock_mode lock = c->pg >= rename_facts[i].since ? rename_facts[i].lock : LOCK_ACCESS_EXCLUSIVE;
		struct effect e = rel_effect(rs->relation, object, EFFECT_ROLE_TARGET, lock, EFFECT_CATALOG, stmt);
		add(c, &e);
	}
}

static void set_schema_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__AlterObjectSchemaStmt *ss = stmt->alter_object_schema_stmt;
	enum effect_object object;
	if (!ss->relation || !object_of(ss->object_type, &object))
		return;
	struct effect e = rel_effect(ss->relation, object, EFFECT_ROLE_TARGET, LOCK_ACCESS_EXCLUSIVE,
				     EFFECT_CATALOG, stmt);
	add(c, &e);
}

/* COMMENT ON takes SHARE UPDATE EXCLUSIVE on the relation commented, or on the relation of
 * the column, constraint, trigger, rule or policy. */
static const struct {
	PgQuery__ObjectType type;
	enum effect_object object;
	size_t strip;
} comment_facts[] = {
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, EFFECT_OBJ_TABLE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, EFFECT_OBJ_INDEX, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, EFFECT_OBJ_VIEW, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, EFFECT_OBJ_MATVIEW, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, EFFECT_OBJ_SEQUENCE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, EFFECT_OBJ_FOREIGN_TABLE, 0 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN, EFFECT_OBJ_TABLE, 1 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT, EFFECT_OBJ_TABLE, 1 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER, EFFECT_OBJ_TABLE, 1 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_RULE, EFFECT_OBJ_TABLE, 1 },
	{ PG_QUERY__OBJECT_TYPE__OBJECT_POLICY, EFFECT_OBJ_TABLE, 1 },
};

static void comment_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__CommentStmt *cs = stmt->comment_stmt;
	for (size_t i = 0; i < COUNT(comment_facts); i++) {
		if (comment_facts[i].type != cs->objtype)
			continue;
		struct effect e = list_effect(cs->object, comment_facts[i].strip, comment_facts[i].object,
					      EFFECT_ROLE_TARGET, LOCK_SHARE_UPDATE_EXCLUSIVE, EFFECT_CATALOG, stmt);
		if (e.name)
			add(c, &e);
	}
}

static void stats_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__CreateStatsStmt *ss = stmt->create_stats_stmt;
	for (size_t i = 0; i < ss->n_relations; i++) {
		if (ss->relations[i]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
			continue;
		struct effect e = rel_effect(ss->relations[i]->range_var, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET,
					     LOCK_SHARE_UPDATE_EXCLUSIVE, EFFECT_CATALOG, stmt);
		add(c, &e);
	}
}

static void copy_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__CopyStmt *cs = stmt->copy_stmt;
	if (!cs->relation)
		return; /* COPY (query) TO */
	struct effect e = rel_effect(cs->relation, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET,
				     cs->is_from ? LOCK_ROW_EXCLUSIVE : LOCK_ACCESS_SHARE, EFFECT_ROWS, stmt);
	add(c, &e);
}

static void from_item_effects(struct collect *c, const PgQuery__Node *n, enum lock_mode lock,
			      const PgQuery__Node *stmt, int depth)
{
	if (!n || depth > 32)
		return;
	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
		struct effect e = rel_effect(n->range_var, EFFECT_OBJ_TABLE, EFFECT_ROLE_TARGET, lock,
					     EFFECT_ROWS, stmt);
		add(c, &e);
	} else if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
		from_item_effects(c, n->join_expr->larg, lock, stmt, depth + 1);
		from_item_effects(c, n->join_expr->rarg, lock, stmt, depth + 1);
	}
}

/* The tables a SELECT names in its FROM clause (not those of subqueries): ACCESS SHARE, or
 * ROW SHARE with FOR UPDATE / FOR SHARE. */
static void select_effects(struct collect *c, const PgQuery__Node *stmt)
{
	const PgQuery__SelectStmt *ss = stmt->select_stmt;
	enum lock_mode lock = ss->n_locking_clause ? LOCK_ROW_SHARE : LOCK_ACCESS_SHARE;
	for (size_t i = 0; i < ss->n_from_clause; i++)
		from_item_effects(c, ss->from_clause[i], lock, stmt, 0);
}

static void move_all_effects(struct collect *c, const PgQuery__Node *stmt)
{
	/* ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b: every table there is copied */
	struct effect e = all_effect(LOCK_ACCESS_EXCLUSIVE, EFFECT_REWRITE, stmt);
	add(c, &e);
}

/* ---- the statement table ---- */

static const struct stmt_fact {
	const char *command;
	/* statements that lock one relation in one way: */
	const char *rel_field;
	enum effect_object object;
	enum lock_mode lock;
	unsigned flags;
	/* the others: */
	void (*effects)(struct collect *c, const PgQuery__Node *stmt);
} stmt_facts[] = {
#define S(x) [PG_QUERY__NODE__NODE_##x]
	S(SELECT_STMT) = { "SELECT", NULL, 0, 0, 0, select_effects },
	S(INSERT_STMT) = { "INSERT", "relation", EFFECT_OBJ_TABLE, LOCK_ROW_EXCLUSIVE, EFFECT_ROWS, NULL },
	S(UPDATE_STMT) = { "UPDATE", "relation", EFFECT_OBJ_TABLE, LOCK_ROW_EXCLUSIVE, EFFECT_ROWS, NULL },
	S(DELETE_STMT) = { "DELETE", "relation", EFFECT_OBJ_TABLE, LOCK_ROW_EXCLUSIVE, EFFECT_ROWS, NULL },
	S(MERGE_STMT) = { "MERGE", "relation", EFFECT_OBJ_TABLE, LOCK_ROW_EXCLUSIVE, EFFECT_ROWS, NULL },
	S(COPY_STMT) = { "COPY", NULL, 0, 0, 0, copy_effects },
	S(CREATE_STMT) = { "CREATE TABLE", NULL, 0, 0, 0, create_table_effects },
	S(CREATE_TABLE_AS_STMT) = { "CREATE TABLE AS", NULL, 0, 0, 0, NULL },
	S(ALTER_TABLE_STMT) = { "ALTER TABLE", NULL, 0, 0, 0, alter_table_effects },
	S(ALTER_TABLE_MOVE_ALL_STMT) = { "ALTER TABLE ALL IN TABLESPACE", NULL, 0, 0, 0, move_all_effects },
	S(INDEX_STMT) = { "CREATE INDEX", NULL, 0, 0, 0, index_effects },
	S(VIEW_STMT) = { "CREATE VIEW", NULL, 0, 0, 0, view_effects },
	S(DROP_STMT) = { "DROP", NULL, 0, 0, 0, drop_effects },
	S(TRUNCATE_STMT) = { "TRUNCATE", NULL, 0, 0, 0, truncate_effects },
	S(LOCK_STMT) = { "LOCK TABLE", NULL, 0, 0, 0, lock_effects },
	S(VACUUM_STMT) = { "VACUUM", NULL, 0, 0, 0, vacuum_effects },
	S(CLUSTER_STMT) = { "CLUSTER", NULL, 0, 0, 0, cluster_effects },
	S(REINDEX_STMT) = { "REINDEX", NULL, 0, 0, 0, reindex_effects },
	S(REFRESH_MAT_VIEW_STMT) = { "REFRESH MATERIALIZED VIEW", NULL, 0, 0, 0, refresh_effects },
	S(RENAME_STMT) = { "ALTER TABLE", NULL, 0, 0, 0, rename_effects },
	S(ALTER_OBJECT_SCHEMA_STMT) = { "ALTER TABLE", NULL, 0, 0, 0, set_schema_effects },
	S(COMMENT_STMT) = { "COMMENT", NULL, 0, 0, 0, comment_effects },
	S(CREATE_STATS_STMT) = { "CREATE STATISTICS", NULL, 0, 0, 0, stats_effects },
	/* writes wait: a trigger changes what they do */
	S(CREATE_TRIG_STMT) = { "CREATE TRIGGER", "relation", EFFECT_OBJ_TABLE, LOCK_SHARE_ROW_EXCLUSIVE,
				EFFECT_CATALOG, NULL },
	S(CREATE_POLICY_STMT) = { "CREATE POLICY", "table", EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE,
				  EFFECT_CATALOG, NULL },
	S(ALTER_POLICY_STMT) = { "ALTER POLICY", "table", EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE,
				 EFFECT_CATALOG, NULL },
	S(RULE_STMT) = { "CREATE RULE", "relation", EFFECT_OBJ_TABLE, LOCK_ACCESS_EXCLUSIVE, EFFECT_CATALOG,
			 NULL },
	S(ALTER_SEQ_STMT) = { "ALTER SEQUENCE", "sequence", EFFECT_OBJ_SEQUENCE, LOCK_SHARE_ROW_EXCLUSIVE,
			      EFFECT_CATALOG, NULL },
	/* names only, for messages */
	S(CREATE_SEQ_STMT) = { "CREATE SEQUENCE", NULL, 0, 0, 0, NULL },
	S(CREATE_FUNCTION_STMT) = { "CREATE FUNCTION", NULL, 0, 0, 0, NULL },
	S(CREATE_SCHEMA_STMT) = { "CREATE SCHEMA", NULL, 0, 0, 0, NULL },
	S(CREATE_EXTENSION_STMT) = { "CREATE EXTENSION", NULL, 0, 0, 0, NULL },
	S(DO_STMT) = { "DO", NULL, 0, 0, 0, NULL },
	S(GRANT_STMT) = { "GRANT", NULL, 0, 0, 0, NULL },
	S(VARIABLE_SET_STMT) = { "SET", NULL, 0, 0, 0, NULL },
	S(TRANSACTION_STMT) = { "transaction control", NULL, 0, 0, 0, NULL },
#undef S
};

static const struct stmt_fact *stmt_fact(const PgQuery__Node *stmt)
{
	if (!stmt || (size_t)stmt->node_case >= COUNT(stmt_facts) || !stmt_facts[stmt->node_case].command)
		return NULL;
	return &stmt_facts[stmt->node_case];
}

size_t effects_of(const PgQuery__Node *stmt, int pg_version, struct effect *out, size_t max)
{
	struct collect c = { out, 0, max, pg_version, stmt };
	const struct stmt_fact *f = stmt_fact(stmt);
	if (!f)
		return 0;
	if (f->effects) {
		f->effects(&c, stmt);
	} else if (f->rel_field) {
		const PgQuery__RangeVar *rv = message_rangevar(node_message(stmt), f->rel_field);
		if (rv) {
			struct effect e = rel_effect(rv, f->object, EFFECT_ROLE_TARGET, f->lock, f->flags, stmt);
			add(&c, &e);
		}
	}
	return c.n;
}

/* A query's FROM tables when it reads them whole. */
static void full_read_effects(struct collect *c, const PgQuery__Node *query, enum effect_role role,
			      const PgQuery__Node *stmt)
{
	if (!query || query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return;
	const PgQuery__SelectStmt *ss = query->select_stmt;
	if (ss->where_clause || ss->limit_count)
		return;
	size_t first = c->n;
	enum lock_mode lock = ss->n_locking_clause ? LOCK_ROW_SHARE : LOCK_ACCESS_SHARE;
	for (size_t i = 0; i < ss->n_from_clause; i++)
		from_item_effects(c, ss->from_clause[i], lock, stmt, 0);
	for (size_t i = first; i < c->n; i++)
		c->out[i].role = role;
}

size_t effects_reads(const PgQuery__Node *stmt, struct effect *out, size_t max)
{
	struct collect c = { out, 0, max, 0, stmt };
	switch (stmt->node_case) {
	case PG_QUERY__NODE__NODE_SELECT_STMT:
		full_read_effects(&c, stmt, EFFECT_ROLE_TARGET, stmt);
		break;
	case PG_QUERY__NODE__NODE_INSERT_STMT:
		full_read_effects(&c, stmt->insert_stmt->select_stmt, EFFECT_ROLE_SOURCE, stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		full_read_effects(&c, stmt->create_table_as_stmt->query, EFFECT_ROLE_SOURCE, stmt);
		break;
	default:
		break;
	}
	return c.n;
}

enum lock_mode effects_strongest(const PgQuery__Node *stmt, int pg_version, struct effect *e)
{
	struct effect all[EFFECTS_MAX];
	size_t n = effects_of(stmt, pg_version, all, EFFECTS_MAX);
	enum lock_mode best = LOCK_NONE;
	for (size_t i = 0; i < n; i++) {
		if (all[i].lock > best) {
			best = all[i].lock;
			if (e)
				*e = all[i];
		}
	}
	return best;
}

const PgQuery__RangeVar *effect_rangevar(const struct effect *e, PgQuery__RangeVar *buf)
{
	if (e->rel)
		return e->rel;
	if (!e->name)
		return NULL;
	*buf = (PgQuery__RangeVar)PG_QUERY__RANGE_VAR__INIT;
	buf->schemaname = (char *)(e->schema ? e->schema : "");
	buf->relname = (char *)e->name;
	buf->location = e->location;
	return buf;
}

const char *effects_command(const PgQuery__Node *stmt)
{
	const struct stmt_fact *f = stmt_fact(stmt);
	if (!f)
		return "statement";
	switch (stmt->node_case) {
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		return alter_command(stmt->alter_table_stmt->objtype, "ALTER TYPE");
	case PG_QUERY__NODE__NODE_RENAME_STMT: {
		const PgQuery__RenameStmt *rs = stmt->rename_stmt;
		/* RENAME COLUMN / CONSTRAINT / TRIGGER name the relation's kind separately */
		return alter_command(rs->rename_type, alter_command(rs->relation_type, "ALTER"));
	}
	case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
		return alter_command(stmt->alter_object_schema_stmt->object_type, "ALTER");
	case PG_QUERY__NODE__NODE_DROP_STMT:
		for (size_t i = 0; i < COUNT(drop_facts); i++)
			if (drop_facts[i].type == stmt->drop_stmt->remove_type)
				return drop_facts[i].command;
		return "DROP";
	case PG_QUERY__NODE__NODE_VACUUM_STMT: {
		const PgQuery__VacuumStmt *vs = stmt->vacuum_stmt;
		if (!vs->is_vacuumcmd)
			return "ANALYZE";
		return option(vs->options, vs->n_options, "full") == 1 ? "VACUUM FULL" : "VACUUM";
	}
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return stmt->index_stmt->unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX";
	case PG_QUERY__NODE__NODE_VIEW_STMT:
		return stmt->view_stmt->replace ? "CREATE OR REPLACE VIEW" : "CREATE VIEW";
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		return stmt->create_table_as_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW
			       ? "CREATE MATERIALIZED VIEW"
			       : "CREATE TABLE AS";
	default:
		return f->command;
	}
}

const char *effect_object_name(enum effect_object object)
{
	static const char *const names[] = {
		[EFFECT_OBJ_TABLE] = "table",
		[EFFECT_OBJ_INDEX] = "index",
		[EFFECT_OBJ_VIEW] = "view",
		[EFFECT_OBJ_MATVIEW] = "materialized view",
		[EFFECT_OBJ_SEQUENCE] = "sequence",
		[EFFECT_OBJ_FOREIGN_TABLE] = "foreign table",
		[EFFECT_OBJ_ALL] = "every table",
	};
	return (size_t)object < COUNT(names) && names[object] ? names[object] : "relation";
}
