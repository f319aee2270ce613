/* The model of the database that statements are checked against: schemas, tables with their
 * columns, constraints, triggers and policies, indexes, views, sequences, types, functions,
 * extensions, comments and grants. It is filled from one of three sources, always through
 * schema_apply() (schema/apply.c), so the three agree by construction:
 *   - nothing: it starts empty and migrations are replayed onto it;
 *   - a schema file (schema/load.c): pg_dump -s output, structure.sql, schema.sql;
 *   - a live database (catalog/catalog.c): the catalog is read, turned into DDL and applied,
 *     then sizes and other facts only a server knows are set on the objects.
 *
 * Names are stored as PostgreSQL folds them (the parser lowercases unquoted names). Objects are
 * kept in one map per kind (schema/kinds.def), keyed by "schema.name" (functions:
 * "schema.name(argtypes)"); an unqualified name resolves through the model's search_path the way
 * PostgreSQL resolves it. Everything a model
 * says that can differ between two databases is canonical text (types as "int4", expressions
 * as libpg_query deparses their normalised tree, options sorted), so two models compare by
 * comparing fields, and schema_model_json() without SCHEMA_JSON_STATS is equal for equal
 * schemas. Iterate maps in a stable order with schema_sorted_keys(). */
#ifndef PGSIEVE_MODEL_H
#define PGSIEVE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "schema/kinds.h"
#include "util/strmap.h"

/* PostgreSQL's NAMEDATALEN - 1: identifiers are cut to this many bytes. */
enum { SCHEMA_NAME_MAX = 63 };

/* An expression is kept twice: normalised (casts of constants and the casts PostgreSQL adds
 * left out, schema/norm.h), which is what two schemas compare by, and, when that left a cast
 * out, as written with its casts (the *_sql fields), which is what a plan writes: a cast can
 * change what an expression means ('90 days'::interval, 7::bigint * 86400000000). The text a
 * plan writes for the expression `norm` whose text with casts is `sql`: */
static inline const char *schema_expr_sql(const char *norm, const char *sql)
{
	return sql ? sql : norm;
}

/* A list of owned strings. */
struct schema_strlist {
	char **items;
	size_t n, cap;
};

void schema_strlist_add(struct schema_strlist *l, const char *s);
void schema_strlist_clear(struct schema_strlist *l);
int schema_strlist_find(const struct schema_strlist *l, const char *s); /* index or -1 */
void schema_strlist_remove(struct schema_strlist *l, size_t i);
void schema_strlist_sort(struct schema_strlist *l);
void schema_strlist_copy(struct schema_strlist *to, const struct schema_strlist *from);

/* One privilege granted to one role (grantee "PUBLIC" for everyone). The owner's own
 * privileges are not modelled (ownership is not either). */
struct schema_grant {
	char *grantee;
	char *privilege; /* "SELECT", "USAGE", "EXECUTE", ...; column grants: "SELECT (col)" */
	int grantable;
};

struct schema_acl {
	struct schema_grant *items;
	size_t n, cap;
};

void schema_acl_grant(struct schema_acl *a, const char *grantee, const char *privilege, int grantable);
void schema_acl_revoke(struct schema_acl *a, const char *grantee, const char *privilege,
		       int grant_option_only);
void schema_acl_clear(struct schema_acl *a);

/* What only a live database knows. Not part of a model's identity: left out of comparisons. */
struct schema_stats {
	int known;           /* set by the catalog source */
	double rows;         /* pg_class.reltuples: an estimate; -1 never analyzed */
	int64_t pages;       /* pg_class.relpages */
	int64_t bytes;       /* the relation with its TOAST and indexes (relpages based, lock-free) */
};

struct schema_column {
	char *name;
	char *type;        /* canonical type name ("int4", "varchar", "mood"), NULL when unknown */
	int32_t mods[2];
	int nmods;         /* -1: modifiers are not plain integers */
	int array_dims;
	int not_null;
	int added_in_migration;
	char *type_schema;  /* the schema of a user-defined type; NULL for pg_catalog's types */
	char *default_expr; /* normalised expression, NULL when none */
	char *default_sql;  /* the same with its casts (schema_expr_sql()); NULL when the same */
	char identity;      /* 0, 'a' (ALWAYS) or 'd' (BY DEFAULT) */
	char generated;     /* 0 or 's' (STORED); the expression is in default_expr */
	char *collation;    /* "schema.name" when not the type's default, else NULL */
	char *comment;
};

