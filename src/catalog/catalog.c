#include "catalog/catalog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#include "catalog/session.h"
#include "schema/load.h"
#include "util/error.h"
#include "util/timing.h"
#include "util/xalloc.h"

/* Objects of the system schemas are not the user's. */
#define USER_NS(alias) " " alias ".nspname !~ '^pg_' AND " alias ".nspname <> 'information_schema' "
/* Objects an extension created come with CREATE EXTENSION, not from the user's DDL. */
#define NOT_EXT_MEMBER(catalog, oid)                                                              \
	" NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" catalog "'::regclass AND "  \
	"e.objid = " oid " AND e.deptype = 'e') "

/* ---- the queries: each returns one DDL text per row ---- */

static const char q_schemas[] =
	"SELECT format('CREATE SCHEMA %I;', n.nspname) FROM pg_namespace n"
	" WHERE" USER_NS("n") "AND n.nspname <> 'public' AND" NOT_EXT_MEMBER("pg_namespace", "n.oid")
	" ORDER BY n.nspname";

static const char q_extensions[] =
	"SELECT format('CREATE EXTENSION %I WITH SCHEMA %I;', x.extname, n.nspname), x.extname, x.extversion"
	" FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace"
	" WHERE n.nspname <> 'pg_catalog' ORDER BY x.extname";

/* Collations of CREATE COLLATION. The columns differ by version (collprovider from 10,
 * collisdeterministic from 12, an ICU locale in colliculocale in 15 and 16, colllocale from 17,
 * collcollate before 15), so they are read from the row as JSON. */
static const char q_collations[] =
	"SELECT format('CREATE COLLATION %I.%I (provider = %s, %s, deterministic = %s);', n.nspname, c.collname,"
	"   CASE j->>'collprovider' WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END,"
	"   CASE WHEN COALESCE(j->>'collprovider', 'c') IN ('i', 'b')"
	"     THEN format('locale = %L', COALESCE(j->>'colllocale', j->>'colliculocale', j->>'collcollate'))"
	"     ELSE format('lc_collate = %L, lc_ctype = %L', j->>'collcollate', j->>'collctype') END,"
	"   COALESCE(j->>'collisdeterministic', 'true'))"
	" FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace, to_jsonb(c) j"
	" WHERE" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_collation", "c.oid")
	" ORDER BY n.nspname, c.collname";

#define COLLATE_CLAUSE(coll, typcoll)                                                                    \
	"CASE WHEN " coll " <> 0 AND " coll " <> " typcoll " THEN (SELECT ' COLLATE ' || "            \
	"quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co JOIN "          \
	"pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = " coll ") ELSE '' END"

/* A relation's storage parameters as its DDL writes them: ` WITH (name='value', ...)`, or ''. */
#define WITH_OPTIONS(rel)                                                                                   \
	"CASE WHEN " rel ".reloptions IS NOT NULL THEN ' WITH (' || (SELECT string_agg(split_part(o, '=', 1)" \
	" || '=' || quote_literal(substr(o, strpos(o, '=') + 1)), ', ') FROM unnest(" rel ".reloptions) o)"   \
	" || ')' ELSE '' END"

/* A sequence's options (a pg_sequence row x) as CREATE SEQUENCE and an identity column write
 * them: the format() text and its arguments. */
#define SEQUENCE_OPTIONS_FORMAT "AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s"
#define SEQUENCE_OPTIONS(x)                                                                           \
	"format_type(" x ".seqtypid, NULL), " x ".seqstart, " x ".seqincrement, " x ".seqmin, " x ".seqmax, " \
	x ".seqcache, CASE WHEN " x ".seqcycle THEN ' CYCLE' ELSE '' END"

static const char q_types[] =
	"SELECT CASE t.typtype"
	" WHEN 'e' THEN format('CREATE TYPE %s AS ENUM (%s);', t.oid::regtype,"
	"   (SELECT string_agg(quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder)"
	"    FROM pg_enum l WHERE l.enumtypid = t.oid))"
	" WHEN 'd' THEN format('CREATE DOMAIN %s AS %s%s%s%s;', t.oid::regtype,"
	"   format_type(t.typbasetype, t.typtypmod),"
	"   " COLLATE_CLAUSE("t.typcollation", "(SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)") ","
	"   CASE WHEN t.typdefault IS NOT NULL THEN ' DEFAULT ' || t.typdefault ELSE '' END,"
	"   CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END)"
	"   || COALESCE((SELECT string_agg(format(E'\\nALTER DOMAIN %s ADD CONSTRAINT %I %s;', t.oid::regtype,"
	"      c.conname, pg_get_constraintdef(c.oid)), '' ORDER BY c.conname)"
	"    FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '')"
	" ELSE format('CREATE TYPE %s AS (%s);', t.oid::regtype,"
	"   (SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))"
	"      || " COLLATE_CLAUSE("a.attcollation", "at.typcollation") ", ', ' ORDER BY a.attnum)"
	"    FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid"
	"    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))"
	" END"
	" FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
	" LEFT JOIN pg_class tc ON tc.oid = t.typrelid"
	" WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND tc.relkind = 'c'))"
	" AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_type", "t.oid")
	" ORDER BY t.typtype DESC, n.nspname, t.typname";

