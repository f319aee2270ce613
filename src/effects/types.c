#include "effects/types.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *serial, *base;
	int width;
} integers[] = {
	{ "smallserial", "int2", 2 },
	{ "serial", "int4", 4 },
	{ "bigserial", "int8", 8 },
	{ NULL, "int2", 2 },
	{ NULL, "int4", 4 },
	{ NULL, "int8", 8 },
};

/* PostgreSQL's built-in types under their canonical names, plus citext, whose casts are known
 * too. Anything else is a domain, an enum, a composite or an extension's type. */
static const char *const known_types[] = {
	"bit", "bool", "box", "bpchar", "bytea", "char", "cid", "cidr", "circle", "citext",
	"date", "daterange", "float4", "float8", "inet", "int2", "int4", "int4range", "int8",
	"int8range", "interval", "json", "jsonb", "line", "lseg", "macaddr", "macaddr8", "money",
	"name", "numeric", "numrange", "oid", "path", "pg_lsn", "pg_snapshot", "point", "polygon",
	"regclass", "regcollation", "regconfig", "regdictionary", "regnamespace", "regoper",
	"regoperator", "regproc", "regprocedure", "regrole", "regtype", "text", "tid", "time",
	"timestamp", "timestamptz", "timetz", "tsquery", "tsrange", "tstzrange", "tsvector",
	"txid_snapshot", "uuid", "varbit", "varchar", "xid", "xid8", "xml",
};

/* The SQL spelling of canonical names that read oddly in messages. */
static const struct {
	const char *canonical, *sql;
} spellings[] = {
	{ "int2", "smallint" }, { "int4", "integer" },	 { "int8", "bigint" },
	{ "bpchar", "char" },	{ "float4", "real" },	 { "float8", "double precision" },
	{ "bool", "boolean" },	{ "varbit", "varbit" },
};

/* How a type's modifier can change without touching the rows (the "support functions" of
 * varchar, numeric, varbit, timestamp, time and interval that let ALTER TYPE skip the
 * length-coercion call). Types not listed (bpchar, bit, ...) only allow the same modifier. */
enum widening {
	WIDEN_LENGTH,    /* (n): a larger n or none */
	WIDEN_NUMERIC,   /* (p,s): the same scale with a larger precision, or none */
	WIDEN_PRECISION, /* (p) of fractional seconds: a larger p, 6 (the maximum) or none */
	WIDEN_INTERVAL,  /* (fields, p): all fields with a larger p, or none */
};

static const struct {
	const char *type;
	enum widening how;
} widenings[] = {
	{ "varchar", WIDEN_LENGTH },	    { "varbit", WIDEN_LENGTH },
	{ "numeric", WIDEN_NUMERIC },	    { "timestamp", WIDEN_PRECISION },
	{ "timestamptz", WIDEN_PRECISION }, { "time", WIDEN_PRECISION },
	{ "timetz", WIDEN_PRECISION },	    { "interval", WIDEN_INTERVAL },
};

/* Binary-coercible casts that ALTER TYPE applies without USING (pg_cast rows with castmethod
 * 'b' and an implicit or assignment context). The value is relabelled, not converted, so only
 * the catalog changes as long as the new type has no modifier to enforce. The reg* types are
 * handled apart: each is binary coercible with oid and int4. */
static const struct {
	const char *from, *to;
} binary_casts[] = {
	{ "varchar", "text" },	{ "text", "varchar" },	{ "text", "bpchar" },
	{ "varchar", "bpchar" }, { "cidr", "inet" },	{ "bit", "varbit" },
	{ "xml", "text" },	{ "xml", "varchar" },
	{ "xml", "bpchar" },	{ "int4", "oid" },	{ "oid", "int4" },
	{ "citext", "text" },	{ "citext", "varchar" }, { "citext", "bpchar" },
	{ "text", "citext" },	{ "varchar", "citext" }, { "regproc", "regprocedure" },
	{ "regprocedure", "regproc" }, { "regoper", "regoperator" }, { "regoperator", "regoper" },
};

