#include "effects/notx.h"

#include <stddef.h>
#include <strings.h>

#include "sql/tree.h"

/* A boolean option's value the way the server's defGetBoolean() reads it: no value means
 * true; true/false/on/off in any case (they arrive as a String, or as a one-word TypeName for
 * on/off), or the integers 0 and 1. Anything else the server rejects, so call it true. */
static int option_value_true(const PgQuery__Node *arg)
{
	if (!arg)
		return 1;
	const char *word = NULL;
	switch (arg->node_case) {
	case PG_QUERY__NODE__NODE_INTEGER:
		return arg->integer->ival != 0;
	case PG_QUERY__NODE__NODE_BOOLEAN:
		return arg->boolean->boolval;
	case PG_QUERY__NODE__NODE_STRING:
		word = arg->string->sval;
		break;
	case PG_QUERY__NODE__NODE_TYPE_NAME:
		if (arg->type_name->n_names == 1)
			word = sql_node_str(arg->type_name->names[0]);
		break;
	default:
		break;
	}
	return !word || !(strcasecmp(word, "false") == 0 || strcasecmp(word, "off") == 0);
}

/* The value of option `name` in a DefElem list: 1 true, 0 false, -1 absent. */
static int option(PgQuery__Node *const *opts, size_t n, const char *name)
{
	int v = -1;
	for (size_t i = 0; i < n; i++) {
		const PgQuery__Node *o = opts[i];
		if (o->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && !strcasecmp(o->def_elem->defname, name))
			v = option_value_true(o->def_elem->arg); /* the last one wins, as on the server */
	}
	return v;
}

int notx_reindex_concurrently(const PgQuery__ReindexStmt *rs)
{
	return option(rs->params, rs->n_params, "concurrently") == 1;
}

/* ---- the tests, one per table row ---- */

static int index_concurrently(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->index_stmt->concurrent;
}

static int drop_index_concurrently(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX && s->drop_stmt->concurrent;
}

static int reindex_concurrently(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return notx_reindex_concurrently(s->reindex_stmt);
}

static int reindex_schema(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA;
}

static int reindex_system(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM;
}

static int reindex_database(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE;
}

/* DETACH PARTITION ... CONCURRENTLY; FINALIZE (which completes an interrupted one) is allowed. */
static int detach_concurrently(const PgQuery__Node *s, int *loc)
{
	const PgQuery__AlterTableStmt *as = s->alter_table_stmt;
	for (size_t i = 0; i < as->n_cmds; i++) {
		const PgQuery__Node *c = as->cmds[i];
		if (c->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		const PgQuery__AlterTableCmd *cmd = c->alter_table_cmd;
		if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition || !cmd->def ||
		    cmd->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD ||
		    !cmd->def->partition_cmd->concurrent)
			continue;
		if (cmd->def->partition_cmd->name)
			*loc = cmd->def->partition_cmd->name->location;
		return 1;
	}
	return 0;
}

/* VACUUM, not ANALYZE alone (the same node; ANALYZE runs in a transaction) */
static int vacuum(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->vacuum_stmt->is_vacuumcmd;
}

static int always(const PgQuery__Node *s, int *loc)
{
	(void)s, (void)loc;
	return 1;
}

/* CLUSTER with no table reclusters every table, one transaction each */
static int cluster_all(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return !s->cluster_stmt->relation;
}

/* ADD VALUE, not RENAME VALUE (which sets old_val) */
static int enum_add_value(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return *s->alter_enum_stmt->new_val && !*s->alter_enum_stmt->old_val;
}

static int discard_all(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->discard_stmt->target == PG_QUERY__DISCARD_MODE__DISCARD_ALL;
}

static int database_set_tablespace(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	const PgQuery__AlterDatabaseStmt *ad = s->alter_database_stmt;
	return option(ad->options, ad->n_options, "tablespace") != -1;
}

/* create_slot defaults to true, and connect = false implies create_slot = false */
static int subscription_creates_slot(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	const PgQuery__CreateSubscriptionStmt *cs = s->create_subscription_stmt;
	return option(cs->options, cs->n_options, "connect") != 0 &&
	       option(cs->options, cs->n_options, "create_slot") != 0;
}

static int subscription_refresh(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->alter_subscription_stmt->kind == PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_REFRESH;
}

/* SET / ADD / DROP PUBLICATION refresh the subscription unless WITH (refresh = false) */
static int subscription_publication_refresh(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	const PgQuery__AlterSubscriptionStmt *as = s->alter_subscription_stmt;
	switch (as->kind) {
	case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_SET_PUBLICATION:
	case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_ADD_PUBLICATION:
	case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_DROP_PUBLICATION:
		return option(as->options, as->n_options, "refresh") != 0;
	default:
		return 0;
	}
}

static int commit_prepared(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT_PREPARED;
}

static int rollback_prepared(const PgQuery__Node *s, int *loc)
{
	(void)loc;
	return s->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_PREPARED;
}

/* Every command whose execution starts with PreventInTransactionBlock(), in the order the
 * server checks them (REINDEX CONCURRENTLY before REINDEX SCHEMA). DROP SUBSCRIPTION refuses
 * only when the subscription has a replication slot, which it has unless slot_name was set to
 * NONE: the common case. CLUSTER, REINDEX TABLE and REINDEX INDEX of a partitioned table or
 * index refuse too (REINDEX from PostgreSQL 14, CLUSTER from 15), but which tables are
 * partitioned is not known here. */
