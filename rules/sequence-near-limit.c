/* sequence-near-limit: with a live database (--db), a sequence feeding an integer column of a
 * table the migration touches is past 75 % of what the column can hold (an error past 90 %).
 * When it reaches the limit every INSERT fails ("nextval: reached maximum value of sequence" or
 * "integer out of range"), and widening the column then is an ALTER COLUMN ... TYPE bigint
 * that rewrites the table under ACCESS EXCLUSIVE, with the application down. The migration
 * touching the table is a good moment to hear it. Each sequence is reported once per
 * migration, at the first statement on its table (ALTER TABLE, CREATE INDEX). */
#include "sequence-fill.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	PG_QUERY__NODE__NODE_INDEX_STMT,
	LINT_KINDS_END,
};

const struct rule rule_sequence_near_limit = {
	.id = "sequence-near-limit",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a sequence feeding an integer key of the table is past 75 % of the column's range (schema-aware)",
	.kinds = kinds,
	.visit = visit,
};

/* Tables already reported in this migration. */
struct seen {
	const char *key;
	struct seen *next;
};

static int first_time(struct lint_ctx *ctx, const char *key)
{
	struct seen **head = (struct seen **)lint_rule_data(ctx, &rule_sequence_near_limit);
	for (const struct seen *s = *head; s; s = s->next)
		if (!strcmp(s->key, key))
			return 0;
	struct seen *s = lint_alloc(ctx, sizeof(*s));
	s->key = key;
	s->next = *head;
	*head = s;
	return 1;
}

static void touched(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	if (!rv || !lint_model(ctx)->complete || lint_table_is_new(ctx, rv))
		return;
	const struct schema_table *t = lint_table(ctx, rv);
	if (!t)
		return;
	const struct schema_model *m = lint_model(ctx);
	const char *key = lint_printf(ctx, "%s.%s", t->schema, t->name);
	if (!first_time(ctx, key))
		return;
	size_t it = 0;
	void *v;
	while (strmap_next(&m->sequences, &it, NULL, &v)) {
		struct sequence_fill f = { NULL, NULL, 0, 0 };
		if (!sequence_fill_of(v, t, key, &f) || f.percent < SEQUENCE_WARN_PERCENT)
			continue;
		char type[64];
		schema_column_type_text(f.column, type, sizeof(type));
		const char *seq = lint_printf(ctx, "%s.%s", f.seq->schema, f.seq->name);
		const char *help = lint_printf(
			ctx,
			"widen the column (and the sequence, and the foreign keys that reference it) to bigint "
			"before it runs out: ALTER TABLE %s ALTER COLUMN %s TYPE bigint rewrites the table under an "
			"ACCESS EXCLUSIVE lock, so on a big table add a bigint column, fill it in batches and swap "
			"it in; then ALTER SEQUENCE %s AS bigint",
			lint_rel(ctx, rv), lint_ident(ctx, f.column->name), seq);
#define NEAR_LIMIT_MESSAGE                                                                          \
	"sequence %s feeding %s.%s (%s) is at %lld of %lld (%.0f %%): when it reaches the limit every " \
	"INSERT into %s fails"
		if (f.percent >= SEQUENCE_ERROR_PERCENT)
			lint_report_escalated(ctx, &rule_sequence_near_limit, -1, help, NEAR_LIMIT_MESSAGE, seq, key,
					      lint_ident(ctx, f.column->name), type, (long long)f.seq->last_value,
					      (long long)f.limit, f.percent, key);
		else
			lint_report(ctx, &rule_sequence_near_limit, -1, help, NEAR_LIMIT_MESSAGE, seq, key,
				    lint_ident(ctx, f.column->name), type, (long long)f.seq->last_value,
				    (long long)f.limit, f.percent, key);
	}
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	if (node->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) {
		if (node->alter_table_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
			touched(ctx, node->alter_table_stmt->relation);
	} else {
		touched(ctx, node->index_stmt->relation);
	}
}