static const char q_functions[] =
	"SELECT pg_get_functiondef(p.oid) || ';' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
	" WHERE p.prokind IN ('f', 'p') AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_proc", "p.oid")
	" ORDER BY n.nspname, p.proname, p.oid";

/* Sequences other than identity columns' (those come with their column); OWNED BY for those a
 * column owns. */
static const char q_sequences[] =
	"SELECT format('CREATE SEQUENCE %s " SEQUENCE_OPTIONS_FORMAT ";', c.oid::regclass, " SEQUENCE_OPTIONS("s") ")"
	"  || CASE WHEN a.attname IS NOT NULL THEN format(E'\\nALTER SEQUENCE %s OWNED BY %s.%I;', c.oid::regclass,"
	"     d.refobjid::regclass, a.attname) ELSE '' END" /* format('%I', NULL) is an error, not NULL */
	" FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid"
	"  AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
	" LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
	" WHERE (d.deptype IS NULL OR d.deptype = 'a') AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" ORDER BY n.nspname, c.relname";

/* Whether the identity sequence x (a row of identity_seq below) is what GENERATED ... AS IDENTITY
 * with no options makes: the column's type, the name <table>_<column>_seq in the table's schema
 * (uncut, so unnumbered), ascending from 1 by 1 to the type's maximum, CACHE 1, NO CYCLE. The
 * options are then left out: they were a quarter of what pgsieve parsed of a table's DDL, and
 * the model gives a sequence without options the same values. */
#define IDENTITY_DEFAULTS(x)                                                                             \
	"(" x ".seqtypid = a.atttypid AND " x ".relnamespace = c.relnamespace"                          \
	" AND " x ".relname = c.relname || '_' || a.attname || '_seq' AND " x ".seqstart = 1"            \
	" AND " x ".seqincrement = 1 AND " x ".seqmin = 1 AND " x ".seqcache = 1 AND NOT " x ".seqcycle" \
	" AND " x ".seqmax = CASE " x ".seqtypid WHEN 'pg_catalog.int2'::regtype THEN 32767"             \
	" WHEN 'pg_catalog.int4'::regtype THEN 2147483647 ELSE 9223372036854775807 END)"

/* Tables with their columns, partition keys and bounds, parents and row security, parents
 * before their children (a child lists only its own columns and gets the rest from its parents
 * in the model, so a child named before its parent lost them), partitions after the rest. The columns
 * are aggregated per table in one pass over pg_attribute (hash joins, a GROUP BY) rather than
 * by a subquery per table, and so are identity sequences per column: a third less time on
 * 10,000 tables. */
