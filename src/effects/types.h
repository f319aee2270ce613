/* Facts about PostgreSQL's column types: integer widths, what the serial types expand to, and
 * which ALTER COLUMN ... TYPE changes PostgreSQL makes without rewriting the table.
 *
 * Types are the canonical names of sql_type_from_node() (sql/tree.h): "int4", "varchar",
 * "numeric", "timestamptz", "bpchar", ... with their modifiers. The table of changes was checked
 * against PostgreSQL 15 by comparing pg_relation_filenode() before and after each ALTER. */
#ifndef PGSIEVE_TYPES_H
#define PGSIEVE_TYPES_H

#include "sql/tree.h"

/* The integer a serial type stands for: "serial" -> "int4", "bigserial" -> "int8",
 * "smallserial" -> "int2"; NULL when name is not a serial type. */
const char *type_serial_base(const char *name);
/* Whether name is smallserial, serial or bigserial (each also creates a sequence and a
 * DEFAULT nextval() on it). */
int type_is_serial(const char *name);
/* Width in bytes of int2, int4, int8 and the serial types; 0 for any other type. */
int type_int_width(const char *name);
/* Whether pgsieve knows name as one of PostgreSQL's built-in types (or citext), as opposed to a
 * domain, enum or other type of the user's. */
int type_is_known(const char *name);

enum type_change {
	TYPE_CHANGE_NONE,     /* the same type and modifiers: nothing changes */
	TYPE_CHANGE_CATALOG,  /* binary coercible, modifiers widened: only the catalog changes */
	TYPE_CHANGE_TIMEZONE, /* timestamp <-> timestamptz on 12+: no rewrite only when the
			       * session's TimeZone is UTC, which pgsieve cannot see */
	TYPE_CHANGE_REWRITE,  /* every row is rewritten and every index on the table rebuilt */
	TYPE_CHANGE_UNKNOWN,  /* a type pgsieve does not know (domain, enum, extension type) */
};

/* What ALTER COLUMN ... TYPE `to` (without USING) does to a column of type `from` on a target
 * server of major version pg_version. */
enum type_change type_change(const struct sql_type *from, const struct sql_type *to, int pg_version);

/* Whether a change type_change() calls TYPE_CHANGE_CATALOG still rebuilds every index on the
 * column: the table's rows stay as they are, but the type's default operator class differs
 * (text and varchar use text_ops, citext citext_ops, bpchar bpchar_ops, ...), so each index is
 * rebuilt with a full scan under the ALTER's ACCESS EXCLUSIVE lock. -1 when pgsieve does not
 * know the operator class of one of them. */
int type_change_rebuilds_indexes(const struct sql_type *from, const struct sql_type *to);

/* The type as people write it, for messages: "integer", "char(4)", "numeric(10,2)",
 * "varchar(20)[]" (canonical names such as int4 or bpchar turned back into SQL). */
const char *type_format(const struct sql_type *t, char *buf, size_t size);

/* Whether two types are the same type with the same modifiers (serial counts as its integer). */
int type_equal(const struct sql_type *a, const struct sql_type *b);

#endif
