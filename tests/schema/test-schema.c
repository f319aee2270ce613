/* The schema model without a server: what statements do to it (implicit objects and names,
 * renames, drops, search_path), the normalised expressions, and that the JSON of equal schemas
 * is equal whatever the order they were built in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "schema/json.h"
#include "schema/load.h"
#include "schema/model.h"
#include "schema/norm.h"
#include "sql/sql.h"

#include "../unit/check.h"

static void load(struct schema_model *m, const char *sql)
{
	struct schema_load_result r;
	CHECK(schema_load_text(m, sql, strlen(sql), &r) == 0);
	CHECK_INT(r.errors, 0);
}

static char *model_json(const struct schema_model *m)
{
	json_t *j = schema_model_json(m, 0);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	return s;
}

static void test_implicit_objects(void)
{
	struct schema_model m;
	schema_model_init(&m);
	load(&m, "CREATE TABLE orders (id serial PRIMARY KEY, email text UNIQUE, total numeric CHECK (total > 0));");
	struct schema_table *t = schema_object_find(&m, SCHEMA_KIND_TABLE, NULL, "orders");
	CHECK(t != NULL);
	CHECK_STR(t ? t->schema : NULL, "public");
	struct schema_sequence *s = schema_object_find(&m, SCHEMA_KIND_SEQUENCE, "public", "orders_id_seq");
	CHECK(s != NULL);
	CHECK_STR(s ? s->owned_table : NULL, "public.orders");
	CHECK_STR(s ? s->type : NULL, "int4");
	CHECK_INT(s ? s->max : 0, 2147483647);
	struct schema_column *id = t ? schema_column_find(t, "id") : NULL;
	CHECK_STR(id ? id->type : NULL, "int4");
	CHECK_STR(id ? id->default_expr : NULL, "nextval('public.orders_id_seq')");
	CHECK(id && id->not_null);
	CHECK(schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "orders_pkey") != NULL);
	CHECK(schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "orders_email_key") != NULL);
	CHECK(t && schema_constraint_find(t, "orders_total_check") != NULL);
	/* dropping the table takes its sequence and indexes along */
	load(&m, "DROP TABLE orders;");
	CHECK(schema_object_find(&m, SCHEMA_KIND_SEQUENCE, "public", "orders_id_seq") == NULL);
	CHECK(schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "orders_pkey") == NULL);
	schema_model_release(&m);
}

static void test_names(void)
{
	struct schema_model m;
	schema_model_init(&m);
	char long_name[80];
	memset(long_name, 'a', 70);
	long_name[70] = '\0';
	char *n = schema_choose_relation_name(&m, "public", long_name, "b", "seq");
	CHECK_INT(strlen(n), SCHEMA_NAME_MAX);
	CHECK(strstr(n, "_b_seq") != NULL);
	free(n);
	load(&m, "CREATE TABLE t (a int); CREATE INDEX ON t (a); CREATE INDEX ON t (a); CREATE INDEX ON t (lower(a::text));");
	CHECK(schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "t_a_idx") != NULL);
	CHECK(schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "t_a_idx1") != NULL);
	CHECK(schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "t_lower_idx") != NULL);
	schema_model_release(&m);
}

static void test_notnull_checks_and_renames(void)
{
	struct schema_model m;
	schema_model_init(&m);
	load(&m, "CREATE TABLE t (a int, b int);"
		 "ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;");
	struct schema_table *t = schema_object_find(&m, SCHEMA_KIND_TABLE, NULL, "t");
	CHECK(t && !schema_column_has_notnull_check(t, "a"));
	load(&m, "ALTER TABLE t VALIDATE CONSTRAINT t_a_nn;");
	CHECK(t && schema_column_has_notnull_check(t, "a"));
	load(&m, "CREATE INDEX t_b_idx ON t (b); ALTER TABLE t RENAME COLUMN b TO c; ALTER TABLE t RENAME TO u;");
	struct schema_index *ix = schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "t_b_idx");
	CHECK_STR(ix ? ix->table_key : NULL, "public.u");
	CHECK_STR(ix && ix->nelems ? ix->elems[0].column : NULL, "c");
	load(&m, "ALTER TABLE u DROP COLUMN c;");
	CHECK(schema_object_find(&m, SCHEMA_KIND_INDEX, NULL, "t_b_idx") == NULL);
	load(&m, "ALTER TABLE u DROP CONSTRAINT t_a_nn;");
	t = schema_object_find(&m, SCHEMA_KIND_TABLE, NULL, "u");
	CHECK(t && !schema_column_has_notnull_check(t, "a"));
	schema_model_release(&m);
}

static void test_search_path(void)
{
	struct schema_model m;
	schema_model_init(&m);
	load(&m, "CREATE SCHEMA app; SET search_path TO app, public; CREATE TABLE t (a int);"
		 "SELECT pg_catalog.set_config('search_path', '', false); CREATE TABLE public.t (b int);");
	CHECK(schema_object_find(&m, SCHEMA_KIND_TABLE, "app", "t") != NULL);
	CHECK(schema_object_find(&m, SCHEMA_KIND_TABLE, "public", "t") != NULL);
	schema_model_set_search_path(&m, "app, public");
	struct schema_table *t = schema_object_find(&m, SCHEMA_KIND_TABLE, NULL, "t");
	CHECK_STR(t ? t->schema : NULL, "app");
	schema_model_set_search_path(&m, "\"$user\", public");
	t = schema_object_find(&m, SCHEMA_KIND_TABLE, NULL, "t");
	CHECK_STR(t ? t->schema : NULL, "public");
	schema_model_release(&m);
}