static const char q_tables[] =
	"WITH RECURSIVE ancestry(relid, depth) AS (SELECT h.inhrelid, 1 FROM pg_inherits h"
	"  UNION ALL SELECT h.inhrelid, a.depth + 1 FROM ancestry a JOIN pg_inherits h ON h.inhparent = a.relid),"
	" generation AS (SELECT relid, max(depth) AS depth FROM ancestry GROUP BY relid),"
	" identity_seq AS (SELECT DISTINCT ON (sd.refobjid, sd.refobjsubid) sd.refobjid, sd.refobjsubid,"
	"   sd.objid, sq.seqtypid, sq.seqstart, sq.seqincrement, sq.seqmin, sq.seqmax, sq.seqcache, sq.seqcycle,"
	"   sc.relname, sc.relnamespace"
	"  FROM pg_depend sd JOIN pg_sequence sq ON sq.seqrelid = sd.objid JOIN pg_class sc ON sc.oid = sd.objid"
	"  WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass AND sd.deptype = 'i'),"
	" cols AS (SELECT a.attrelid, string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod))"
	"     || " COLLATE_CLAUSE("a.attcollation", "at.typcollation")
	"     || CASE WHEN a.attidentity <> '' THEN"
	"          format(' GENERATED %s AS IDENTITY', CASE a.attidentity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END)"
	"          || CASE WHEN " IDENTITY_DEFAULTS("idn") " THEN '' ELSE"
	"          format(' (SEQUENCE NAME %s " SEQUENCE_OPTIONS_FORMAT ")', idn.objid::regclass, " SEQUENCE_OPTIONS("idn") ") END"
	"        ELSE '' END"
	"     || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'"
	"             WHEN ad.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END"
	"     || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY a.attnum) AS list"
	"   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type at ON at.oid = a.atttypid"
	"   LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
	"   LEFT JOIN identity_seq idn ON a.attidentity <> '' AND idn.refobjid = a.attrelid AND idn.refobjsubid = a.attnum"
	"   WHERE c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped"
	"     AND (a.attislocal OR c.relispartition) GROUP BY a.attrelid)"
	" SELECT format('CREATE %s%sTABLE %s (%s)%s%s%s%s;',"
	"  CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END,"
	"  CASE c.relkind WHEN 'f' THEN 'FOREIGN ' ELSE '' END,"
	"  c.oid::regclass, cols.list,"
	"  CASE WHEN NOT c.relispartition AND EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid)"
	"       THEN ' INHERITS (' || (SELECT string_agg(h.inhparent::regclass::text, ', ' ORDER BY h.inhseqno)"
	"         FROM pg_inherits h WHERE h.inhrelid = c.oid) || ')' ELSE '' END,"
	"  CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END,"
	"  CASE WHEN c.relkind = 'f' THEN (SELECT format(' SERVER %I', fs.srvname) FROM pg_foreign_table ft"
	"       JOIN pg_foreign_server fs ON fs.oid = ft.ftserver WHERE ft.ftrelid = c.oid) ELSE '' END,"
	"  " WITH_OPTIONS("c") ")"
	"  || CASE WHEN c.relispartition THEN (SELECT format(E'\\nALTER TABLE %s ATTACH PARTITION %s %s;',"
	"       h.inhparent::regclass, c.oid::regclass, pg_get_expr(c.relpartbound, c.oid))"
	"       FROM pg_inherits h WHERE h.inhrelid = c.oid) ELSE '' END"
	"  || CASE WHEN c.relrowsecurity THEN format(E'\\nALTER TABLE %s ENABLE ROW LEVEL SECURITY;', c.oid::regclass) ELSE '' END"
	"  || CASE WHEN c.relforcerowsecurity THEN format(E'\\nALTER TABLE %s FORCE ROW LEVEL SECURITY;', c.oid::regclass) ELSE '' END"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN cols ON cols.attrelid = c.oid"
	" LEFT JOIN generation g ON g.relid = c.oid"
	" WHERE c.relkind IN ('r', 'p', 'f') AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" ORDER BY c.relispartition, COALESCE(g.depth, 0), n.nspname, c.relname";

/* Constraints declared on the table itself: not the copies a partition or child inherits. */
static const char q_constraints[] =
	"SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s;', con.conrelid::regclass, con.conname,"
	"  pg_get_constraintdef(con.oid))"
	" FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE con.contype IN ('p', 'u', 'x', 'c', 'f') AND con.conislocal AND con.conparentid = 0"
	" AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 WHEN 'c' THEN 3 ELSE 4 END,"
	" n.nspname, c.relname, con.conname";

/* Indexes other than constraints' and partitions' copies of a parent's. pg_get_indexdef costs
 * the server some 30 microseconds an index (it looks up each column's default operator class),
 * a third of its time on 10,000 tables; an index that is nothing but plain columns is written
 * here as pg_get_indexdef writes it: a btree or other method on columns with their types'
 * default operator classes (of exactly the column's type), their own collations, no ASC/DESC or
 * NULLS options, no expressions, predicate, INCLUDE or storage parameters, not a partitioned
 * table's. Everything else comes from pg_get_indexdef, which waits behind ACCESS EXCLUSIVE: the
 * lock_timeout bounds it. The schema tests check that both give the same text for every index
 * they make. %s: a condition on i for the plain ones that the version knows of (NULLS NOT
 * DISTINCT from PostgreSQL 15). */
static const char q_indexes_fmt[] =
	"SELECT CASE WHEN ic.relkind = 'i' AND i.indexprs IS NULL AND i.indpred IS NULL"
	"   AND i.indnatts = i.indnkeyatts AND ic.reloptions IS NULL AND k.plain AND k.n = i.indnatts %s"
	"  THEN format('CREATE %%sINDEX %%I ON %%s USING %%I (%%s);', CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END,"
	"   ic.relname, i.indrelid::regclass, am.amname, k.list)"
	"  ELSE pg_get_indexdef(i.indexrelid) || ';' END"
	" FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace"
	" JOIN pg_am am ON am.oid = ic.relam"
	" CROSS JOIN LATERAL (SELECT count(*) AS n, string_agg(quote_ident(a.attname), ', ' ORDER BY e.ord) AS list,"
	"   COALESCE(bool_and(e.opt = 0 AND (e.coll = 0 OR e.coll = a.attcollation) AND opc.opcdefault"
	"    AND opc.opcintype = a.atttypid), false) AS plain"
	"   FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])"
	"    WITH ORDINALITY e(attnum, opclass, coll, opt, ord)"
	"   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = e.attnum"
	"   JOIN pg_opclass opc ON opc.oid = e.opclass) k"
	" WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid"
	"   AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))"
	" AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)"
	" AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "i.indrelid")
	" ORDER BY n.nspname, ic.relname";

