/* The kinds of database object, as one enum and one table of facts, both made from
 * schema/kinds.def: the model (schema/model.h) keeps and finds objects by kind, the diff
 * (diff/diff.h) lists its changes by kind, and the dependents of a DROP (schema/depend.h) are
 * objects of these kinds. */
#ifndef PGSIEVE_SCHEMA_KINDS_H
#define PGSIEVE_SCHEMA_KINDS_H

/* In the order objects are created in (the order of kinds.def). */
enum schema_kind {
#define SCHEMA_KIND(id, member, map, name, keyword, catalog, keyed, listed) SCHEMA_KIND_##id,
#define SCHEMA_PART(id, name, keyword, catalog, keyed, listed) SCHEMA_KIND_##id,
#include "schema/kinds.def"
#undef SCHEMA_KIND
#undef SCHEMA_PART
	SCHEMA_KIND_COUNT
};

/* How objects of a kind are keyed in the model's map of them (and in `pgsieve diff`). */
enum schema_keyed {
	SCHEMA_KEYED_BY_NAME,      /* "name": one per database (schemas, extensions) */
	SCHEMA_KEYED_IN_SCHEMA,    /* "schema.name"; an unqualified name resolves through the
				    * search_path as PostgreSQL resolves it */
	SCHEMA_KEYED_BY_SIGNATURE, /* "schema.name(argtypes)": overloads share a name */
	SCHEMA_KEYED_ON_TABLE,     /* "schema.table.name": names are unique within their table */
};

struct schema_kind_info {
	const char *name;    /* "table", "materialized view" is a view's (diff_item_kind_name()) */
	const char *keyword; /* "TABLE" */
	const char *catalog; /* "pg_class" */
	const char *map;     /* "tables": the model's map and the dump's section; NULL for a part */
	enum schema_keyed keyed;
	int listed;          /* the place in a list of dependents; -1: never a dependent */
};

extern const struct schema_kind_info schema_kinds[SCHEMA_KIND_COUNT];

#endif