/* A CHECK (col IS NOT NULL) constraint: what lets SET NOT NULL skip its full scan. Kept beside
 * the full constraint list (schema_table.constraints) for the rules that ask about it. */
struct schema_notnull_check {
	char *name;
	char *column;
	int validated;
};

/* A column list entry of an index or an exclusion constraint. */
struct schema_index_elem {
	char *column;    /* a plain column, or NULL */
	char *expr;      /* a normalised expression, or NULL */
	char *expr_sql;  /* the same with its casts; NULL when the same */
	char *opclass;   /* NULL for the default */
	char *collation; /* NULL for the default */
	int desc;
	int nulls;       /* 0 default, 1 NULLS FIRST, 2 NULLS LAST */
	char *op;        /* EXCLUDE: the operator ("=", "&&") */
};

enum schema_contype {
	SCHEMA_CON_PRIMARY = 'p',
	SCHEMA_CON_UNIQUE = 'u',
	SCHEMA_CON_FOREIGN = 'f',
	SCHEMA_CON_CHECK = 'c',
	SCHEMA_CON_EXCLUDE = 'x',
};

struct schema_constraint {
	char *name;
	char type;                       /* enum schema_contype */
	struct schema_strlist columns;   /* p u f: the key columns */
	struct schema_strlist include;   /* p u: INCLUDE columns */
	char *expr;                      /* c: the normalised expression */
	char *expr_sql;                  /* c: the same with its casts; NULL when the same */
	struct schema_index_elem *elems; /* x: elements with their operators */
	size_t nelems;
	char *method;                    /* x: index method */
	char *predicate;                 /* x: WHERE */
	char *predicate_sql;             /* x: the same with its casts; NULL when the same */
	char *ref_table;                 /* f: "schema.name" */
	struct schema_strlist ref_columns; /* f: empty when the referenced key is not known */
	char on_update, on_delete;       /* f: 'a' no action, 'r' restrict, 'c' cascade, 'n' set null, 'd' set default */
	char match;                      /* f: 's' simple, 'f' full, 'p' partial */
	int deferrable, deferred;
	int validated;                   /* 0: NOT VALID */
	int no_inherit;
	int nulls_not_distinct;
	char *comment;
};

struct schema_table {
	char *schema, *name;
	int created_in_migration;
	struct schema_column *columns;
	size_t ncolumns, cap;
	/* The columns by name, once a table has many (positions + 1 in an open-addressing table
	 * of column_slots_cap entries, 0 empty): adding 100,000 columns one by one must not search
	 * every column each time. NULL: not built (a copy, or few columns); find then searches. */
	uint32_t *column_slots;
	size_t column_slots_cap;
	struct schema_notnull_check *checks;
	size_t nchecks, checks_cap;
	/* Only ALTERed, never created in what the model read: the columns and constraints are
	 * those the migrations touched, not all the table has. */
	int partial;
	char kind;          /* 'r' table, 'p' partitioned table, 'f' foreign table */
	char persistence;   /* 'p' permanent, 'u' unlogged, 't' temporary */
	char *partition_key;   /* "RANGE (created_at)" for a partitioned table */
	char *partition_of;    /* the parent ("schema.name") of a partition */
	char *partition_bound; /* "FOR VALUES FROM (...) TO (...)", "DEFAULT" */
	struct schema_strlist inherits; /* parents by INHERITS, "schema.name" */
	struct schema_strlist options;  /* storage parameters, "fillfactor=70", sorted */
	int rls_enabled, rls_forced;
	struct schema_constraint *constraints;
	size_t nconstraints, constraints_cap;
	struct schema_acl acl;
	char *comment;
	struct schema_stats stats;
};

struct schema_index {
	char *schema, *name;
	char *table_key; /* "schema.table" of the indexed table (or materialized view) */
	int created_in_migration;
	char *method;    /* "btree" */
	int unique, nulls_not_distinct;
	struct schema_index_elem *elems;
	size_t nelems;
	struct schema_strlist include;
	char *predicate;
	char *predicate_sql; /* the same with its casts; NULL when the same */
	struct schema_strlist options;
	int valid;        /* 0: left INVALID by a failed CREATE INDEX CONCURRENTLY */
	char *constraint; /* the PRIMARY KEY, UNIQUE or EXCLUDE constraint it implements, or NULL */
	char *comment;
	struct schema_stats stats;
};

