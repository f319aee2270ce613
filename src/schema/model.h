/* The model of the database that statements are checked against: tables with their columns,
 * indexes, and what the current migration created. It starts empty (nothing is known about
 * the live database) and is advanced statement by statement by schema_apply().
 *
 * Names are stored as PostgreSQL folds them (the parser already lowercases unquoted names);
 * an unqualified name resolves to "public", the default search_path's first writable schema. */
#ifndef PGSIEVE_MODEL_H
#define PGSIEVE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "util/strmap.h"

struct schema_column {
	char *name;
	char *type;        /* canonical type name ("int4", "varchar"), NULL when unknown */
	int32_t mods[2];
	int nmods;         /* -1: modifiers are not plain integers */
	int array_dims;
	int not_null;
	int added_in_migration;
};

/* A CHECK (col IS NOT NULL) constraint: what lets SET NOT NULL skip its full scan. */
struct schema_notnull_check {
	char *name; /* NULL when the constraint was added without a name */
	char *column;
	int validated;
};

struct schema_table {
	char *schema, *name;
	int created_in_migration;
	struct schema_column *columns;
	size_t ncolumns, cap;
	struct schema_notnull_check *checks;
	size_t nchecks, checks_cap;
};

struct schema_index {
	char *schema, *name;
	char *table_key; /* "schema.table" of the indexed table */
	int created_in_migration;
};

struct schema_model {
	struct strmap tables;  /* "schema.name" -> struct schema_table * */
	struct strmap indexes; /* "schema.name" -> struct schema_index * */
	/* function name (without schema) -> the volatility its CREATE FUNCTION declared, as
	 * pg_proc.provolatile spells it ('i', 's', 'v'), stored in the pointer */
	struct strmap functions;
};

void schema_model_init(struct schema_model *m);
void schema_model_release(struct schema_model *m);
/* A new migration starts: nothing counts as created by it any more. */
void schema_model_begin_migration(struct schema_model *m);

/* schema may be NULL or "" for the default schema. */
struct schema_table *schema_table_find(const struct schema_model *m, const char *schema,
				       const char *name);
struct schema_table *schema_table_add(struct schema_model *m, const char *schema, const char *name);
void schema_table_drop(struct schema_model *m, const char *schema, const char *name);
void schema_table_rename(struct schema_model *m, const char *schema, const char *name,
			 const char *new_name);

struct schema_column *schema_column_find(const struct schema_table *t, const char *name);
struct schema_column *schema_column_add(struct schema_table *t, const char *name);
void schema_column_drop(struct schema_table *t, const char *name);
/* Sets the column's type; type NULL means unknown. */
void schema_column_set_type(struct schema_column *c, const char *type, const int32_t *mods,
			    int nmods, int array_dims);

void schema_check_add(struct schema_table *t, const char *name, const char *column, int validated);
/* Marks the named check validated; returns 0 when no such check is known. */
int schema_check_validate(struct schema_table *t, const char *name);
void schema_check_drop(struct schema_table *t, const char *name);
/* Whether a validated CHECK (column IS NOT NULL) exists on the table. */
int schema_column_has_notnull_check(const struct schema_table *t, const char *column);

struct schema_index *schema_index_find(const struct schema_model *m, const char *schema,
				       const char *name);
struct schema_index *schema_index_add(struct schema_model *m, const char *schema, const char *name,
				      const char *table_schema, const char *table_name);
void schema_index_drop(struct schema_model *m, const char *schema, const char *name);

/* Functions created by the migrations read so far: 'i', 's' or 'v' as declared (the last
 * CREATE [OR REPLACE] wins), 0 for a function the model does not know. */
void schema_function_set(struct schema_model *m, const char *name, char volatility);
char schema_function_volatility(const struct schema_model *m, const char *name);

#endif
