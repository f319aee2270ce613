/* The model as JSON (docs/schema.md describes the format): one object per kind of object, keyed
 * by "schema.name" ("schema.name(argtypes)" for functions, "schema.table.name" for triggers and
 * policies), every value canonical. Two models of the same schema give the same JSON without
 * SCHEMA_JSON_STATS, whichever source each came from: `pgsieve schema dump` prints it, and a
 * diff can compare the objects of two dumps key by key. */
#ifndef PGSIEVE_SCHEMA_JSON_H
#define PGSIEVE_SCHEMA_JSON_H

#include <jansson.h>

#include "schema/model.h"

enum {
	SCHEMA_JSON_STATS = 1u << 0, /* add what only a live database knows: sizes, row estimates,
				      * sequence positions, extension versions */
};

enum { SCHEMA_JSON_FORMAT_VERSION = 1 };

json_t *schema_model_json(const struct schema_model *m, unsigned flags);

/* Builds the model's JSON and hands it to use(), with everything jansson allocates meanwhile
 * taken from one arena and freed in one go afterwards: a 10,000-table model is more than a
 * million JSON values, and freeing them one by one took as long as writing the JSON. use() must
 * keep no reference to the JSON, and nothing else may use jansson until it returns (jansson's
 * allocator is global; one thread). Returns what use() returned. */
int schema_model_json_use(const struct schema_model *m, unsigned flags, int (*use)(const json_t *j, void *ud),
			  void *ud);

/* One object of each kind, as it appears in the dump (for a diff's "changed" entries). */
json_t *schema_table_json(const struct schema_table *t, unsigned flags);
json_t *schema_index_json(const struct schema_index *ix, unsigned flags);
json_t *schema_view_json(const struct schema_view *v, unsigned flags);
json_t *schema_sequence_json(const struct schema_sequence *s, unsigned flags);
json_t *schema_type_json(const struct schema_type *t);
json_t *schema_function_json(const struct schema_function *f);
json_t *schema_trigger_json(const struct schema_trigger *t);
json_t *schema_policy_json(const struct schema_policy *p);
json_t *schema_schema_json(const struct schema_schema *s);
json_t *schema_extension_json(const struct schema_extension *e, unsigned flags);
json_t *schema_collation_json(const struct schema_collation *c);

#endif