/* The btree operator family of each binary-coercible type's default operator class (pg_opclass
 * with opcdefault, PostgreSQL 15): a change between two types of one family keeps the indexes,
 * any other change rebuilds them (checked on a server: pg_relation_filenode() of the index
 * changes for text -> citext and back, text -> bpchar, bit -> varbit, int4 <-> oid, and stays
 * for varchar <-> text and cidr -> inet). xml and the reg* types have no btree class. */
static const struct {
	const char *type, *family;
} index_families[] = {
	{ "text", "text_ops" },	    { "varchar", "text_ops" }, { "bpchar", "bpchar_ops" },
	{ "citext", "citext_ops" }, { "cidr", "network_ops" }, { "inet", "network_ops" },
	{ "bit", "bit_ops" },	    { "varbit", "varbit_ops" }, { "int4", "integer_ops" },
	{ "oid", "oid_ops" },
};

enum {
	TIME_PRECISION_MAX = 6,    /* MAX_TIMESTAMP_PRECISION and MAX_TIME_PRECISION */
	INTERVAL_FULL_RANGE = 0x7FFF,
	TIMEZONE_SHORTCUT_SINCE = 12, /* timestamp <-> timestamptz without rewrite under UTC */
};

const char *type_serial_base(const char *name)
{
	for (size_t i = 0; name && i < COUNT(integers); i++)
		if (integers[i].serial && !strcmp(name, integers[i].serial))
			return integers[i].base;
	return NULL;
}

int type_is_serial(const char *name)
{
	return type_serial_base(name) != NULL;
}

int type_int_width(const char *name)
{
	for (size_t i = 0; name && i < COUNT(integers); i++)
		if ((integers[i].serial && !strcmp(name, integers[i].serial)) ||
		    !strcmp(name, integers[i].base))
			return integers[i].width;
	return 0;
}

/* The type a column really has: serial is int4 once the table exists. */
static const char *resolved(const char *name)
{
	const char *base = type_serial_base(name);
	return base ? base : name;
}

static int is_reg_type(const char *name)
{
	return !strncmp(name, "reg", 3) && type_is_known(name);
}

int type_is_known(const char *name)
{
	if (!name || !*name)
		return 0;
	if (type_is_serial(name))
		return 1;
	for (size_t i = 0; i < COUNT(known_types); i++)
		if (!strcmp(name, known_types[i]))
			return 1;
	return 0;
}

static int same_mods(const struct sql_type *a, const struct sql_type *b)
{
	if (a->nmods != b->nmods)
		return 0;
	for (int i = 0; i < a->nmods && i < 2; i++)
		if (a->mods[i] != b->mods[i])
			return 0;
	return 1;
}

int type_equal(const struct sql_type *a, const struct sql_type *b)
{
	return !strcmp(resolved(a->name), resolved(b->name)) && same_mods(a, b) &&
	       (a->array_dims > 0) == (b->array_dims > 0);
}

/* Whether changing only the modifier, from `from` to `to` on the same type, keeps the rows. */
static int widens(const char *type, const struct sql_type *from, const struct sql_type *to)
{
	if (from->nmods < 0 || to->nmods < 0)
		return 0;
	for (size_t i = 0; i < COUNT(widenings); i++) {
		if (strcmp(type, widenings[i].type))
			continue;
		if (to->nmods == 0)
			return 1; /* no modifier: nothing to enforce */
		switch (widenings[i].how) {
		case WIDEN_LENGTH:
			return from->nmods > 0 && to->mods[0] >= from->mods[0];
		case WIDEN_NUMERIC: {
			/* numeric(p) is numeric(p,0) */
			int32_t from_scale = from->nmods > 1 ? from->mods[1] : 0;
			int32_t to_scale = to->nmods > 1 ? to->mods[1] : 0;
			return from->nmods > 0 && to_scale == from_scale && to->mods[0] >= from->mods[0];
		}
		case WIDEN_PRECISION:
			return to->mods[0] >= TIME_PRECISION_MAX ||
			       (from->nmods > 0 && to->mods[0] >= from->mods[0]);
		case WIDEN_INTERVAL:
			/* mods are (fields mask[, precision]); only a full-range target keeps every
			 * field the old values may have */
			if (from->nmods == 0 || to->mods[0] != INTERVAL_FULL_RANGE)
				return 0;
			if (to->nmods < 2)
				return 1;
			return from->nmods > 1 && to->mods[1] >= from->mods[1];
		}
	}
	return 0;
}