static const char q_views[] =
	"SELECT format('CREATE %sVIEW %s%s AS %s%s;', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END,"
	"  c.oid::regclass,"
	"  " WITH_OPTIONS("c") ","
	"  rtrim(rtrim(pg_get_viewdef(c.oid)), ';'),"
	"  CASE c.relkind WHEN 'm' THEN ' WITH NO DATA' ELSE '' END)"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind IN ('v', 'm') AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" ORDER BY c.oid";

/* %s: the condition that leaves out a partition's clones of its parent's triggers (PostgreSQL 13
 * has tgparentid; before, the clones are internal). */
static const char q_triggers_fmt[] =
	"SELECT pg_get_triggerdef(t.oid) || ';' || CASE t.tgenabled"
	"  WHEN 'D' THEN format(E'\\nALTER TABLE %%s DISABLE TRIGGER %%I;', t.tgrelid::regclass, t.tgname)"
	"  WHEN 'A' THEN format(E'\\nALTER TABLE %%s ENABLE ALWAYS TRIGGER %%I;', t.tgrelid::regclass, t.tgname)"
	"  WHEN 'R' THEN format(E'\\nALTER TABLE %%s ENABLE REPLICA TRIGGER %%I;', t.tgrelid::regclass, t.tgname)"
	"  ELSE '' END"
	" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE NOT t.tgisinternal %s AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" ORDER BY n.nspname, c.relname, t.tgname";

static const char q_policies[] =
	"SELECT format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s;', p.polname, p.polrelid::regclass,"
	"  CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,"
	"  CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE'"
	"   ELSE 'ALL' END,"
	"  (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')"
	"   FROM unnest(p.polroles) r),"
	"  COALESCE(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', ''),"
	"  COALESCE(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', ''))"
	" FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE" USER_NS("n") "ORDER BY n.nspname, c.relname, p.polname";

/* Comments, one branch per kind of object. The public schema's own comment is PostgreSQL's, and
 * an extension's comes with the extension: neither is the user's. */
static const char q_comments[] =
	"SELECT format('COMMENT ON %s %s IS %L;', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'"
	"  WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'"
	"  ELSE 'TABLE' END, c.oid::regclass, d.description)"
	" FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid"
	" JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE d.objsubid = 0 AND c.relkind <> 'c' AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" UNION ALL"
	" SELECT format('COMMENT ON COLUMN %s.%I IS %L;', c.oid::regclass, a.attname, d.description)"
	" FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid"
	" JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE d.objsubid > 0 AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" UNION ALL"
	" SELECT format('COMMENT ON CONSTRAINT %I ON %s IS %L;', con.conname, con.conrelid::regclass, d.description)"
	" FROM pg_description d JOIN pg_constraint con ON d.classoid = 'pg_constraint'::regclass AND d.objoid = con.oid"
	" JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE" USER_NS("n")
	" UNION ALL"
	" SELECT format('COMMENT ON TRIGGER %I ON %s IS %L;', t.tgname, t.tgrelid::regclass, d.description)"
	" FROM pg_description d JOIN pg_trigger t ON d.classoid = 'pg_trigger'::regclass AND d.objoid = t.oid"
	" JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE" USER_NS("n")
	" UNION ALL"
	" SELECT format('COMMENT ON POLICY %I ON %s IS %L;', p.polname, p.polrelid::regclass, d.description)"
	" FROM pg_description d JOIN pg_policy p ON d.classoid = 'pg_policy'::regclass AND d.objoid = p.oid"
	" JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE" USER_NS("n")
	" UNION ALL"
	" SELECT format('COMMENT ON %s %s IS %L;', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,"
	"  p.oid::regprocedure, d.description)"
	" FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid"
	" JOIN pg_namespace n ON n.oid = p.pronamespace"
	" WHERE p.prokind IN ('f', 'p') AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_proc", "p.oid")
	" UNION ALL"
	" SELECT format('COMMENT ON %s %s IS %L;', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,"
	"  t.oid::regtype, d.description)"
	" FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid"
	" JOIN pg_namespace n ON n.oid = t.typnamespace"
	" WHERE" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_type", "t.oid")
	" UNION ALL"
	" SELECT format('COMMENT ON SCHEMA %I IS %L;', n.nspname, d.description)"
	" FROM pg_description d JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid"
	" WHERE" USER_NS("n") "AND NOT (n.nspname = 'public' AND d.description = 'standard public schema')";