struct schema_view {
	char *schema, *name;
	int materialized;
	int created_in_migration;
	char *definition;               /* the normalised query */
	char *definition_sql;           /* the same with its casts; NULL when the same */
	struct schema_strlist columns;  /* output column names, in order */
	struct schema_strlist depends_on; /* relations read, "schema.name", sorted */
	struct schema_strlist depends_on_columns; /* "schema.table.column" read, sorted */
	struct schema_strlist options;  /* "check_option=local", "security_barrier=true", sorted */
	struct schema_acl acl;
	char *comment;
	struct schema_stats stats;
	int populated;                  /* materialized: 0 after WITH NO DATA (a fact, not compared) */
};

struct schema_sequence {
	char *schema, *name;
	int created_in_migration;
	char *type;           /* "int8", "int4", "int2" */
	int64_t start, increment, min, max, cache;
	int cycle;
	char *owned_table;    /* "schema.name", or NULL */
	char *owned_column;
	char owner_kind;      /* 0 standalone, 'a' serial or OWNED BY, 'i' identity */
	struct schema_acl acl;
	char *comment;
	int has_last_value;   /* a fact of the live database, not compared */
	int64_t last_value;
};

struct schema_type {
	char *schema, *name;
	char kind;                       /* 'e' enum, 'd' domain, 'c' composite */
	struct schema_strlist labels;    /* e: in order */
	char *base_type;                 /* d: "varchar(20)", "public.mood" */
	int not_null;                    /* d */
	char *default_expr;              /* d */
	char *default_sql;               /* d: with its casts; NULL when the same */
	char *collation;                 /* d */
	struct schema_constraint *constraints; /* d: CHECK constraints */
	size_t nconstraints, constraints_cap;
	struct schema_column *attributes; /* c */
	size_t nattributes, attributes_cap;
	struct schema_acl acl;
	char *comment;
};

struct schema_function {
	char *schema, *name;
	char kind;            /* 'f' function, 'p' procedure */
	char *identity_args;  /* "int4, text": the input argument types, the overload's identity */
	char *arguments;      /* "a int4, OUT b text, c int4 DEFAULT 1" */
	char *returns;        /* "int4", "SETOF public.orders", "TABLE(a int4)", "trigger"; NULL for a procedure */
	char *language;
	char volatility;      /* 'i', 's', 'v' */
	int strict, security_definer, leakproof;
	char parallel;        /* 's' safe, 'r' restricted, 'u' unsafe */
	struct schema_strlist config; /* "search_path=public, pg_temp", sorted */
	char *body;           /* the code as written (AS '...'), or a BEGIN ATOMIC body deparsed */
	char *body_sql;       /* a BEGIN ATOMIC body with its casts; NULL when the same */
	struct schema_acl acl;
	char *comment;
};

struct schema_trigger {
	char *name;
	char *table_key;
	char timing;             /* 'B' before, 'A' after, 'I' instead of */
	unsigned events;         /* 1 INSERT, 2 DELETE, 4 UPDATE, 8 TRUNCATE */
	struct schema_strlist update_columns;
	int for_each_row;
	char *when_expr;
	char *when_sql;          /* the same with its casts; NULL when the same */
	char *old_table, *new_table; /* REFERENCING OLD / NEW TABLE AS: the names, or NULL */
	char *function;          /* "schema.name" */
	struct schema_strlist args;
	char enabled;            /* 'O' origin (default), 'D' disabled, 'R' replica, 'A' always */
	int is_constraint, deferrable, deferred;
	char *comment;
};

struct schema_policy {
	char *name;
	char *table_key;
	int permissive;
	char *command;           /* "ALL", "SELECT", "INSERT", "UPDATE", "DELETE" */
	struct schema_strlist roles; /* sorted; "PUBLIC" */
	char *using_expr, *check_expr;
	char *using_sql, *check_sql; /* the same with their casts; NULL when the same */
	char *comment;
};

struct schema_extension {
	char *name;
	char *schema;
	char *version;           /* a fact of the live database, not compared */
	char *comment;
};

