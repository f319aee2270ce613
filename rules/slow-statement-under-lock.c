/* A lock is held until its transaction ends, not until its statement ends. When a statement of
 * a transaction takes a lock that blocks writes (SHARE or stronger) on a table that exists, and
 * a later statement of the same transaction does slow work (rewrites or scans a table,
 * validates a constraint, updates or deletes rows, reads a whole table with SELECT, INSERT ...
 * SELECT or CREATE TABLE AS), the first lock is held for all of that
 * time: ALTER TABLE users ADD COLUMN ...; UPDATE users SET ... in one transaction blocks every
 * read of users for the whole backfill, though each statement alone is harmless or only blocks
 * writes. The finding is at the first slow statement of the transaction under such a lock (the
 * advice, to commit in between, is the same for the others) and names the lock, its table and
 * where it was taken.
 *
 * Not reported: DDL whose slow work is on the locked table itself, which its own rule reports
 * (only a backfill or a read of that table, and a VALIDATE CONSTRAINT, which take a weaker lock
 * than the one held, are: ADD CONSTRAINT ... NOT VALID then VALIDATE in one transaction scans
 * under the ADD's ACCESS EXCLUSIVE, which is what NOT VALID was meant to avoid); an UPDATE or DELETE with a WHERE on another table than
 * the locked one (it may touch one row: a version stamp, a data fix); work on tables created in
 * this migration; statements that run in a transaction of their own (no BEGIN open and no
 * runner's transaction). */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_slow_statement_under_lock = {
	.id = "slow-statement-under-lock",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "slow work in a transaction that already holds a lock blocking others",
	.kinds = kinds,
	.visit = visit,
};

/* A lock the open transaction holds, taken by an earlier statement. */
struct held_lock {
	const char *key;     /* "schema.name", or the name as written when the model lacks it */
	const char *display; /* as the user wrote it */
	enum lock_mode mode;
	uint32_t line;       /* of the statement that took it */
	const char *command;
};

struct held {
	struct held_lock *items;
	size_t n, cap;
	int reported; /* once per transaction: the advice (commit in between) is the same */
};

/* The table an effect locks: for an index (DROP INDEX, REINDEX INDEX), its table when the model
 * knows it. Sets *display for messages; returns the key, or NULL for EFFECT_OBJ_ALL. */
static const char *effect_table(struct lint_ctx *ctx, const struct effect *e, const char **display)
{
	PgQuery__RangeVar buf;
	const PgQuery__RangeVar *rv = effect_rangevar(e, &buf);
	if (!rv)
		return NULL;
	if (e->role == EFFECT_ROLE_INDEX_TABLE && e->object == EFFECT_OBJ_INDEX) {
		const struct schema_index *ix =
			schema_object_find(lint_model(ctx), SCHEMA_KIND_INDEX, rv->schemaname && *rv->schemaname ? rv->schemaname : NULL,
					  rv->relname);
		if (ix) {
			/* copied: the index may be gone from the model after this statement */
			const char *dot = strchr(ix->table_key, '.');
			*display = lint_ident(ctx, dot ? dot + 1 : ix->table_key);
			return lint_printf(ctx, "%s", ix->table_key);
		}
		*display = lint_printf(ctx, "the table of %s", lint_rel(ctx, rv));
		return lint_relation_key(ctx, rv);
	}
	*display = lint_rel(ctx, rv);
	return lint_relation_key(ctx, rv);
}

static struct held_lock *held_find(struct held *h, const char *key)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->items[i].key, key))
			return &h->items[i];
	return NULL;
}

static int ends_transaction(const PgQuery__Node *node)
{
	if (node->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT)
		return 0;
	switch (node->transaction_stmt->kind) {
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT_PREPARED:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_PREPARED:
		return 1;
	default:
		return 0;
	}
}

/* What makes the effect slow, for the message; NULL when it is quick. */
static const char *slow_work(const PgQuery__Node *stmt, const struct effect *e)
{
	if ((e->flags & EFFECT_MAYBE) && !(e->flags & EFFECT_ROWS))
		return NULL; /* the statement's own rule says what may happen */
	if (stmt->node_case == PG_QUERY__NODE__NODE_INDEX_STMT)
		return "builds an index on";
	if (e->flags & EFFECT_REWRITE)
		return "rewrites";
	if (e->flags & EFFECT_VALIDATE)
		return "validates";
	if (e->flags & EFFECT_SCAN)
		return "scans";
	if ((e->flags & EFFECT_ROWS) && (stmt->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT ||
					 stmt->node_case == PG_QUERY__NODE__NODE_DELETE_STMT))
		return stmt->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT ? "updates rows of"
									  : "deletes rows of";
	return NULL;
}