#define GRANTEE(x) "CASE WHEN " x ".grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(" x ".grantee)) END"
#define GRANT_OPTION(x) "CASE WHEN " x ".is_grantable THEN ' WITH GRANT OPTION' ELSE '' END"

/* Grants to others than the owner. A function or schema with an ACL starts from none, so the
 * PUBLIC rights PostgreSQL gives by default are revoked first. */
static const char q_grants[] =
	"SELECT format('GRANT %s ON %s %s TO %s%s;', x.privilege_type,"
	"  CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass, " GRANTEE("x") ", " GRANT_OPTION("x") ")"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) x"
	" WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND x.grantee <> c.relowner"
	" AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" UNION ALL"
	" SELECT format('GRANT %s (%I) ON TABLE %s TO %s%s;', x.privilege_type, a.attname, c.oid::regclass,"
	"  " GRANTEE("x") ", " GRANT_OPTION("x") ")"
	" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
	" CROSS JOIN LATERAL aclexplode(a.attacl) x"
	" WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND x.grantee <> c.relowner"
	" AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_class", "c.oid")
	" UNION ALL"
	" SELECT format('REVOKE ALL ON ROUTINE %s FROM PUBLIC;', p.oid::regprocedure) || COALESCE((SELECT"
	"  string_agg(format(E'\\nGRANT %s ON ROUTINE %s TO %s%s;', x.privilege_type, p.oid::regprocedure,"
	"   " GRANTEE("x") ", " GRANT_OPTION("x") "), '')"
	"  FROM aclexplode(p.proacl) x WHERE x.grantee <> p.proowner), '')"
	" FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
	" WHERE p.proacl IS NOT NULL AND p.prokind IN ('f', 'p') AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_proc", "p.oid")
	" UNION ALL"
	" SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC;', n.nspname) || COALESCE((SELECT"
	"  string_agg(format(E'\\nGRANT %s ON SCHEMA %I TO %s%s;', x.privilege_type, n.nspname,"
	"   " GRANTEE("x") ", " GRANT_OPTION("x") "), '')"
	"  FROM aclexplode(n.nspacl) x WHERE x.grantee <> n.nspowner), '')"
	" FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND" USER_NS("n") "AND" NOT_EXT_MEMBER("pg_namespace", "n.oid");

/* Sizes from pg_class (lock-free, as of the last VACUUM or ANALYZE): a table with its TOAST
 * table and indexes; a partitioned table sums its partitions. Set-based: joins and GROUP BYs
 * over whole catalogs (correlated subqueries over the CTE were a scan of it per relation, 37 s
 * for 30,000 relations). */
static const char q_stats[] =
	"WITH RECURSIVE tree(root, relid) AS ("
	"  SELECT c.oid, c.oid FROM pg_class c WHERE c.relkind = 'p'"
	"  UNION ALL SELECT t.root, h.inhrelid FROM tree t JOIN pg_inherits h ON h.inhparent = t.relid),"
	" index_pages AS (SELECT i.indrelid, sum(ic.relpages) AS pages FROM pg_index i"
	"  JOIN pg_class ic ON ic.oid = i.indexrelid GROUP BY i.indrelid),"
	" own AS (SELECT c.oid, c.reltuples::float8 AS tuples, c.relpages::bigint AS pages,"
	"  (c.relpages::bigint + COALESCE(tc.relpages, 0) + COALESCE(ip.pages, 0))::bigint"
	"   * current_setting('block_size')::bigint AS bytes"
	"  FROM pg_class c LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid"
	"  LEFT JOIN index_pages ip ON ip.indrelid = c.oid WHERE c.relkind IN ('r', 'm', 'i', 'f')),"
	" parted AS (SELECT t.root, sum(GREATEST(o.tuples, 0)) AS tuples, sum(o.pages) AS pages,"
	"  sum(o.bytes) AS bytes FROM tree t JOIN own o ON o.oid = t.relid GROUP BY t.root)"
	" SELECT n.nspname, c.relname, c.relkind,"
	"  CASE WHEN c.relkind = 'p' THEN p.tuples ELSE o.tuples END,"
	"  CASE WHEN c.relkind = 'p' THEN p.pages ELSE c.relpages END,"
	"  CASE WHEN c.relkind = 'p' THEN p.bytes"
	"    WHEN c.relkind IN ('i', 'I') THEN c.relpages::bigint * current_setting('block_size')::bigint"
	"    ELSE o.bytes END,"
	"  c.relispopulated, i.indisvalid"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid"
	" LEFT JOIN own o ON o.oid = c.oid LEFT JOIN parted p ON p.root = c.oid"
	" WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I', 'f') AND" USER_NS("n");