/* A collation of CREATE COLLATION (not pg_catalog's). Its definition is kept as the catalog has
 * it: libc's lc_collate and lc_ctype (what `locale` sets both of), or an ICU or builtin locale. */
struct schema_collation {
	char *schema, *name;
	char *provider;          /* "libc", "icu", "builtin" */
	char *locale;            /* icu, builtin */
	char *lc_collate, *lc_ctype; /* libc */
	int deterministic;
	char *comment;
};

struct schema_schema {
	char *name;
	struct schema_acl acl;
	char *comment;
};

struct schema_model {
	/* One map per kind of schema/kinds.def, named there; schema_objects() gives a kind's. */
	struct strmap tables;     /* "schema.name" -> struct schema_table * */
	struct strmap indexes;    /* "schema.name" -> struct schema_index * */
	struct strmap schemas;    /* "name" -> struct schema_schema * */
	struct strmap views;      /* "schema.name" -> struct schema_view * */
	struct strmap sequences;  /* "schema.name" -> struct schema_sequence * */
	struct strmap types;      /* "schema.name" -> struct schema_type * */
	struct strmap functions;  /* "schema.name(argtypes)" -> struct schema_function * */
	struct strmap triggers;   /* "schema.table.name" -> struct schema_trigger * */
	struct strmap policies;   /* "schema.table.name" -> struct schema_policy * */
	struct strmap extensions; /* "name" -> struct schema_extension * */
	struct strmap collations; /* "schema.name" -> struct schema_collation * */
	/* The search_path as set by the statements applied ("$user" included as written). */
	struct schema_strlist search_path;
	char *user;   /* the role "$user" stands for, when known (the catalog source) */
	/* A source was loaded: the model holds the whole database, so what it lacks does not
	 * exist (and an unqualified name only resolves to schemas that exist). */
	int complete;
	/* Where the model came from, for messages: "the schema file x.sql", "the database". */
	char *source;
	/* The keys of each table's indexes: "schema.table" -> struct strmap * of index keys. Kept
	 * by the functions that add, drop and rename indexes and tables (schema_index_bytable_*),
	 * so that a table's indexes are found without a pass over all of them (the part of a
	 * long history's model a migration touches, schema_model_keys()). */
	struct strmap index_bytable;
	/* What the current migration created: schema_mark_new() */
	struct schema_fresh {
		enum schema_kind kind; /* a table (or a table with added columns), index, view, sequence */
		void *obj;
	} *fresh;
	size_t nfresh, fresh_cap;
};

void schema_model_init(struct schema_model *m);
void schema_model_release(struct schema_model *m);
/* A deep copy of `from` into `to` (not initialised; release it with schema_model_release()).
 * The copy records nothing as created by the current migration (schema/copy.c). */
void schema_model_copy(struct schema_model *to, const struct schema_model *from);
/* Records that the index keyed `key` belongs to the table keyed `table_key`, or no longer. */
void schema_index_bytable_add(struct schema_model *m, const char *table_key, const char *key);
void schema_index_bytable_remove(struct schema_model *m, const char *table_key, const char *key);
/* A table's key changed: its indexes' entries follow. */
void schema_index_bytable_rename(struct schema_model *m, const char *old_table_key, const char *new_table_key);

/* Keys of some of a model's tables and indexes ("schema.name" -> non-NULL). */
struct schema_keys {
	struct strmap tables, indexes;
};
/* Adds to out the keys of the tables and indexes of m that `names` name and `except` (NULL:
 * nothing) does not: a table by its name, an index by its own name or its table's. Names are
 * unqualified, as the model keeps them; NULL names all. For the part of a long history's model
 * a migration can touch: tables are looked up, indexes take a pass over their names. */
void schema_model_keys(const struct schema_model *m, const struct strmap *names, const struct strmap *except,
		       struct schema_keys *out);
void schema_keys_release(struct schema_keys *k);
/* schema_model_copy() with, of the tables and indexes, only those k names (all when NULL). */
void schema_model_copy_part(struct schema_model *to, const struct schema_model *from, const struct schema_keys *k);
/* Adds to `to` copies of the tables and indexes of `from` k names (all when NULL), which `to`
 * must not have. */
void schema_model_copy_tables(struct schema_model *to, const struct schema_model *from, const struct schema_keys *k);
/* A new migration starts: nothing counts as created by it any more, and the search_path is
 * back to the default. */
