#include "sql/tree.h"
#include "util/ident.h"

#include <stdio.h>
#include <string.h>

/* Type names PostgreSQL accepts under several spellings. The grammar already turns the SQL
 * standard spellings (integer, character varying, timestamp with time zone, ...) into their
 * pg_catalog names; these are the aliases it leaves as written. */
static const struct {
	const char *alias, *canonical;
} type_aliases[] = {
	{ "int", "int4" },	       { "integer", "int4" },	  { "smallint", "int2" },
	{ "bigint", "int8" },	       { "serial4", "serial" },	  { "serial8", "bigserial" },
	{ "serial2", "smallserial" },  { "boolean", "bool" },	  { "float", "float8" },
	{ "real", "float4" },	       { "double precision", "float8" },
	{ "decimal", "numeric" },      { "character varying", "varchar" },
	{ "character", "bpchar" },     { "varbit", "varbit" },
	{ "bit varying", "varbit" },
};

void sql_type_from_node(const PgQuery__TypeName *tn, struct sql_type *out)
{
	memset(out, 0, sizeof(*out));
	out->name = "";
	if (!tn)
		return;
	const char *name = sql_names_last(tn->names, tn->n_names);
	out->name = name ? name : "";
	for (size_t i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++)
		if (!strcmp(out->name, type_aliases[i].alias))
			out->name = type_aliases[i].canonical;
	/* No alias for "char": the grammar already turns char and char(n) into pg_catalog.bpchar
	 * (with a length of 1 when none is given), so a name "char" that reaches here was quoted
	 * and means the internal one-byte type, a different type. */
	for (size_t i = 0; i < tn->n_typmods && i < 2; i++) {
		int ok;
		long v = sql_node_int(tn->typmods[i], &ok);
		if (!ok) {
			out->nmods = -1;
			break;
		}
		out->mods[i] = (int32_t)v;
		out->nmods = (int)i + 1;
	}
	out->array_dims = (int)tn->n_array_bounds;
	out->location = tn->location;
}

const char *sql_type_format(const struct sql_type *t, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s", t->name);
	if (t->nmods == 1)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d)", t->mods[0]);
	else if (t->nmods == 2)
		n += snprintf(buf + n, size > (size_t)n ? size - (size_t)n : 0, "(%d,%d)", t->mods[0],
			      t->mods[1]);
	for (int i = 0; i < t->array_dims && (size_t)n + 2 < size; i++)
		n += snprintf(buf + n, size - (size_t)n, "[]");
	return buf;
}

const char *sql_node_str(const PgQuery__Node *n)
{
	if (n && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string)
		return n->string->sval;
	return NULL;
}

const char *sql_names_last(PgQuery__Node *const *names, size_t n)
{
	return n ? sql_node_str(names[n - 1]) : NULL;
}

long sql_node_int(const PgQuery__Node *n, int *ok)
{
	*ok = 0;
	if (!n || n->node_case != PG_QUERY__NODE__NODE_A_CONST || !n->a_const)
		return 0;
	const PgQuery__AConst *c = n->a_const;
	if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
		*ok = 1;
		return c->ival ? c->ival->ival : 0; /* an absent ival message is the value 0 */
	}
	return 0;
}

const char *sql_rangevar_display(const PgQuery__RangeVar *rv, char *buf, size_t size)
{
	char a[256], b[256];
	if (!rv || !rv->relname) {
		snprintf(buf, size, "?");
	} else if (rv->schemaname && *rv->schemaname) {
		snprintf(buf, size, "%s.%s", ident_quote_always(rv->schemaname, a, sizeof(a)),
			 ident_quote_always(rv->relname, b, sizeof(b)));
	} else {
		snprintf(buf, size, "%s", ident_quote_always(rv->relname, a, sizeof(a)));
	}
	return buf;
}

const PgQuery__AlterTableCmd *sql_alter_next(const PgQuery__AlterTableStmt *as, size_t *i,
					     PgQuery__AlterTableType subtype)
{
	while (*i < as->n_cmds) {
		const PgQuery__Node *n = as->cmds[(*i)++];
		if (n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD &&
		    (!subtype || n->alter_table_cmd->subtype == subtype))
			return n->alter_table_cmd;
	}
	return NULL;
}

const PgQuery__RangeVar *sql_name_list_rangevar(const PgQuery__Node *obj, PgQuery__RangeVar *buf)
{
	if (!obj || obj->node_case != PG_QUERY__NODE__NODE_LIST || !obj->list->n_items)
		return NULL;
	const PgQuery__List *l = obj->list;
	const char *name = sql_node_str(l->items[l->n_items - 1]);
	const char *schema = l->n_items >= 2 ? sql_node_str(l->items[l->n_items - 2]) : "";
	if (!name || !schema)
		return NULL;
	*buf = (PgQuery__RangeVar)PG_QUERY__RANGE_VAR__INIT;
	buf->relname = (char *)name; /* only read */
	buf->schemaname = (char *)schema;
	buf->location = -1;
	return buf;
}

int sql_node_location(const PgQuery__Node *n)
{
	if (!n || n->node_case == PG_QUERY__NODE__NODE__NOT_SET)
		return -1;
	/* the oneof's field number is the node case */
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, (unsigned)n->node_case);
	if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return -1;
	const ProtobufCMessage *m = *(const ProtobufCMessage *const *)((const char *)n + f->offset);
	if (!m)
		return -1;
	const ProtobufCFieldDescriptor *loc = protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "location");
	if (!loc || loc->type != PROTOBUF_C_TYPE_INT32 || loc->label == PROTOBUF_C_LABEL_REPEATED)
		return -1;
	return *(const int32_t *)((const char *)m + loc->offset);
}