static const char q_sequence_values[] =
	"SELECT n.nspname, c.relname, CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE')"
	"  THEN pg_sequence_last_value(c.oid) END"
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind = 'S' AND" USER_NS("n");

/* ---- the queries, in the order they run ---- */

enum query {
	Q_SCHEMAS, Q_EXTENSIONS, Q_COLLATIONS, Q_TYPES, Q_FUNCTIONS, Q_SEQUENCES, Q_TABLES, Q_CONSTRAINTS, Q_INDEXES,
	Q_VIEWS, Q_TRIGGERS, Q_POLICIES, Q_COMMENTS, Q_GRANTS,
	Q_STATS, Q_SEQUENCE_VALUES,
	Q_COUNT
};
/* The queries before this one give DDL: statements in the first column of each row. */
#define Q_DDL_END Q_STATS

static const struct {
	const char *sql, *what;
} queries[Q_COUNT] = {
	[Q_SCHEMAS] = { q_schemas, "reading schemas" },
	[Q_EXTENSIONS] = { q_extensions, "reading extensions" },
	[Q_COLLATIONS] = { q_collations, "reading collations" },
	[Q_TYPES] = { q_types, "reading types" },
	[Q_FUNCTIONS] = { q_functions, "reading functions" },
	[Q_SEQUENCES] = { q_sequences, "reading sequences" },
	[Q_TABLES] = { q_tables, "reading tables" },
	[Q_CONSTRAINTS] = { q_constraints, "reading constraints" },
	[Q_INDEXES] = { q_indexes_fmt, "reading indexes" },
	[Q_VIEWS] = { q_views, "reading views" },
	[Q_TRIGGERS] = { q_triggers_fmt, "reading triggers" },
	[Q_POLICIES] = { q_policies, "reading policies" },
	[Q_COMMENTS] = { q_comments, "reading comments" },
	[Q_GRANTS] = { q_grants, "reading grants" },
	[Q_STATS] = { q_stats, "reading table sizes" },
	[Q_SEQUENCE_VALUES] = { q_sequence_values, "reading sequence positions" },
};

size_t catalog_query_count(void)
{
	return Q_COUNT;
}

char *catalog_query_text(size_t i, int server_version_num, const char **what)
{
	if (i >= Q_COUNT)
		return NULL;
	if (what)
		*what = queries[i].what;
	if (i == Q_TRIGGERS)
		return xasprintf(q_triggers_fmt, server_version_num >= 130000 ? "AND t.tgparentid = 0" : "");
	if (i == Q_INDEXES)
		return xasprintf(q_indexes_fmt, server_version_num >= 150000 ? "AND NOT i.indnullsnotdistinct" : "");
	return xstrdup(queries[i].sql);
}

/* ---- running them: the server works while pgsieve parses ---- */

/* The queries run one after another on a thread of their own, so that the server computes the
 * next result while this thread parses and applies the DDL of the last: on 10,000 tables the
 * server's half and pgsieve's half of the time (about a second each) then overlap instead of
 * adding up. Only the fetch thread uses the connection until fetch_finish() has joined it;
 * it records no errors (error() is not thread-safe): the main thread reports them. */
