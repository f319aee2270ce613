/* Flyway: V<ver>__name.sql, U<ver>__name.sql (undo), R__name.sql (repeatable), and
 * <script>.sql.conf. A script runs in a transaction unless executeInTransaction in its .conf
 * says otherwise or, without one, Flyway's parser finds a statement it takes for
 * non-transactional (then without one, and a mix of both is refused). History:
 * flyway_schema_history, a row per run with a CRC-32 checksum. */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "sql/sql.h"
#include "util/path.h"
#include "util/xalloc.h"

static int is_flyway_file(const char *dir, const char *name)
{
	(void)dir;
	return (name[0] == 'V' || name[0] == 'R') && strstr(name, "__") && layout_ends_with(name, ".sql") &&
	       (name[0] == 'R' || isdigit((unsigned char)name[1]));
}

static int detect(const char *dir, const char **why)
{
	*why = "V<version>__name.sql or R__name.sql scripts";
	return layout_any(dir, is_flyway_file);
}

static int load(const char *dir, struct migration_set *set, int *errors)
{
	(void)errors;
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t pass = 0; pass < 2; pass++) { /* versioned first, so undo scripts find them */
		for (size_t i = 0; i < n; i++) {
			const char *f = names[i];
			const char *sep = strstr(f, "__");
			if (!sep || !layout_ends_with(f, ".sql"))
				continue;
			char kind = f[0];
			if ((pass == 0) != (kind == 'V' || kind == 'R'))
				continue;
			char *version = xstrndup(f + 1, (size_t)(sep - f - 1));
			char *name = xstrndup(sep + 2, strlen(sep + 2) - 4);
			char *conf = xasprintf("%s/%s.conf", dir, f);
			/* executeInTransaction in the script's .conf decides; without it Flyway looks at
			 * the statements (statement_tx) */
			enum lint_tx tx = LINT_TX_WRAPPED;
			int detect_tx = 0;
			if (layout_file_has_setting(conf, "executeInTransaction", "false"))
				tx = LINT_TX_NONE;
			else if (!layout_file_has_setting(conf, "executeInTransaction", "true"))
				detect_tx = 1;
			struct migration_part *part = NULL;
			if (kind == 'V' && *version) {
				part = &migration_set_add(set, version, name)->up;
			} else if (kind == 'R' && !*version) {
				struct migration *m = migration_set_add(set, "", name);
				m->repeatable = 1;
				part = &m->up;
			} else if (kind == 'U' && *version) {
				struct migration *m = migration_set_find(set, version);
				set->downs_in_use = 1;
				if (m)
					part = &m->down;
			}
			if (part) {
				migration_part_set(part, path_join(dir, f), tx);
				part->tx_detect = detect_tx;
			}
			free(conf);
			free(version);
			free(name);
		}
	}
	layout_list_free(names);
	return 0;
}

/* Flyway's PostgreSQL parser (PostgreSQLParser.detectCanExecuteInTransaction) looks at the
 * first keywords of each statement: CREATE/DROP DATABASE, TABLESPACE or SUBSCRIPTION, ALTER
 * SYSTEM, CREATE [UNIQUE] INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX of a SCHEMA,
 * DATABASE or SYSTEM, VACUUM, DISCARD ALL, and ALTER TYPE ... ADD VALUE on servers before 12.
 * Anything else (REINDEX TABLE ... CONCURRENTLY, DETACH PARTITION CONCURRENTLY, CLUSTER, a DO
 * block) it takes for transactional and runs in the migration's transaction. */
static const char *nontransactional(const PgQuery__Node *n, int pg_version)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATEDB_STMT:
		return "CREATE DATABASE";
	case PG_QUERY__NODE__NODE_DROPDB_STMT:
		return "DROP DATABASE";
	case PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT:
		return "CREATE TABLESPACE";
	case PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT:
		return "DROP TABLESPACE";
	case PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT:
		return "CREATE SUBSCRIPTION";
	case PG_QUERY__NODE__NODE_DROP_SUBSCRIPTION_STMT:
		return "DROP SUBSCRIPTION";
	case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
		return "ALTER SYSTEM";
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return n->index_stmt->concurrent ? "CREATE INDEX CONCURRENTLY" : NULL;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return n->drop_stmt->concurrent &&
				       n->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX
			       ? "DROP INDEX CONCURRENTLY"
			       : NULL;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		switch (n->reindex_stmt->kind) {
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
			return "REINDEX SCHEMA";
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM:
			return "REINDEX SYSTEM";
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE:
			return "REINDEX DATABASE";
		default:
			return NULL;
		}
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		return n->vacuum_stmt->is_vacuumcmd ? "VACUUM" : NULL;
	case PG_QUERY__NODE__NODE_DISCARD_STMT:
		return n->discard_stmt->target == PG_QUERY__DISCARD_MODE__DISCARD_ALL ? "DISCARD ALL" : NULL;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		return pg_version < 12 && *n->alter_enum_stmt->new_val && !*n->alter_enum_stmt->old_val
			       ? "ALTER TYPE ... ADD VALUE"
			       : NULL;
	default:
		return NULL;
	}
}

struct scan {
	int pg_version;
	int transactional, nontransactional;
	uint32_t mixed_at;
	const char *what;
};

