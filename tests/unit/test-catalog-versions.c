/* The version gate of the catalog queries: the text catalog_query_text() chooses for each
 * server version from 12 to 17 names only catalog columns, relations and functions that exist in
 * that version. Only PostgreSQL 15 can be installed here (Debian 12), so this is what checks the
 * other versions; the table below is written from the system catalog chapters and release notes
 * of each version's documentation.
 *
 * The queries are parsed with libpg_query (pgsieve's sql module) and every name in their trees
 * (column references, relations, functions, string constants such as 'pg_class'::regclass) is
 * looked up in the table. */
#include <stdlib.h>
#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "catalog/catalog.h"
#include "check.h"
#include "sql/sql.h"

/* Catalog names whose existence depends on the version: present from `since` (0: always) to
 * before `until` (0: still there). Names the queries do not use are listed too, so that adding
 * one of them to a query is checked. */
static const struct {
	const char *name;
	int since, until;
	const char *what;
} versioned[] = {
	{ "relispartition", 100000, 0, "pg_class, declarative partitioning (10)" },
	{ "relpartbound", 100000, 0, "pg_class (10)" },
	{ "pg_get_partkeydef", 100000, 0, "function (10)" },
	{ "attidentity", 100000, 0, "pg_attribute, identity columns (10)" },
	{ "pg_sequence", 100000, 0, "catalog of sequence parameters (10)" },
	{ "seqtypid", 100000, 0, "pg_sequence (10)" },
	{ "pg_sequence_last_value", 100000, 0, "function (10)" },
	{ "polpermissive", 100000, 0, "pg_policy, restrictive policies (10)" },
	{ "prokind", 110000, 0, "pg_proc, replaced proisagg and proiswindow (11)" },
	{ "proisagg", 0, 110000, "pg_proc, removed in 11" },
	{ "proiswindow", 0, 110000, "pg_proc, removed in 11" },
	{ "conparentid", 110000, 0, "pg_constraint, partitions' copies (11)" },
	{ "indnkeyatts", 110000, 0, "pg_index, INCLUDE columns (11)" },
	{ "attgenerated", 120000, 0, "pg_attribute, generated columns (12)" },
	{ "adsrc", 0, 120000, "pg_attrdef, removed in 12" },
	{ "consrc", 0, 120000, "pg_constraint, removed in 12" },
	{ "relhasoids", 0, 120000, "pg_class, removed with WITH OIDS in 12" },
	{ "tgparentid", 130000, 0, "pg_trigger, partitions' clones (13)" },
	{ "inhdetachpending", 140000, 0, "pg_inherits, DETACH CONCURRENTLY (14)" },
	{ "attcompression", 140000, 0, "pg_attribute (14)" },
	{ "prosqlbody", 140000, 0, "pg_proc, SQL-standard bodies (14)" },
	{ "indnullsnotdistinct", 150000, 0, "pg_index, UNIQUE NULLS NOT DISTINCT (15)" },
	{ "daticulocale", 150000, 170000, "pg_database, renamed datlocale in 17" },
	{ "datlocale", 170000, 0, "pg_database (17)" },
	{ "conperiod", 180000, 0, "pg_constraint, WITHOUT OVERLAPS (18)" },
	{ "conenforced", 180000, 0, "pg_constraint, NOT ENFORCED (18)" },
};

/* ---- every string in a tree ---- */

struct names {
	char **v;
	size_t n, cap;
};

static void names_add(struct names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v));
	}
	ns->v[ns->n++] = strdup(s);
}

/* Walks a protobuf-c message through its descriptor: every string field, and every message
 * field (a oneof's only when it is the one set). */
static void collect(const ProtobufCMessage *msg, struct names *ns)
{
	if (!msg)
		return;
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)msg;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
				continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t count = *(const size_t *)(base + f->quantifier_offset);
			void *const *items = *(void *const *const *)(base + f->offset);
			for (size_t k = 0; k < count; k++) {
				if (f->type == PROTOBUF_C_TYPE_MESSAGE)
					collect(items[k], ns);
				else if (f->type == PROTOBUF_C_TYPE_STRING && items[k])
					names_add(ns, items[k]);
			}
		} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			collect(*(const ProtobufCMessage *const *)(base + f->offset), ns);
		} else if (f->type == PROTOBUF_C_TYPE_STRING) {
			const char *s = *(const char *const *)(base + f->offset);
			if (s && *s)
				names_add(ns, s);
		}
	}
}

struct parsed {
	struct names names;
	int statements, errors;
};

static int on_statement(void *ud, const struct sql_stmt *st)
{
	struct parsed *p = ud;
	p->statements++;
	if (!st->node)
		p->errors++;
	else
		collect(&st->node->base, &p->names);
	return 0;
}

