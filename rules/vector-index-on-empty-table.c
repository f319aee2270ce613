/* vector-index-on-empty-table: a pgvector ivfflat index built on a table this migration
 * created. ivfflat picks its list centres from the rows present when the index is built
 * (k-means over a sample); on an empty table they are arbitrary and stay so, since inserts do
 * not move them, so recall stays poor until the index is rebuilt. hnsw builds its graph as rows
 * arrive and has no such step, so it is not reported.
 *
 * A new table that the migration filled first (CREATE TABLE AS with data, INSERT ... SELECT,
 * COPY FROM) has rows to train on and is left alone; a few INSERT ... VALUES rows are not a
 * training set, so they do not count. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_INDEX_STMT,
	PG_QUERY__NODE__NODE_INSERT_STMT,
	PG_QUERY__NODE__NODE_COPY_STMT,
	PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT,
	LINT_KINDS_END,
};

const struct rule rule_vector_index_on_empty_table = {
	.id = "vector-index-on-empty-table",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "an ivfflat index built on a table created in this migration is trained on no data",
	.kinds = kinds,
	.visit = visit,
};

/* Tables the migration loaded rows into (schema "" when not written). */
struct filled {
	const char *schema, *table;
	struct filled *next;
};

static void mark_filled(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	if (!rv || !*rv->relname)
		return;
	void **data = lint_rule_data(ctx, &rule_vector_index_on_empty_table);
	struct filled *f = lint_alloc(ctx, sizeof(*f));
	f->schema = lint_keep(ctx, rv->schemaname);
	f->table = lint_keep(ctx, rv->relname);
	f->next = *data;
	*data = f;
}

static int was_filled(struct lint_ctx *ctx, const PgQuery__RangeVar *rv)
{
	const char *schema = rv->schemaname ? rv->schemaname : "";
	for (const struct filled *f = *lint_rule_data(ctx, &rule_vector_index_on_empty_table); f;
	     f = f->next)
		if (!strcmp(f->table, rv->relname) &&
		    (!*f->schema || !*schema || !strcmp(f->schema, schema)))
			return 1;
	return 0;
}

/* INSERT ... SELECT with a FROM clause (or a set operation over queries) reads rows from
 * elsewhere; VALUES lists and SELECTs of constants add a handful at most. */
static int insert_reads_rows(const PgQuery__InsertStmt *is)
{
	const PgQuery__Node *q = is->select_stmt;
	if (!q || q->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
		return 0;
	const PgQuery__SelectStmt *s = q->select_stmt;
	return s->n_from_clause > 0 || s->op != PG_QUERY__SET_OPERATION__SETOP_NONE;
}

static void index_stmt(struct lint_ctx *ctx, const PgQuery__IndexStmt *is)
{
	if (!is->relation || strcmp(is->access_method, "ivfflat") ||
	    !lint_table_is_new(ctx, is->relation) || was_filled(ctx, is->relation))
		return;
	const char *rel = lint_rel(ctx, is->relation);
	const char *name = *is->idxname ? lint_printf(ctx, " %s", lint_ident(ctx, is->idxname)) : "";
	const char *column = "embedding";
	const char *opclass = "vector_l2_ops";
	if (is->n_index_params && is->index_params[0]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM) {
		const PgQuery__IndexElem *ie = is->index_params[0]->index_elem;
		if (*ie->name)
			column = lint_ident(ctx, ie->name);
		const char *oc = sql_names_last(ie->opclass, ie->n_opclass);
		if (oc)
			opclass = oc;
	}
	lint_report(ctx, &rule_vector_index_on_empty_table, -1,
		    lint_printf(ctx,
				"build the ivfflat index in a later migration, once the table holds "
				"representative rows: CREATE INDEX CONCURRENTLY%s ON %s USING ivfflat "
				"(%s %s) WITH (lists = ...), with lists about rows / 1000 (sqrt(rows) above "
				"a million); or use hnsw, which needs no training: CREATE INDEX%s ON %s "
				"USING hnsw (%s %s)",
				name, rel, column, opclass, name, rel, column, opclass),
		    "ivfflat index%s on %s is built on a table created in this migration: its lists "
		    "are trained on no rows, so searches miss close neighbours until it is rebuilt "
		    "(REINDEX) after the data is loaded",
		    name, rel);
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		index_stmt(ctx, node->index_stmt);
		break;
	case PG_QUERY__NODE__NODE_INSERT_STMT:
		if (insert_reads_rows(node->insert_stmt))
			mark_filled(ctx, node->insert_stmt->relation);
		break;
	case PG_QUERY__NODE__NODE_COPY_STMT:
		if (node->copy_stmt->is_from)
			mark_filled(ctx, node->copy_stmt->relation);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: {
		const PgQuery__IntoClause *into = node->create_table_as_stmt->into;
		if (into && !into->skip_data)
			mark_filled(ctx, into->rel);
		break;
	}
	default:
		break;
	}
}