/* An UPDATE or DELETE with a WHERE may touch one row: it counts as slow only on the table whose
 * lock is held (the backfill of a column just added), and on any table without a WHERE. */
static int dml_maybe_small(const PgQuery__Node *stmt)
{
	if (stmt->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT)
		return stmt->update_stmt->where_clause != NULL;
	if (stmt->node_case == PG_QUERY__NODE__NODE_DELETE_STMT)
		return stmt->delete_stmt->where_clause != NULL;
	return 0;
}

/* Whether the effect's slow work on the table whose lock the transaction holds is the hazard:
 * DDL's own rule reports its own work on that table, except when the statement takes a weaker
 * lock than the one held (a backfill, a read, a VALIDATE CONSTRAINT, which no rule reports as
 * it is the safe form), so that the held lock is what blocks others while it runs. */
static int same_table_counts(const PgQuery__Node *stmt, const struct effect *e, const struct held_lock *hl)
{
	if (e->lock >= hl->mode)
		return 0;
	if (e->flags & EFFECT_ROWS)
		return 1;
	/* VALIDATE CONSTRAINT, not the validation of an ADD CONSTRAINT or a unique index build,
	 * which their own rules report */
	size_t i = 0;
	return stmt->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT &&
	       sql_alter_next(stmt->alter_table_stmt, &i, PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	struct held **slot = (struct held **)lint_rule_data(ctx, &rule_slow_statement_under_lock);
	if (!*slot)
		*slot = lint_alloc(ctx, sizeof(**slot));
	struct held *h = *slot;
	if (!lint_in_transaction(ctx)) {
		h->n = 0; /* this statement is a transaction of its own */
		h->reported = 0;
		return;
	}
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	/* the tables a query of the statement reads whole, after what it changes */
	size_t nreads = effects_reads(node, e + n, EFFECTS_MAX - n);

	/* the slow work of this statement under a lock an earlier one holds */
	for (size_t i = 0; i < n + nreads && h->n && !h->reported; i++) {
		const char *work = i < n ? slow_work(node, &e[i]) : "reads every row of";
		/* a foreign key's check reads the table that gets it: the referenced one only answers */
		if (!work || e[i].role == EFFECT_ROLE_REFERENCED || lint_effect_is_new(ctx, &e[i]))
			continue;
		const char *target = "every table";
		const char *key = effect_table(ctx, &e[i], &target);
		int dml = (e[i].flags & EFFECT_ROWS) != 0;
		for (size_t k = 0; k < h->n && !h->reported; k++) {
			const struct held_lock *hl = &h->items[k];
			int same = key && !strcmp(hl->key, key);
			if (same && !same_table_counts(node, &e[i], hl))
				continue;
			if (!same && dml && i < n && dml_maybe_small(node))
				continue;
			lint_report(
				ctx, &rule_slow_statement_under_lock, e[i].location,
				lint_printf(ctx,
					    "end the transaction between them (COMMIT after the %s, or put this "
					    "statement in a migration of its own), so the %s lock on %s is "
					    "held for a moment and not for as long as this statement runs",
					    hl->command, lock_mode_name(hl->mode), hl->display),
				"%s %s %s while the transaction still holds %s on %s, taken by the %s at "
				"line %u: %s %s wait until the transaction ends",
				effects_command(node), work, target, lock_mode_name(hl->mode), hl->display,
				hl->command, hl->line,
				lock_blocks_reads(hl->mode) ? "reads and writes of" : "writes to", hl->display);
			h->reported = 1;
		}
	}

	/* the locks this statement adds to the transaction's */
	for (size_t i = 0; i < n; i++) {
		if (!lock_blocks_writes(e[i].lock) || lint_effect_is_new(ctx, &e[i]))
			continue;
		/* a dropped relation's lock keeps nobody from anything that still works */
		if (node->node_case == PG_QUERY__NODE__NODE_DROP_STMT && e[i].role == EFFECT_ROLE_TARGET)
			continue;
		const char *display = NULL;
		const char *key = effect_table(ctx, &e[i], &display);
		if (!key)
			continue;
		struct held_lock *hl = held_find(h, key);
		if (hl && hl->mode >= e[i].lock)
			continue;
		if (!hl) {
			if (h->n == h->cap) { /* run memory: the old array stays in the arena */
				size_t cap = h->cap ? 2 * h->cap : 8;
				struct held_lock *items = lint_alloc(ctx, cap * sizeof(*items));
				if (h->n)
					memcpy(items, h->items, h->n * sizeof(*items));
				h->items = items;
				h->cap = cap;
			}
			hl = &h->items[h->n++];
		}
		*hl = (struct held_lock){ key, display, e[i].lock, lint_statement_line(ctx),
					  effects_command(node) };
	}
	if (ends_transaction(node)) {
		h->n = 0;
		h->reported = 0;
	}
}