void schema_model_begin_migration(struct schema_model *m);
/* Records that the current migration created obj (or, for a table, added columns to it), so
 * that the next schema_model_begin_migration() clears its flags: whoever sets
 * created_in_migration or added_in_migration calls it. */
void schema_mark_new(struct schema_model *m, enum schema_kind kind, void *obj);
/* Sets the search_path from a comma-separated list as SET search_path takes it. */
void schema_model_set_search_path(struct schema_model *m, const char *value);

/* Keys of a map in strcmp() order (a malloc'd array of pointers into the map; free() it). */
const char **schema_sorted_keys(const struct strmap *map, size_t *n);
/* The same in the map's own order (cheaper, for walks whose result is sorted afterwards). */
const char **schema_map_keys(const struct strmap *map, size_t *n);

/* "schema.name" into buf. */
const char *schema_key(char *buf, size_t size, const char *schema, const char *name);
/* The schema a new object named without one is created in: the first schema of the
 * search_path that exists ("public" when none does). */
const char *schema_creation_schema(const struct schema_model *m);
/* The schema an unqualified relation name resolves to: the first search_path schema holding a
 * relation (table, view, sequence, index, composite type) of that name; NULL when none does. */
const char *schema_resolve_relation(const struct schema_model *m, const char *name);
/* Which kind of relation "schema.name" is: 't' table, 'v' view, 'm' materialized view,
 * 'S' sequence, 'i' index, 'c' composite type; 0 when there is none. */
char schema_relation_kind(const struct schema_model *m, const char *schema, const char *name);
/* PostgreSQL's ChooseRelationName(): name1_name2_label cut to 63 bytes, with a number added to
 * the label until no relation of the schema has the name. name2 may be NULL. Malloc'd. */
char *schema_choose_relation_name(const struct schema_model *m, const char *schema,
				  const char *name1, const char *name2, const char *label);
/* The same for a constraint of a table or domain (names must differ within it). */
char *schema_choose_constraint_name(const struct schema_constraint *cons, size_t n,
				    const char *name1, const char *name2, const char *label);

/* ---- objects of every kind that has a map (schema/kinds.def) ----
 *
 * A statement names an object by a scope and a name, as its kind is keyed (enum schema_keyed):
 *   in a schema    scope is the schema; NULL or "" for an unqualified name, which finding
 *                  resolves through the search_path and adding puts in the creation schema
 *   by signature   the same, and the name is the signature "name(argtypes)" (finding; see
 *                  schema_function_signature())
 *   on a table     scope is the table's key, "schema.table"
 *   by name        no scope (an extension's is the schema it is created in, NULL: the creation
 *                  schema)
 * Results are the kind's struct (struct schema_<member> of kinds.def). */

/* The map of every object of the kind, keyed as the kind is; NULL for a part of a table. */
struct strmap *schema_objects(const struct schema_model *m, enum schema_kind kind);
/* The object of the kind with this key, or NULL. */
void *schema_object_get(const struct schema_model *m, enum schema_kind kind, const char *key);
void *schema_object_find(const struct schema_model *m, enum schema_kind kind, const char *scope, const char *name);
/* A new object with the kind's defaults (what CREATE without options makes), in place of the
 * object with its key. An index and a function are added with schema_index_add() and
 * schema_function_add(): their table and their argument types are part of them. */
void *schema_object_add(struct schema_model *m, enum schema_kind kind, const char *scope, const char *name);
/* Drops the object and what PostgreSQL drops with it: a table's or view's indexes, triggers,
 * policies and owned sequences, the foreign keys referencing it and the views reading it; a
 * partitioned table's partitions. Nothing when there is no such object. */
void schema_object_drop(struct schema_model *m, enum schema_kind kind, const char *scope, const char *name);
/* The same for an object of the model in hand. */
void schema_object_remove(struct schema_model *m, enum schema_kind kind, void *obj);
/* DROP SCHEMA ... CASCADE: every table, view, sequence, type and function in the schema goes,
 * with what goes with them. */
void schema_drop_contents(struct schema_model *m, const char *schema);

struct schema_column *schema_column_find(const struct schema_table *t, const char *name);
struct schema_column *schema_column_add(struct schema_table *t, const char *name);
void schema_column_drop(struct schema_table *t, const char *name);
/* Renames the column (new_name is copied). */
void schema_column_rename(struct schema_table *t, struct schema_column *c, const char *new_name);
/* Sets the column's type; type NULL means unknown. */
void schema_column_set_type(struct schema_column *c, const char *type, const int32_t *mods,
			    int nmods, int array_dims);