static int scan_statement(void *ud, const struct sql_stmt *st)
{
	struct scan *s = ud;
	const char *w = st->node ? nontransactional(st->node, s->pg_version) : NULL;
	if (w) {
		s->nontransactional = 1;
		if (!s->what)
			s->what = w;
	} else {
		s->transactional = 1;
	}
	if (s->transactional && s->nontransactional && s->mixed_at == UINT32_MAX)
		s->mixed_at = st->start;
	return 0;
}

/* Without executeInTransaction in a .conf: no transaction when a statement is one Flyway
 * takes for non-transactional; a script that mixes such a statement with others is refused
 * (unless the configuration says mixed=true), at the statement that completes the mix. */
static enum lint_tx statement_tx(const struct lint_source *src, int pg_version, struct migration_set *set)
{
	uint32_t from = src->has_region ? src->region_offset : 0;
	size_t n = src->has_region ? src->region_len : src->len;
	struct scan s = { pg_version, 0, 0, UINT32_MAX, NULL };
	struct sql_callbacks cb = { &s, NULL, scan_statement };
	sql_parse_region(src->text, src->len, from, n, &cb);
	if (s.mixed_at != UINT32_MAX && set) {
		const char *base = strrchr(src->path, '/');
		char *msg = xasprintf("Flyway runs %s outside a transaction and refuses a migration that "
				      "mixes such a statement with others (\"Detected both transactional and "
				      "non-transactional statements within the same migration\"): the "
				      "migration fails before it starts", s.what);
		char *help = xasprintf("move %s into a migration of its own, which Flyway then runs "
				       "without a transaction; or put executeInTransaction=false in %s.conf "
				       "(every statement then runs on its own) or mixed=true in the Flyway "
				       "configuration", s.what, base ? base + 1 : src->path);
		/* reported after linting, once the file is listed */
		migration_set_problem(set, "not-in-transaction", src->path, s.mixed_at, help, "%s", msg);
		free(msg);
		free(help);
	}
	return s.nontransactional ? LINT_TX_NONE : LINT_TX_WRAPPED;
}

/* Whether an entry of dir is a versioned or undo script of a version below ver (ver.N or
 * ver_N...), which a new ver.1 would not come right after. */
static int has_subversion(const char *dir, const char *ver, int *undo)
{
	size_t n, vl = strlen(ver);
	char **names = layout_list(dir, &n);
	int found = 0;
	for (size_t i = 0; names && i < n; i++) {
		const char *f = names[i];
		*undo |= f[0] == 'U' && strstr(f, "__") != NULL;
		if ((f[0] == 'V' || f[0] == 'U') && !strncmp(f + 1, ver, vl) && (f[1 + vl] == '.' || f[1 + vl] == '_') &&
		    f[2 + vl] != '_')
			found = 1;
	}
	layout_list_free(names);
	return found;
}

/* A new migration: V<ver>.1__name.sql, which Flyway orders right after V<ver> (versions compare
 * part by part), with its .conf turning the transaction off when asked, and the undo script
 * U<ver>.1__name.sql when the directory has undo scripts. */
static size_t new_migration(const char *path, const char *name, const char *up, const char *down, int no_tx,
			    struct lint_new_file *out)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *sep = strstr(base, "__");
	if (base[0] != 'V' || !sep || sep == base + 1 || !layout_ends_with(base, ".sql"))
		return 0;
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	char *ver = xstrndup(base + 1, (size_t)(sep - base - 1));
	int undo = 0;
	size_t n = 0;
	if (!has_subversion(*dir ? dir : "/", ver, &undo)) {
		char *slug = layout_slug(name);
		char *file = xasprintf("%s/V%s.1__%s.sql", dir, ver, slug);
		layout_new_file(out, &n, file, up);
		if (no_tx)
			layout_new_file(out, &n, xasprintf("%s.conf", file), framework_flyway.no_tx_line);
		if (undo && down)
			layout_new_file(out, &n, xasprintf("%s/U%s.1__%s.sql", dir, ver, slug), down);
		free(slug);
	}
	free(ver);
	free(dir);
	return n;
}

const struct framework_desc framework_flyway = {
	.name = "flyway",
	.detect_rank = 7,
	.detect = detect,
	.load = load,
	.new_migration = new_migration,
	.no_tx_file = ".conf",
	.no_tx_key = "executeInTransaction",
	.no_tx_line = "executeInTransaction=false\n",
	.duplicate_versions = "Flyway refuses to migrate (\"found more than one migration with version\")",
	.statement_tx = statement_tx,
	.down_help = "add the undo script U<version>__<description>.sql, as the other migrations of the directory have",
	.down_consequence = "`flyway undo` cannot undo this migration",
	.history = {
		.table = "flyway_schema_history",
		.columns = "version::text, script::text, checksum::text, NULL, type::text, NOT success, false, installed_rank",
		.rest = " ORDER BY installed_rank",
		.kind = HISTORY_KIND_RUNS,
		.key = HISTORY_KEY_DOTTED,
		.checksum = CHECKSUM_FLYWAY_CRC32,
		.modified_help = "put the edit in a new migration and restore this file; if the "
				 "edit changes nothing (a comment), record the new checksum "
				 "with 'flyway repair'",
	},
};
