/* Commands whose whole job is to write a new copy of a table: VACUUM FULL, CLUSTER, and ALTER
 * TABLE SET TABLESPACE / SET LOGGED / SET UNLOGGED / SET ACCESS METHOD. Each holds ACCESS
 * EXCLUSIVE for as long as the copy takes, so nothing can read or write the table meanwhile.
 * (Rewrites that come with a schema change, ADD COLUMN and ALTER COLUMN TYPE, have rules of
 * their own.) Plain VACUUM and ANALYZE are fine, and so is any of these on a table created
 * earlier in the migration. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_VACUUM_STMT, PG_QUERY__NODE__NODE_CLUSTER_STMT,
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, PG_QUERY__NODE__NODE_ALTER_TABLE_MOVE_ALL_STMT,
	LINT_KINDS_END,
};

const struct rule rule_table_rewrite_command = {
	.id = "table-rewrite-command",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_REWRITE,
	.summary = "VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED or SET ACCESS METHOD rewrites the table under an ACCESS EXCLUSIVE lock",
	.kinds = kinds,
	.visit = visit,
};

/* The commands this rule is about: what each does, and the way around it. The help is
 * help[0], the relation as written, help[1]; or help[0] alone when help[1] is NULL. */
static const struct rewrite_kind {
	const char *what; /* after the command and the relation */
	const char *all;  /* what the command without a relation does, or NULL */
	const char *help[2];
} vacuum_full = {
	"writes a new copy of the table and its indexes",
	"writes a new copy of every table of the database and of its indexes",
	{ "to give space back without blocking, rebuild the table online with pg_repack or pg_squeeze "
	  "(they take ACCESS EXCLUSIVE only for a moment at the end); plain VACUUM ",
	  " makes the dead space reusable and lets reads and writes go on" },
}, cluster = {
	"writes a new copy of the table in index order",
	"writes a new copy of every table clustered before, in index order",
	{ "pg_repack --order-by reorders a table online; the order CLUSTER gives is not kept for rows "
	  "written later, so it is rarely worth the outage",
	  NULL },
}, alter_facts[] = {
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace] = {
		"copies all its files to the new tablespace",
		"copies every table of the old tablespace to the new one",
		{ "move it online with pg_repack --tablespace, or in a maintenance window with SET "
		  "lock_timeout = '5s' first; to place only new tables there, set default_tablespace "
		  "instead",
		  NULL },
	},
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged] = {
		"writes the whole table to the WAL as a new copy",
		NULL,
		{ "there is no online SET LOGGED: create a logged copy of ",
		  ", fill it in batches (with a trigger or a second pass for rows that change "
		  "meanwhile), then swap the names in one short transaction; or run it in a maintenance "
		  "window" },
	},
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged] = {
		"writes a new copy of the table",
		NULL,
		{ "there is no online SET UNLOGGED: create an unlogged copy of ",
		  ", fill it in batches, then swap the names in one short transaction; or run it in a "
		  "maintenance window" },
	},
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod] = {
		"writes a new copy of the table in the new access method",
		NULL,
		{ "there is no online SET ACCESS METHOD: create a copy of ",
		  " with CREATE TABLE ... USING, fill it in batches, then swap the names in one short "
		  "transaction; or run it in a maintenance window" },
	},
};

/* The subcommand as written, for messages. */
static const char *const alter_words[] = {
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace] = " SET TABLESPACE",
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged] = " SET LOGGED",
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged] = " SET UNLOGGED",
	[PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod] = " SET ACCESS METHOD",
};

static const struct rewrite_kind *kind_of(const struct effect *e)
{
	const PgQuery__Node *c = e->cause;
	switch (c->node_case) {
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		return &vacuum_full;
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		return &cluster;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_MOVE_ALL_STMT:
		return &alter_facts[PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace];
	case PG_QUERY__NODE__NODE_ALTER_TABLE_CMD: {
		size_t t = (size_t)c->alter_table_cmd->subtype;
		if (t < sizeof(alter_facts) / sizeof(alter_facts[0]) && alter_facts[t].what)
			return &alter_facts[t];
		return NULL;
	}
	default:
		return NULL;
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	const char *command = effects_command(node);
	for (size_t i = 0; i < n; i++) {
		/* sequences are one block, and foreign tables have no storage here */
		if (!(e[i].flags & EFFECT_REWRITE) || (e[i].flags & EFFECT_MAYBE) ||
		    e[i].role != EFFECT_ROLE_TARGET || e[i].object == EFFECT_OBJ_SEQUENCE ||
		    e[i].object == EFFECT_OBJ_FOREIGN_TABLE || lint_effect_is_new(ctx, &e[i]))
			continue;
		const struct rewrite_kind *k = kind_of(&e[i]);
		if (!k)
			continue;
		const char *lock = lock_mode_name(e[i].lock), *blocks = lock_mode_blocks(e[i].lock);
		if (!e[i].rel) {
			/* VACUUM FULL / CLUSTER without a table, ALTER TABLE ALL IN TABLESPACE */
			lint_report(ctx, &rule_table_rewrite_command, -1,
				    k->help[1] ? lint_printf(ctx, "%s<table>%s", k->help[0], k->help[1]) : k->help[0],
				    "%s %s, each under an %s lock: it %s until that "
				    "table's copy is done",
				    command, k->all, lock, blocks);
			continue;
		}
		const char *rel = lint_rel(ctx, e[i].rel), *sub = "";
		if (e[i].cause->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			sub = alter_words[e[i].cause->alter_table_cmd->subtype];
		lint_report(ctx, &rule_table_rewrite_command, -1,
			    k->help[1] ? lint_printf(ctx, "%s%s%s", k->help[0], rel, k->help[1]) : k->help[0],
			    "%s %s%s %s under an %s lock: it %s until the copy is done", command, rel, sub,
			    k->what, lock, blocks);
	}
}