struct fetch {
	struct session *s; /* its connection is the thread's until fetch_finish() */
	char *sql[Q_COUNT];
	PGresult *results[Q_COUNT]; /* owned here until fetch_wait() hands one over */
	size_t ready;               /* results[0..ready) are in */
	int done, stop, started, finished;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *fetch_run(void *arg)
{
	struct fetch *f = arg;
	for (size_t i = 0; i < Q_COUNT; i++) {
		pthread_mutex_lock(&f->mu);
		int stop = f->stop;
		pthread_mutex_unlock(&f->mu);
		if (stop)
			break;
		PGresult *r = session_run(f->s, f->sql[i], 0, NULL);
		int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
		pthread_mutex_lock(&f->mu);
		f->results[i] = r;
		f->ready = i + 1;
		pthread_cond_signal(&f->cv);
		pthread_mutex_unlock(&f->mu);
		if (!ok) /* the transaction is aborted: the rest would fail too */
			break;
	}
	pthread_mutex_lock(&f->mu);
	f->done = 1;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static void fetch_start(struct fetch *f, struct session *s, int server_version_num)
{
	memset(f, 0, sizeof(*f));
	f->s = s;
	for (size_t i = 0; i < Q_COUNT; i++)
		f->sql[i] = catalog_query_text(i, server_version_num, NULL);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->started = pthread_create(&f->thread, NULL, fetch_run, f) == 0;
	if (!f->started) /* no thread to be had: run them here, one after the other */
		fetch_run(f);
}

/* The result of query i once it is in (the caller PQclear()s it); NULL when the fetching
 * stopped before it (an earlier query failed) or libpq had none. */
static PGresult *fetch_wait(struct fetch *f, size_t i)
{
	pthread_mutex_lock(&f->mu);
	while (f->ready <= i && !f->done)
		pthread_cond_wait(&f->cv, &f->mu);
	PGresult *r = f->ready > i ? f->results[i] : NULL;
	f->results[i] = NULL;
	pthread_mutex_unlock(&f->mu);
	return r;
}

/* Stops the fetching after the query running now and waits for the thread: the connection is
 * this thread's again. Once is enough; later calls do nothing. */
static void fetch_finish(struct fetch *f)
{
	if (f->finished)
		return;
	f->finished = 1;
	pthread_mutex_lock(&f->mu);
	f->stop = 1;
	pthread_mutex_unlock(&f->mu);
	if (f->started)
		pthread_join(f->thread, NULL);
	f->started = 0;
	for (size_t i = 0; i < Q_COUNT; i++) {
		PQclear(f->results[i]);
		f->results[i] = NULL;
		free(f->sql[i]);
		f->sql[i] = NULL;
	}
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
}

/* Query i's result, or NULL after reporting why there is none (the fetching is then
 * finished, so that the connection can be asked for its state). */
static PGresult *fetch_result(struct fetch *f, struct session *s, size_t i)
{
	PGresult *r = fetch_wait(f, i);
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	fetch_finish(f);
	if (!r && !s->timed_out && !PQerrorMessage(s->conn)[0])
		error("reading the database (%s) stopped before %s", s->where, queries[i].what);
	else
		session_check(s, r, queries[i].what);
	return NULL;
}

/* ---- turning the results into the model ---- */

static void set_extension_versions(struct schema_model *m, PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		struct schema_extension *e = schema_object_find(m, SCHEMA_KIND_EXTENSION, NULL, PQgetvalue(r, i, 1));
		if (e) {
			free(e->version);
			e->version = xstrdup(PQgetvalue(r, i, 2));
		}
	}
}

static void set_sizes(struct schema_model *m, PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		const char *schema = PQgetvalue(r, i, 0), *name = PQgetvalue(r, i, 1), kind = *PQgetvalue(r, i, 2);
		struct schema_stats st = { 1, -1, 0, 0 };
		if (!PQgetisnull(r, i, 3))
			st.rows = strtod(PQgetvalue(r, i, 3), NULL);
		if (st.rows < 0) /* never analyzed (PostgreSQL 14 on; before, 0) */
			st.rows = -1;
		st.pages = PQgetisnull(r, i, 4) ? 0 : strtoll(PQgetvalue(r, i, 4), NULL, 10);
		st.bytes = PQgetisnull(r, i, 5) ? 0 : strtoll(PQgetvalue(r, i, 5), NULL, 10);
		if (kind == 'r' || kind == 'p' || kind == 'f') {
			struct schema_table *t = schema_object_find(m, SCHEMA_KIND_TABLE, schema, name);
			if (t)
				t->stats = st;
		} else if (kind == 'm') {
			struct schema_view *v = schema_object_find(m, SCHEMA_KIND_VIEW, schema, name);
			if (v) {
				v->stats = st;
				v->populated = *PQgetvalue(r, i, 6) == 't';
			}
		} else {
			struct schema_index *ix = schema_object_find(m, SCHEMA_KIND_INDEX, schema, name);
			if (ix) {
				ix->stats = st;
				ix->valid = *PQgetvalue(r, i, 7) != 'f';
			}
		}
	}
}

static void set_sequence_values(struct schema_model *m, PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		struct schema_sequence *sq = schema_object_find(m, SCHEMA_KIND_SEQUENCE, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
		if (sq && !PQgetisnull(r, i, 2)) {
			sq->has_last_value = 1;
			sq->last_value = strtoll(PQgetvalue(r, i, 2), NULL, 10);
		}
	}
}

/* Appends the DDL of r to ddl and applies it to m, adding to *total (whose first error's line
 * counts the lines of ddl before it). */
