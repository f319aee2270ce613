/* How full the sequences feeding a table's integer columns are, for sequence-near-limit and as
 * evidence in prefer-bigint's help. A sequence feeds a column when it is owned by it (serial,
 * identity, ALTER SEQUENCE ... OWNED BY); its position is a fact of the live database
 * (has_last_value, --db only), so with a schema file nothing is ever full. The limit is the
 * smaller of the sequence's MAXVALUE and the column type's maximum: a bigint sequence feeding an
 * integer column fails at the column's. Header-only: two rules use it. */
#ifndef PGSIEVE_RULES_SEQUENCE_FILL_H
#define PGSIEVE_RULES_SEQUENCE_FILL_H

#include <stdint.h>
#include <string.h>

#include "effects/types.h"
#include "lint/rule.h"

enum { SEQUENCE_WARN_PERCENT = 75, SEQUENCE_ERROR_PERCENT = 90 };

struct sequence_fill {
	const struct schema_sequence *seq;
	const struct schema_column *column;
	int64_t limit;
	double percent;
};

/* The fill of a sequence owned by a column of table t (key "schema.name"); 0 when it has no
 * known position, counts down, or feeds no integer column. */
static inline int sequence_fill_of(const struct schema_sequence *s, const struct schema_table *t, const char *key,
				   struct sequence_fill *out)
{
	if (!s->has_last_value || s->increment <= 0 || !s->owned_table || !s->owned_column ||
	    strcmp(s->owned_table, key))
		return 0;
	const struct schema_column *c = schema_column_find(t, s->owned_column);
	if (!c || !c->type || c->array_dims)
		return 0;
	int width = type_int_width(c->type);
	int64_t limit = width == 2 ? INT16_MAX : width == 4 ? INT32_MAX : width == 8 ? INT64_MAX : 0;
	if (!limit)
		return 0;
	if (s->max > 0 && s->max < limit)
		limit = s->max;
	out->seq = s;
	out->column = c;
	out->limit = limit;
	out->percent = 100.0 * (double)s->last_value / (double)limit;
	return 1;
}

/* The fullest sequence of table t at or past SEQUENCE_WARN_PERCENT, or 0. */
static inline int sequence_fullest(const struct schema_model *m, const struct schema_table *t,
				   struct sequence_fill *out)
{
	/* positions come only from a database read whole (the catalog source): without one no
	 * sequence has any, and walking every sequence of a long history for each column was a
	 * fifteenth of linting 2,000 small migrations */
	if (!m->complete)
		return 0;
	char key[300];
	schema_key(key, sizeof(key), t->schema, t->name);
	int found = 0;
	size_t it = 0;
	void *v;
	while (strmap_next(&m->sequences, &it, NULL, &v)) {
		struct sequence_fill f = { NULL, NULL, 0, 0 };
		if (sequence_fill_of(v, t, key, &f) && f.percent >= SEQUENCE_WARN_PERCENT &&
		    (!found || f.percent > out->percent)) {
			*out = f;
			found = 1;
		}
	}
	return found;
}

#endif