static void parsed_release(struct parsed *p)
{
	for (size_t i = 0; i < p->names.n; i++)
		free(p->names.v[i]);
	free(p->names.v);
	memset(p, 0, sizeof(*p));
}

static int parse_query(const char *text, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	struct sql_callbacks cb = { p, NULL, on_statement };
	return sql_parse(text, strlen(text), &cb);
}

static int mentions(const struct parsed *p, const char *name)
{
	for (size_t i = 0; i < p->names.n; i++)
		if (!strcmp(p->names.v[i], name))
			return 1;
	return 0;
}

/* The names of versioned[] that q mentions but version v does not have; prints each. */
static int misfits(const struct parsed *p, int v, const char *what)
{
	int bad = 0;
	for (size_t k = 0; k < sizeof(versioned) / sizeof(versioned[0]); k++) {
		int exists = v >= versioned[k].since && (!versioned[k].until || v < versioned[k].until);
		if (!exists && mentions(p, versioned[k].name)) {
			fprintf(stderr, "    PostgreSQL %d, %s: %s is not there (%s)\n", v / 10000, what,
				versioned[k].name, versioned[k].what);
			bad++;
		}
	}
	return bad;
}

static void test_every_version(void)
{
	CHECK_INT(CATALOG_VERSION_MIN, 120000);
	CHECK_INT(CATALOG_VERSION_MAX, 179999);
	CHECK(catalog_query_count() >= 10);
	CHECK(catalog_query_text(catalog_query_count(), 150000, NULL) == NULL);
	/* the first release of each major version, and the last minor one numbers can reach */
	for (int major = 12; major <= 17; major++) {
		const int versions[] = { major * 10000, major * 10000 + 9999 };
		for (size_t j = 0; j < 2; j++) {
			int v = versions[j];
			for (size_t i = 0; i < catalog_query_count(); i++) {
				const char *what = NULL;
				char *text = catalog_query_text(i, v, &what);
				struct parsed p;
				CHECK(text && what);
				if (!text)
					continue;
				CHECK_INT(parse_query(text, &p), 0);
				if (p.statements != 1 || p.errors)
					fprintf(stderr, "    PostgreSQL %d, %s: does not parse as one statement\n", major, what);
				CHECK_INT(p.statements, 1);
				CHECK_INT(p.errors, 0);
				CHECK(p.names.n > 0);
				CHECK_INT(misfits(&p, v, what), 0);
				parsed_release(&p);
				free(text);
			}
		}
	}
}

/* The index of the query that is reading `what`, or catalog_query_count() when none is. */
static size_t find_query(const char *what)
{
	for (size_t i = 0; i < catalog_query_count(); i++) {
		const char *w;
		free(catalog_query_text(i, 150000, &w));
		if (!strcmp(w, what))
			return i;
	}
	return catalog_query_count();
}

/* The query reading `what` names `column` in its text for version `since` and not in the one
 * for the version before; *newer gets the parsed text for `since` (parsed_release() it). */
static void check_branch(const char *what, const char *column, int since, struct parsed *newer)
{
	size_t q = find_query(what);
	CHECK(q < catalog_query_count());
	char *before = catalog_query_text(q, since - 10000, NULL), *from = catalog_query_text(q, since, NULL);
	struct parsed older;
	CHECK_INT(parse_query(before, &older), 0);
	CHECK_INT(parse_query(from, newer), 0);
	if (!check_record(!mentions(&older, column) && mentions(newer, column), __FILE__, __LINE__, what))
		fprintf(stderr, "    %s: %s should be named from %d on only\n", what, column, since / 10000);
	parsed_release(&older);
	free(before);
	free(from);
}

/* The check is not vacuous: the queries that branch do use the newer column where they can,
 * and the table would have caught it on the older server. */
static void test_the_branches(void)
{
	struct parsed p13, p15;
	check_branch("reading triggers", "tgparentid", 130000, &p13);
	check_branch("reading indexes", "indnullsnotdistinct", 150000, &p15);
	/* the 13 text, sent to 12, is what the table exists to catch */
	fprintf(stderr, "(expected below: the PostgreSQL 13 triggers query judged for 12)\n");
	CHECK_INT(misfits(&p13, 120000, "the 13 query on 12"), 1);
	/* and a name is found in every position the queries use: a column, a relation, a
	 * function, a constant cast to regclass */
	CHECK(mentions(&p13, "tgisinternal"));
	CHECK(mentions(&p13, "pg_trigger"));
	CHECK(mentions(&p13, "pg_get_triggerdef"));
	CHECK(mentions(&p13, "pg_class"));
	parsed_release(&p13);
	parsed_release(&p15);
}

int main(void)
{
	test_every_version();
	test_the_branches();
	sql_shutdown();
	return check_finish();
}