static void test_expressions(void)
{
	struct schema_model m;
	schema_model_init(&m);
	struct {
		const char *a, *b;
	} same[] = {
		{ "(0)::numeric", "0" },
		{ "'-1'::integer", "-1" },
		{ "'active'::character varying", "'active'" },
		{ "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
		  "status IN ('a', 'b')" },
		{ "((i >= 1) AND (i <= 5))", "i BETWEEN 1 AND 5" },
		{ "(name ~~ 'a%'::text)", "name LIKE 'a%'" },
		{ "nextval('public.t_id_seq'::regclass)", "nextval('t_id_seq')" },
		{ "pg_catalog.now()", "now()" },
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *a = schema_norm_expr_text(&m, same[i].a), *b = schema_norm_expr_text(&m, same[i].b);
		CHECK_STR(a, b);
		free(a);
		free(b);
	}
	char *a = schema_norm_expr_text(&m, "(created_at)::date"), *b = schema_norm_expr_text(&m, "created_at");
	CHECK(a && b && strcmp(a, b)); /* a cast to anything but text is kept */
	free(a);
	free(b);
	schema_model_release(&m);
}

static void test_json_is_canonical(void)
{
	struct schema_model a, b;
	schema_model_init(&a);
	schema_model_init(&b);
	load(&a, "CREATE TABLE x (id int PRIMARY KEY); CREATE TABLE y (x_id int REFERENCES x);"
		 "GRANT SELECT, INSERT ON x TO r1; GRANT SELECT ON x TO r2;");
	load(&b, "CREATE TABLE x (id int); ALTER TABLE x ADD PRIMARY KEY (id); CREATE TABLE y (x_id int);"
		 "ALTER TABLE y ADD FOREIGN KEY (x_id) REFERENCES x (id); GRANT SELECT ON x TO r2;"
		 "GRANT INSERT, SELECT ON public.x TO r1;");
	char *ja = model_json(&a), *jb = model_json(&b);
	CHECK_STR(ja, jb);
	free(ja);
	free(jb);
	size_t n;
	const char **keys = schema_sorted_keys(&a.tables, &n);
	CHECK_INT(n, 2);
	CHECK_STR(n == 2 ? keys[0] : NULL, "public.x");
	free(keys);
	schema_model_release(&a);
	schema_model_release(&b);
}

static void test_meta_commands(void)
{
	char text[] = "\\restrict abc\nCREATE TABLE t (a text DEFAULT '\n\\not a command');\n"
		      "COPY t (a) FROM stdin;\nx\n\\.\n\\connect other\n";
	size_t n = schema_blank_meta_commands(text, strlen(text));
	CHECK_INT(n, 4); /* \restrict, the data line, \., \connect; not the line in the string */
	CHECK(strstr(text, "\\not a command") != NULL);
	CHECK(strstr(text, "restrict") == NULL);
}

/* A table past the column count where schema_column_find() uses its index: every column is
 * found by name after adds, a rename, drops (which move the columns after them) and in a copy
 * of the model. */
static void test_wide_table(void)
{
	struct schema_model m;
	schema_model_init(&m);
	load(&m, "CREATE TABLE wide (id bigint);");
	char sql[128], name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(sql, sizeof(sql), "ALTER TABLE wide ADD COLUMN c%d int;", i);
		load(&m, sql);
	}
	load(&m, "ALTER TABLE wide RENAME COLUMN c7 TO seven; ALTER TABLE wide DROP COLUMN c0;"
		 " ALTER TABLE wide DROP COLUMN c150; ALTER TABLE wide ADD COLUMN c7 text;");
	struct schema_table *t = schema_object_find(&m, SCHEMA_KIND_TABLE, NULL, "wide");
	CHECK_INT(t ? t->ncolumns : 0, 300);
	int found = 0;
	for (int i = 1; t && i < 300; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		struct schema_column *c = schema_column_find(t, name);
		found += c && !strcmp(c->name, name) && !strcmp(c->type, i == 7 ? "text" : "int4");
	}
	CHECK_INT(found, 298); /* c1..c299 but c150; c7 is the new text one */
	CHECK(t && schema_column_find(t, "seven") && !schema_column_find(t, "c0") && !schema_column_find(t, "c150"));
	CHECK(t && schema_column_find(t, "id") == &t->columns[0]);
	struct schema_model copy; /* schema_model_copy() initialises it */
	schema_model_copy(&copy, &m);
	load(&copy, "ALTER TABLE wide ADD COLUMN c150 int; ALTER TABLE wide RENAME COLUMN c299 TO last;");
	struct schema_table *ct = schema_object_find(&copy, SCHEMA_KIND_TABLE, NULL, "wide");
	CHECK(ct && schema_column_find(ct, "c150") && schema_column_find(ct, "last") && schema_column_find(ct, "c298") &&
	      !schema_column_find(ct, "c299"));
	CHECK(t && schema_column_find(t, "c299") && !schema_column_find(t, "last"));
	schema_model_release(&copy);
	schema_model_release(&m);
}

int main(void)
{
	test_implicit_objects();
	test_names();
	test_notnull_checks_and_renames();
	test_search_path();
	test_expressions();
	test_json_is_canonical();
	test_meta_commands();
	test_wide_table();
	sql_shutdown();
	return check_finish();
}