static const struct notx_row {
	PgQuery__Node__NodeCase kind;
	const char *command;
	const char *why;
	int until; /* last major version that refuses it; 0: every version */
	int (*test)(const PgQuery__Node *stmt, int *location);
} notx_table[] = {
	{ PG_QUERY__NODE__NODE_INDEX_STMT, "CREATE INDEX CONCURRENTLY",
	  "it builds the index in several transactions of its own", 0, index_concurrently },
	{ PG_QUERY__NODE__NODE_DROP_STMT, "DROP INDEX CONCURRENTLY",
	  "it commits between marking the index invalid and dropping it", 0, drop_index_concurrently },
	{ PG_QUERY__NODE__NODE_REINDEX_STMT, "REINDEX CONCURRENTLY",
	  "it builds and swaps in the new index in several transactions of its own", 0, reindex_concurrently },
	{ PG_QUERY__NODE__NODE_REINDEX_STMT, "REINDEX SCHEMA", "it commits after each table", 0, reindex_schema },
	{ PG_QUERY__NODE__NODE_REINDEX_STMT, "REINDEX SYSTEM", "it commits after each table", 0, reindex_system },
	{ PG_QUERY__NODE__NODE_REINDEX_STMT, "REINDEX DATABASE", "it commits after each table", 0, reindex_database },
	{ PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, "ALTER TABLE ... DETACH CONCURRENTLY",
	  "it commits between its two phases", 0, detach_concurrently },
	{ PG_QUERY__NODE__NODE_VACUUM_STMT, "VACUUM", "it commits after each table", 0, vacuum },
	{ PG_QUERY__NODE__NODE_CLUSTER_STMT, "CLUSTER", "without a table name it commits after each table",
	  0, cluster_all },
	{ PG_QUERY__NODE__NODE_CREATEDB_STMT, "CREATE DATABASE",
	  "it copies files on the server, which a rollback cannot undo", 0, always },
	{ PG_QUERY__NODE__NODE_DROPDB_STMT, "DROP DATABASE",
	  "it removes files on the server, which a rollback cannot undo", 0, always },
	{ PG_QUERY__NODE__NODE_ALTER_DATABASE_STMT, "ALTER DATABASE SET TABLESPACE",
	  "it moves files on the server, which a rollback cannot undo", 0, database_set_tablespace },
	{ PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT, "CREATE TABLESPACE",
	  "it creates a directory on the server, which a rollback cannot undo", 0, always },
	{ PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT, "DROP TABLESPACE",
	  "it removes a directory on the server, which a rollback cannot undo", 0, always },
	{ PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT, "ALTER SYSTEM",
	  "it rewrites postgresql.auto.conf, which a rollback cannot undo", 0, always },
	{ PG_QUERY__NODE__NODE_ALTER_ENUM_STMT, "ALTER TYPE ... ADD",
	  "before PostgreSQL 12 a new enum value can be added in a transaction block only to a type "
	  "created in that same transaction", 11, enum_add_value },
	{ PG_QUERY__NODE__NODE_DISCARD_STMT, "DISCARD ALL", "it resets the whole session", 0, discard_all },
	{ PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT, "CREATE SUBSCRIPTION ... WITH (create_slot = true)",
	  "it creates a replication slot on the publisher, which a rollback cannot undo", 0,
	  subscription_creates_slot },
	{ PG_QUERY__NODE__NODE_ALTER_SUBSCRIPTION_STMT, "ALTER SUBSCRIPTION ... REFRESH",
	  "it changes replication state on the publisher, which a rollback cannot undo", 0,
	  subscription_refresh },
	{ PG_QUERY__NODE__NODE_ALTER_SUBSCRIPTION_STMT, "ALTER SUBSCRIPTION with refresh",
	  "it changes replication state on the publisher, which a rollback cannot undo", 0,
	  subscription_publication_refresh },
	{ PG_QUERY__NODE__NODE_DROP_SUBSCRIPTION_STMT, "DROP SUBSCRIPTION",
	  "it drops the replication slot on the publisher, which a rollback cannot undo", 0, always },
	{ PG_QUERY__NODE__NODE_TRANSACTION_STMT, "COMMIT PREPARED",
	  "it finishes a prepared transaction, which is a transaction of its own", 0, commit_prepared },
	{ PG_QUERY__NODE__NODE_TRANSACTION_STMT, "ROLLBACK PREPARED",
	  "it finishes a prepared transaction, which is a transaction of its own", 0, rollback_prepared },
};

int notx_check(const PgQuery__Node *stmt, int pg_version, struct notx_info *out)
{
	if (!stmt)
		return 0;
	for (size_t i = 0; i < sizeof(notx_table) / sizeof(notx_table[0]); i++) {
		const struct notx_row *r = &notx_table[i];
		if (r->kind != stmt->node_case || (r->until && pg_version > r->until))
			continue;
		int loc = -1;
		if (!r->test(stmt, &loc))
			continue;
		if (out) {
			out->command = r->command;
			out->why = r->why;
			out->location = loc;
			out->unless_type_is_new = r->kind == PG_QUERY__NODE__NODE_ALTER_ENUM_STMT;
		}
		return 1;
	}
	return 0;
}