static int binary_coercible(const char *from, const char *to)
{
	for (size_t i = 0; i < COUNT(binary_casts); i++)
		if (!strcmp(from, binary_casts[i].from) && !strcmp(to, binary_casts[i].to))
			return 1;
	if (is_reg_type(to) && (!strcmp(from, "oid") || !strcmp(from, "int4")))
		return 1;
	if (is_reg_type(from) && (!strcmp(to, "oid") || !strcmp(to, "int4")))
		return 1;
	return 0;
}

static int is_timestamp_pair(const char *a, const char *b)
{
	return (!strcmp(a, "timestamp") && !strcmp(b, "timestamptz")) ||
	       (!strcmp(a, "timestamptz") && !strcmp(b, "timestamp"));
}

enum type_change type_change(const struct sql_type *from, const struct sql_type *to, int pg_version)
{
	const char *a = resolved(from->name), *b = resolved(to->name);
	if (from->nmods < 0 || to->nmods < 0)
		return TYPE_CHANGE_UNKNOWN; /* a modifier that is not a plain number */
	if (!type_is_known(a) || !type_is_known(b)) {
		/* the same unknown type with the same modifier is still no change at all */
		return !strcmp(a, b) && same_mods(from, to) && from->array_dims == to->array_dims
			       ? TYPE_CHANGE_NONE
			       : TYPE_CHANGE_UNKNOWN;
	}
	if (from->array_dims > 0 || to->array_dims > 0) {
		/* int[] and int[][] are one type; any element conversion, even a binary-coercible
		 * one such as varchar[] to text[], goes through an array coercion that rewrites */
		if (from->array_dims > 0 && to->array_dims > 0 && !strcmp(a, b) && same_mods(from, to))
			return TYPE_CHANGE_NONE;
		return TYPE_CHANGE_REWRITE;
	}
	if (!strcmp(a, b)) {
		if (same_mods(from, to))
			return TYPE_CHANGE_NONE;
		return widens(a, from, to) ? TYPE_CHANGE_CATALOG : TYPE_CHANGE_REWRITE;
	}
	if (is_timestamp_pair(a, b)) {
		/* 12 and later skip the rewrite when the conversion cannot change a value, that is
		 * when the session's TimeZone is UTC; a narrower precision still rewrites */
		if (pg_version < TIMEZONE_SHORTCUT_SINCE)
			return TYPE_CHANGE_REWRITE;
		if (to->nmods == 0 || (to->nmods > 0 && to->mods[0] >= TIME_PRECISION_MAX) ||
		    (from->nmods > 0 && to->nmods > 0 && to->mods[0] >= from->mods[0]))
			return TYPE_CHANGE_TIMEZONE;
		return TYPE_CHANGE_REWRITE;
	}
	/* A relabelled value keeps no modifier, so a new one is enforced by a rewrite. */
	if (binary_coercible(a, b) && to->nmods == 0)
		return TYPE_CHANGE_CATALOG;
	return TYPE_CHANGE_REWRITE;
}

static const char *index_family(const char *type)
{
	for (size_t i = 0; i < COUNT(index_families); i++)
		if (!strcmp(type, index_families[i].type))
			return index_families[i].family;
	return NULL;
}

int type_change_rebuilds_indexes(const struct sql_type *from, const struct sql_type *to)
{
	const char *a = index_family(resolved(from->name)), *b = index_family(resolved(to->name));
	if (!a || !b)
		return -1;
	return strcmp(a, b) != 0;
}

const char *type_format(const struct sql_type *t, char *buf, size_t size)
{
	struct sql_type shown = *t;
	for (size_t i = 0; shown.name && i < COUNT(spellings); i++)
		if (!strcmp(shown.name, spellings[i].canonical))
			shown.name = spellings[i].sql;
	return sql_type_format(&shown, buf, size);
}