static int apply_ddl(struct schema_model *m, PGresult *r, struct strbuf *ddl, unsigned *lines,
		     struct schema_load_result *total)
{
	size_t from = ddl->len;
	for (int i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, 0))
			continue;
		strbuf_addstr(ddl, PQgetvalue(r, i, 0));
		strbuf_addch(ddl, '\n');
	}
	if (ddl->len == from)
		return 0;
	const char *text = strbuf_str(ddl) + from;
	size_t len = ddl->len - from;
	struct schema_load_result lr;
	if (schema_load_text(m, text, len, &lr) != 0)
		return -1;
	total->statements += lr.statements;
	if (lr.errors && !total->errors) {
		total->first_error_line = *lines + lr.first_error_line;
		memcpy(total->first_error, lr.first_error, sizeof(total->first_error));
	}
	total->errors += lr.errors;
	for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))) != NULL; p++)
		++*lines;
	return 0;
}

static int read_catalog(struct session *s, struct schema_model *m, struct strbuf *script, struct catalog_info *info)
{
	if (session_begin(s) != 0)
		return -1;
	PGresult *r = session_query(s, "SELECT current_setting('server_version_num')::int, current_user, current_database()",
			    "asking the server version");
	if (!r)
		return -1;
	timing_phase("query: setting up the session");
	info->server_version_num = atoi(PQgetvalue(r, 0, 0));
	snprintf(info->user, sizeof(info->user), "%s", PQgetvalue(r, 0, 1));
	snprintf(info->database, sizeof(info->database), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	int v = info->server_version_num;
	if (v < CATALOG_VERSION_MIN)
		return error("the database (%s) runs PostgreSQL %d.%d; pgsieve reads the catalog of PostgreSQL 12 to 17",
			     s->where, v / 10000, v % 10000);
	if (v > CATALOG_VERSION_MAX)
		snprintf(info->warning, sizeof(info->warning),
			 "the database runs PostgreSQL %d, newer than the 12 to 17 pgsieve's catalog queries were "
			 "checked with: the model may miss what changed",
			 v / 10000);
	free(m->user);
	m->user = xstrdup(info->user);

	struct fetch f;
	fetch_start(&f, s, v);
	struct strbuf ddl = STRBUF_INIT;
	struct schema_load_result total;
	memset(&total, 0, sizeof(total));
	unsigned lines = 0;
	PGresult *ext = NULL;
	int rc = 0;
	for (size_t i = 0; i < Q_DDL_END && !rc; i++) {
		r = fetch_result(&f, s, i);
		if (!r) {
			rc = -1;
			break;
		}
		/* the part of the server's time the parsing before did not hide */
		timing_phase("query: waiting for %s", queries[i].what);
		rc = apply_ddl(m, r, &ddl, &lines, &total);
		if (i == Q_EXTENSIONS)
			ext = r;
		else
			PQclear(r);
	}
	if (!rc && total.errors) {
		/* the server wrote it: a statement that does not parse is pgsieve's grammar lagging
		 * behind the server's */
		snprintf(info->warning, sizeof(info->warning),
			 "%zu statements written from the catalog did not parse (the first at line %u: %s)", total.errors,
			 total.first_error_line, total.first_error);
	}
	if (!rc && ext) {
		set_extension_versions(m, ext);
		timing_phase("apply: setting extension versions");
	}
	PQclear(ext);
	/* what only the server knows, set on the objects the DDL made */
	static const struct {
		size_t query;
		void (*set)(struct schema_model *m, PGresult *r);
	} facts[] = { { Q_STATS, set_sizes }, { Q_SEQUENCE_VALUES, set_sequence_values } };
	for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]) && !rc; i++) {
		if ((r = fetch_result(&f, s, facts[i].query)) == NULL) {
			rc = -1;
			break;
		}
		timing_phase("query: waiting for %s", queries[facts[i].query].what);
		facts[i].set(m, r);
		PQclear(r);
		timing_phase("apply: %s", queries[facts[i].query].what);
	}
	fetch_finish(&f); /* also when applying failed: the thread may still be at work */
	if (script)
		strbuf_addstr(script, strbuf_str(&ddl));
	strbuf_release(&ddl);
	if (rc)
		return -1;
	/* read only: nothing to keep, so end it without a commit */
	return session_exec(s, "ROLLBACK", "ending the transaction");
}

int catalog_set_timeout(const char *arg)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 1 && v <= 86400))
		return error("--db-timeout takes a number of seconds from 1 to 86400, not '%s'", arg);
	session_set_timeout(v);
	return 0;
}

int catalog_load(struct schema_model *m, const char *dsn, struct strbuf *script, struct catalog_info *info)
{
	struct catalog_info local;
	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	struct session s;
	if (session_open(&s, dsn ? dsn : "") != 0) {
		session_close(&s);
		return -1;
	}
	timing_phase("query: connecting");
	int rc = read_catalog(&s, m, script, info);
	if (rc == 0) {
		m->complete = 1;
		free(m->source);
		m->source = xasprintf("the database %s", info->database);
		schema_model_begin_migration(m);
	}
	session_close(&s);
	return rc;
}
