/* Two models of a schema compared: the ordered list of what differs, as data.
 *
 * `from` is the schema as it is, `to` the schema as it should be. An object only in `to` is
 * "added" (missing from `from`), one only in `from` is "dropped" (extra in `from`), one in both
 * whose canonical JSON (schema/json.h, without SCHEMA_JSON_STATS) differs is "changed", one
 * item per attribute with the old and the new value. Columns and constraints of a table are
 * objects of their own (keyed "schema.table.name"), so a table whose only difference is a new
 * column is not "changed" itself. Facts that are not schema (struct schema_stats, the fields
 * model.h marks "not compared") never make a difference, because the JSON leaves them out.
 *
 * Renames: a dropped and an added index or constraint of one table with the same definition are
 * one "renamed" item (key: the new name, old_key: the old one), followed by the changes between
 * the two objects; renaming them moves no data. A table or a column is renamed only on evidence,
 * because a wrong guess moves old values into a new object: the user said so (renames, from
 * --rename), or a trace of the old object in the new one (a table's index or constraint that kept
 * its name, the same comment). A table of one schema with the same columns (names, types,
 * defaults, in order) or a column of one table at the same position with the same type, without
 * such evidence, is only a probable rename: a dropped and an added item, the added one naming the
 * dropped one in probable_rename_of.
 *
 * Indexes that implement a constraint (PRIMARY KEY, UNIQUE, EXCLUDE) are the constraint's:
 * they are compared as the constraint, not on their own. The sequence of an identity column
 * is compared on its own (its options) but created and dropped with the column. */
#ifndef PGSIEVE_DIFF_H
#define PGSIEVE_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "schema/model.h"
#include "util/strmap.h"

/* In the order objects are created in. */
enum diff_kind {
	DIFF_SCHEMA,
	DIFF_EXTENSION,
	DIFF_COLLATION,
	DIFF_TYPE,
	DIFF_SEQUENCE,
	DIFF_TABLE,
	DIFF_COLUMN,
	DIFF_CONSTRAINT,
	DIFF_INDEX,
	DIFF_VIEW,
	DIFF_FUNCTION,
	DIFF_TRIGGER,
	DIFF_POLICY,
	DIFF_KIND_COUNT
};

enum diff_change {
	DIFF_ADDED,   /* only in `to` */
	DIFF_DROPPED, /* only in `from` */
	DIFF_CHANGED, /* in both; one attribute differs */
	DIFF_RENAMED, /* a probable rename: old_key in `from`, key in `to` */
};

struct diff_item {
	enum diff_kind kind;
	enum diff_change change;
	char *key;       /* the object's key in `to` (dropped: in `from`), as the models key it;
			  * columns and constraints "schema.table.name" */
	char *old_key;   /* renamed (and changes of a renamed object): the key in `from` */
	char *name;      /* the object's own name (a column's, a constraint's, a view's) */
	char *attribute; /* changed: "type", "default", "grants", ...; NULL otherwise */
	/* renamed: why ("--rename", "the same definition", "index public.x kept its name", ...);
	 * added: the reason it may be a rename of probable_rename_of (a key in `from`) */
	char *evidence;
	char *probable_rename_of;
	/* changed: the attribute's value in `from` and `to` (JSON null when absent); added: the
	 * object in `to`; dropped: the object in `from`; owned by the item */
	json_t *old_value, *new_value;
	/* The objects in the models (struct schema_table *, struct schema_column *, ...), NULL on
	 * the side where the object does not exist; parents are the tables of columns and
	 * constraints. They point into the models, which must outlive the diff. */
	const void *from, *to;
	const struct schema_table *from_table, *to_table;
};

struct diff {
	const struct schema_model *from, *to;
	struct diff_item *items;
	size_t n, cap;
};

/* Compares the models; items are ordered by kind (enum diff_kind), then by key, a rename before
 * the changes of its object. Cost: linear in the objects of both models (keys are sorted once
 * per kind), plus the JSON of every object. */
void diff_models(struct diff *d, const struct schema_model *from, const struct schema_model *to);
/* The same, with the renames the user states: old key (in `from`) -> new key (in `to`) of tables
 * ("schema.name") and columns ("schema.table.column", the old table's key on the left, the new
 * table's on the right). The ones used are removed from the map, so
 * what is left names nothing. */
void diff_models_renaming(struct diff *d, const struct schema_model *from, const struct schema_model *to,
			  struct strmap *renames);
void diff_release(struct diff *d);
/* Frees what one item owns (for callers that take items out of a diff). */
void diff_item_release(struct diff_item *it);

/* "table", "column", ... and "added", "dropped", "changed", "renamed". A view item's kind name
 * is "materialized view" for one. */
const char *diff_kind_name(enum diff_kind kind);
const char *diff_item_kind_name(const struct diff_item *it);
const char *diff_change_name(enum diff_change change);

/* The changes as a JSON array (docs/diff.md), a new reference. */
json_t *diff_json(const struct diff *d);
/* The changes for people: one line per object, the columns and constraints of a table under
 * it; "no differences" when there are none. */
void diff_print_text(FILE *out, const struct diff *d);

#endif
