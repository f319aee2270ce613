/* vector-dimension-mismatch: a pgvector column whose declared size is not one the project's
 * embedding models produce (`vector-dimensions: [1536]` in .pgsieve.yml). Inserting an
 * embedding of another size fails at run time ("expected 1536 dimensions, not 768"), usually
 * long after the migration was reviewed. Silent when the list is not configured.
 *
 * Columns of type vector(n) and halfvec(n) (the same embedding in half precision) count, as
 * defined anywhere a column is: CREATE TABLE, ADD COLUMN, ALTER COLUMN ... TYPE, composite
 * types. sparsevec(n) is left out: its n is a vocabulary size, not an embedding size. */
#include <string.h>

#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_COLUMN_DEF, LINT_KINDS_END };

const struct rule rule_vector_dimension_mismatch = {
	.id = "vector-dimension-mismatch",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a vector(n) column whose size is not one of the configured embedding sizes",
	.kinds = kinds,
	.visit = visit,
};

static const char *const vector_types[] = { "vector", "halfvec" };

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const struct lint_options *o = lint_options(ctx);
	const PgQuery__ColumnDef *cd = node->column_def;
	if (!o->vector_dimensions || !o->n_vector_dimensions || !cd->type_name)
		return;
	struct sql_type t;
	sql_type_from_node(cd->type_name, &t);
	int is_vector = 0;
	for (size_t i = 0; i < sizeof(vector_types) / sizeof(vector_types[0]); i++)
		is_vector |= !strcmp(t.name, vector_types[i]);
	if (!is_vector || t.nmods != 1)
		return; /* no size declared (or not a plain number): nothing to compare */
	const char *sizes = "";
	for (size_t i = 0; i < o->n_vector_dimensions; i++) {
		if (o->vector_dimensions[i] == t.mods[0])
			return;
		sizes = i ? lint_printf(ctx, "%s, %d", sizes, o->vector_dimensions[i])
			  : lint_printf(ctx, "%d", o->vector_dimensions[i]);
	}
	int expect = o->vector_dimensions[0];
	/* ALTER COLUMN ... TYPE names the column in its command, not in the ColumnDef */
	const char *colname = cd->colname;
	const PgQuery__Node *parent = lint_parent(ctx, 0);
	if (!*colname && parent && parent->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
		colname = parent->alter_table_cmd->name;
	const char *column = lint_ident(ctx, colname);
	lint_report(ctx, &rule_vector_dimension_mismatch, t.location,
		    lint_printf(ctx,
				"declare the column with the size of the model that fills it: %s "
				"%s(%d)%s; if this is a new model, add %d to vector-dimensions in "
				".pgsieve.yml",
				column, t.name, expect,
				o->n_vector_dimensions > 1 ? " (or another configured size)" : "",
				t.mods[0]),
		    "column %s is %s(%d), but the configured embedding size%s (vector-dimensions) %s "
		    "%s: inserting those embeddings fails with \"expected %d dimensions\"",
		    column, t.name, t.mods[0],
		    o->n_vector_dimensions > 1 ? "s" : "", o->n_vector_dimensions > 1 ? "are" : "is",
		    sizes, t.mods[0]);
}