/* The column's type as SQL: "varchar(20)", "public.mood[]"; into buf, "" when unknown. */
const char *schema_column_type_text(const struct schema_column *c, char *buf, size_t size);

void schema_check_add(struct schema_table *t, const char *name, const char *column, int validated);
/* Marks the named check validated; returns 0 when no such check is known. */
int schema_check_validate(struct schema_table *t, const char *name);
void schema_check_drop(struct schema_table *t, const char *name);
/* Whether a validated CHECK (column IS NOT NULL) exists on the table. */
int schema_column_has_notnull_check(const struct schema_table *t, const char *column);

struct schema_constraint *schema_constraint_find(const struct schema_table *t, const char *name);
/* A new constraint of the table (fields zeroed but name and type; validated set). */
struct schema_constraint *schema_constraint_add(struct schema_table *t, const char *name, char type);
void schema_constraint_drop(struct schema_table *t, const char *name);
void schema_constraint_release(struct schema_constraint *c);
/* The table's PRIMARY KEY, or NULL. */
const struct schema_constraint *schema_table_primary_key(const struct schema_table *t);

/* schema NULL: the table's; table_schema NULL: the table's as the search_path resolves it. */
struct schema_index *schema_index_add(struct schema_model *m, const char *schema, const char *name,
				      const char *table_schema, const char *table_name);
void schema_index_elem_release(struct schema_index_elem *e);
/* An index element as SQL: "lower(email) DESC", "room WITH =". Malloc'd. */
char *schema_index_elem_text(const struct schema_index_elem *e);

/* Sets the type and the bounds that follow from it (unless given: a bound is kept when
 * keep_min / keep_max). */
void schema_sequence_set_type(struct schema_sequence *s, const char *type, int keep_min, int keep_max);

/* "name(int4, text)": a function's key without its schema, what schema_object_find() takes
 * (malloc'd). */
char *schema_function_signature(const char *name, const char *identity_args);
/* Any overload of the name (the first in key order), for qualifying a call; schema NULL:
 * resolved through the search_path. */
struct schema_function *schema_function_find_any(const struct schema_model *m, const char *schema,
						 const char *name);
/* The volatility of the function a call by this name reaches ('i', 's', 'v'; the most volatile
 * overload), 0 when the model has no such function. name may be qualified ("app.f"). */
char schema_function_volatility(const struct schema_model *m, const char *name);
/* schema NULL: the creation schema. */
struct schema_function *schema_function_add(struct schema_model *m, const char *schema,
					    const char *name, const char *identity_args);

/* Collations are kept apart from the kinds of kinds.def (schema/kinds.def): schema NULL or "":
 * the first schema of the search_path that has one of that name. */
struct schema_collation *schema_collation_find(const struct schema_model *m, const char *schema, const char *name);
struct schema_collation *schema_collation_add(struct schema_model *m, const char *schema, const char *name);
void schema_collation_drop(struct schema_model *m, const char *schema, const char *name);

/* A relation's key changed (rename, SET SCHEMA): every reference to it follows. */
void schema_model_rename_relation_refs(struct schema_model *m, const char *old_key, const char *new_key);
/* A column was renamed: the references to it in indexes, constraints, foreign keys of other
 * tables, owned sequences and triggers follow. */
void schema_model_rename_column_refs(struct schema_model *m, const char *table_key, const char *old_name,
				     const char *new_name);
/* A column was dropped: indexes and constraints of the table that use it go with it, and the
 * sequence it owns (PostgreSQL drops them without CASCADE). */
void schema_model_drop_column_refs(struct schema_model *m, const char *table_key, const char *column);

/* Whether the relation (table, view, materialized view, sequence, index) was created in the
 * current migration, so that nobody else uses it yet; an index counts as new also when its
 * table is. schema NULL: resolved through the search_path. */
int schema_relation_is_new(const struct schema_model *m, const char *schema, const char *name);

/* The size statistics of a table, index or materialized view, or NULL when not known. */
const struct schema_stats *schema_relation_stats(const struct schema_model *m, const char *schema,
						 const char *name);

#endif
