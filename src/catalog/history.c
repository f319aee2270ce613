#include "catalog/history.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/session.h"
#include "discover/frameworks/framework.h"
#include "util/error.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* The tables are in the runners' descriptions (discover/frameworks/), each with the columns
 * this file reads: key, script, checksum, change_id, type, failed, rolled_back, rank (as
 * add_row() reads them). */
static const struct framework_history *table_of(enum framework fw)
{
	return &framework_get(fw)->history;
}

int history_supported(enum framework fw)
{
	return fw > FW_SQL && fw < FW_COUNT && table_of(fw)->table != NULL;
}

char *history_sqitch_project(const char *dir)
{
	char *plan_path = path_join(dir, "sqitch.plan");
	size_t len;
	char *plan = file_read(plan_path, &len);
	free(plan_path);
	if (!plan)
		return NULL;
	char *project = NULL;
	/* pragmas come first: `%project=flipr`, possibly with blanks around the '=' */
	for (char *line = plan; line && *line && !project;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		if (!strncmp(line, "%project", 8)) {
			char *p = line + 8;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '=') {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				size_t n = strcspn(p, " \t\r");
				if (n > 0)
					project = xstrndup(p, n);
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	free(plan);
	return project;
}

/* ---- reading ---- */

static void add_row(struct history *h, PGresult *r, int i)
{
	XGROW(h->rows, h->n + 1, h->cap);
	struct history_row *row = &h->rows[h->n++];
	memset(row, 0, sizeof(*row));
	char **texts[5] = { &row->key, &row->script, &row->checksum, &row->change_id, &row->type };
	for (int c = 0; c < 5; c++)
		if (!PQgetisnull(r, i, c))
			*texts[c] = xstrdup(PQgetvalue(r, i, c));
	row->failed = !PQgetisnull(r, i, 5) && *PQgetvalue(r, i, 5) == 't';
	row->rolled_back = !PQgetisnull(r, i, 6) && *PQgetvalue(r, i, 6) == 't';
	row->rank = PQgetisnull(r, i, 7) ? 0 : strtoll(PQgetvalue(r, i, 7), NULL, 10);
	if (!row->rank)
		row->rank = (long long)h->n;
}

/* The schemas a table name resolves in for the framework's own connection: the role's default
 * search_path, read before pgsieve sets its own (''). */
static int default_schemas(struct session *s, char ***out, size_t *n)
{
	PGresult *r = session_query(s, "SELECT unnest(current_schemas(false))::text", "reading the search_path");
	if (!r)
		return -1;
	*n = (size_t)PQntuples(r);
	*out = xcalloc(*n + 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = xstrdup(PQgetvalue(r, (int)i, 0));
	PQclear(r);
	return 0;
}

/* Whether schema.name is a table or view; 1 yes, 0 no, -1 error. */
static int relation_exists(struct session *s, const char *schema, const char *name)
{
	const char *values[2] = { schema, name };
	PGresult *r = session_query_params(s,
					   "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
					   " ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2"
					   " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
					   2, values, "looking for the migration history table");
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	PQclear(r);
	return found;
}

static int read_rows(struct session *s, struct history *h, const char *schema, const char *name, const char *project)
{
	char *qs = PQescapeIdentifier(s->conn, schema, strlen(schema));
	char *qn = PQescapeIdentifier(s->conn, name, strlen(name));
	if (!qs || !qn) {
		PQfreemem(qs);
		PQfreemem(qn);
		return session_error(s, "quoting the history table's name", PQerrorMessage(s->conn));
	}
	char *qualified = xasprintf("%s.%s", qs, qn);
	PQfreemem(qs);
	PQfreemem(qn);
	const struct framework_history *t = table_of(h->fw);
	char *sql = xasprintf("SELECT %s FROM %s%s", t->columns, qualified, t->rest);
	free(qualified);
	char *what = xasprintf("reading the history table %s (is it %s's?)", h->table, framework_name(h->fw));
	const char *values[1] = { project };
	PGresult *r = t->by_project ? session_query_params(s, sql, 1, values, what) : session_query(s, sql, what);
	free(what);
	free(sql);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		add_row(h, r, i);
	PQclear(r);
	return 0;
}

static int read_history(struct session *s, struct history *h, const char *table, const char *project)
{
	const struct framework_history *t = table_of(h->fw);
	char *schema = NULL, *name = NULL;
	if (table && strchr(table, '.')) {
		const char *dot = strchr(table, '.');
		schema = xstrndup(table, (size_t)(dot - table));
		name = xstrdup(dot + 1);
	} else {
		name = xstrdup(table ? table : t->table);
		if (!table && t->schema)
			schema = xstrdup(t->schema);
	}
	char **path = NULL;
	size_t npath = 0;
	int rc = 0;
	/* in the transaction, before SET LOCAL search_path changes what it reads */
	rc = session_begin_transaction(s);
	if (rc == 0 && !schema)
		rc = default_schemas(s, &path, &npath);
	if (rc == 0)
		rc = session_settings(s);
	if (rc == 0) {
		if (schema) {
			h->table = xasprintf("%s.%s", schema, name);
			int e = relation_exists(s, schema, name);
			rc = e < 0 ? -1 : 0;
			h->found = e > 0;
		} else {
			for (size_t i = 0; i < npath && !h->found && rc == 0; i++) {
				int e = relation_exists(s, path[i], name);
				rc = e < 0 ? -1 : 0;
				if (e > 0) {
					h->found = 1;
					schema = xstrdup(path[i]);
					h->table = xasprintf("%s.%s", schema, name);
				}
			}
			if (!h->found) {
				struct strbuf where = STRBUF_INIT;
				for (size_t i = 0; i < npath; i++)
					strbuf_addf(&where, "%s%s", i ? ", " : "", path[i]);
				h->table = xasprintf("%s (on the search_path: %s)", name,
						     npath ? strbuf_str(&where) : "no schemas");
				strbuf_release(&where);
			}
		}
	}
	if (rc == 0 && h->found)
		rc = read_rows(s, h, schema, name, project);
	if (rc == 0)
		rc = session_exec(s, "ROLLBACK", "ending the transaction");
	for (size_t i = 0; i < npath; i++)
		free(path[i]);
	free(path);
	free(schema);
	free(name);
	return rc;
}

int history_read(const char *dsn, enum framework fw, const char *table, const char *project, struct history *h)
{
	memset(h, 0, sizeof(*h));
	h->fw = fw;
	if (!history_supported(fw))
		return error("%s migrations have no history table pgsieve knows; name the framework with "
			     "--framework", framework_name(fw));
	if (table && (!*table || table[0] == '.' || table[strlen(table) - 1] == '.'))
		return error("--history-table takes [SCHEMA.]NAME, not '%s'", table);
	struct session s;
	int rc = session_open(&s, dsn ? dsn : "");
	if (rc == 0)
		rc = read_history(&s, h, table, project);
	session_close(&s);
	return rc;
}

void history_release(struct history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->rows[i].key);
		free(h->rows[i].script);
		free(h->rows[i].checksum);
		free(h->rows[i].change_id);
		free(h->rows[i].type);
	}
	free(h->rows);
	free(h->table);
	memset(h, 0, sizeof(*h));
}

/* ---- checksums, as the frameworks compute them ---- */

char *history_flyway_checksum(const char *text, size_t len)
{
	/* Flyway reads the script line by line (Java's BufferedReader.readLine(): \n, \r and \r\n
	 * end a line and are not part of it), drops a byte order mark from the first line, and
	 * feeds each line's UTF-8 bytes to java.util.zip.CRC32; the value is stored as a Java int.
	 * So: the CRC-32 of the bytes other than CR and LF, after a leading BOM. */
	size_t i = 0;
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		i = 3;
	uint32_t crc = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		crc = hash_crc32_update(crc, text + start, i - start);
		while (i < len && (text[i] == '\n' || text[i] == '\r'))
			i++;
	}
	return xasprintf("%ld", (long)(int32_t)crc);
}

char *history_sha256(const char *text, size_t len)
{
	char hex[65];
	hash_sha256_hex(text, len, hex);
	return xstrdup(hex);
}

/* sqlx: SHA-384 of the file's bytes as read (sqlx-core migrate/source.rs, Migration::new),
 * compared as hex with the bytea column encoded so. */
static char *history_sha384(const char *text, size_t len)
{
	char hex[97];
	hash_sha384_hex(text, len, hex);
	return xstrdup(hex);
}

char *history_sha1(const char *text, size_t len)
{
	char hex[41];
	hash_sha1_hex(text, len, hex);
	return xstrdup(hex);
}

/* The text with every LF replaced by CRLF (to_crlf) or every CRLF by LF: Prisma accepts a
 * checksum of either form of the script, since git may have converted the line ends. */
static char *convert_line_ends(const char *text, size_t len, int to_crlf, size_t *out_len)
{
	char *out = xmalloc(len * 2 + 1);
	size_t w = 0;
	for (size_t i = 0; i < len; i++) {
		if (to_crlf && text[i] == '\n')
			out[w++] = '\r';
		else if (!to_crlf && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		out[w++] = text[i];
	}
	out[w] = '\0';
	*out_len = w;
	return out;
}

/* Prisma's hex before prisma-engines#1887 dropped the leading zero of each byte. */
static char *unpadded_hex(const char *hex)
{
	char *out = xstrdup(hex);
	size_t w = 0;
	for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
		if (hex[i] != '0')
			out[w++] = hex[i];
		out[w++] = hex[i + 1];
	}
	out[w] = '\0';
	return out;
}

/* Whether Prisma takes the script as unchanged (prisma-engines' script_matches_checksum): the
 * SHA-256 of the bytes, of the bytes with CRLF made LF, or with LF made CRLF; old rows store the
 * hex unpadded. */
static int prisma_matches(const char *text, size_t len, const char *stored)
{
	int match = 0;
	for (int variant = 0; variant < 3 && !match; variant++) {
		size_t n = len;
		char *conv = variant == 0 ? NULL : convert_line_ends(text, len, variant == 2, &n);
		char *sum = history_sha256(conv ? conv : text, n);
		if (strlen(stored) != 64) {
			char *old = unpadded_hex(sum);
			match = !strcmp(old, stored);
			free(old);
		} else {
			match = !strcasecmp(sum, stored);
		}
		free(sum);
		free(conv);
	}
	return match;
}

/* ---- comparing ---- */

/* Prisma keys a migration by its directory's name. */
static char *directory_name(const struct migration *m)
{
	char *dir = path_dirname(m->up.path);
	const char *slash = strrchr(dir, '/');
	char *name = xstrdup(slash ? slash + 1 : dir);
	free(dir);
	return name;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static char *entry_id(enum framework fw, const struct migration *m, const struct history_row *row)
{
	if (!m)
		return xstrdup(row->key ? row->key : row->script ? row->script : "");
	enum framework_history_key key = table_of(fw)->key;
	if (key == HISTORY_KEY_DIRECTORY && m->up.path)
		return directory_name(m);
	if (key == HISTORY_KEY_NAME)
		return xstrdup(m->name);
	if ((key == HISTORY_KEY_FILE || key == HISTORY_KEY_STEM) && m->up.path) {
		const char *base = base_name(m->up.path);
		size_t n = strlen(base);
		if (key == HISTORY_KEY_STEM && n > 4 && !strcmp(base + n - 4, ".sql"))
			n -= 4;
		return xstrndup(base, n);
	}
	if (key == HISTORY_KEY_NUMBER) {
		const char *v = m->version;
		while (v[0] == '0' && v[1])
			v++;
		return xstrdup(v);
	}
	if (m->repeatable && m->up.path)
		return xstrdup(base_name(m->up.path));
	char *id = xstrdup(m->version);
	if (key == HISTORY_KEY_DOTTED) /* as Flyway writes it in its table: V1_1__x.sql is version 1.1 */
		for (char *p = id; *p; p++)
			*p = *p == '_' ? '.' : *p;
	return id;
}

static struct history_entry *add_entry(struct history_status *st, enum framework fw, const struct migration *m,
				       enum history_state state, const struct history_row *row)
{
	XGROW(st->items, st->n + 1, st->cap);
	struct history_entry *e = &st->items[st->n++];
	memset(e, 0, sizeof(*e));
	e->m = m;
	e->id = entry_id(fw, m, row);
	e->state = state;
	e->row = row;
	st->counts[state]++;
	return e;
}

static void set_state(struct history_status *st, struct history_entry *e, enum history_state state)
{
	st->counts[e->state]--;
	e->state = state;
	st->counts[state]++;
}

/* Flyway compares versions part by part as numbers ("1.01" is "1.1", "1" is "1.0"); file names
 * write the parts with '_' or '.', the table with '.'. Anything else compares as text. */
static int flyway_version_cmp(const char *a, const char *b)
{
	static const char digits[] = "0123456789";
	while (*a || *b) {
		size_t na = strspn(a, digits), nb = strspn(b, digits);
		if ((*a && !na) || (*b && !nb))
			return strcmp(a, b);
		const char *pa = *a ? a : "0", *pb = *b ? b : "0";
		size_t la = *a ? na : 1, lb = *b ? nb : 1;
		while (la > 1 && *pa == '0')
			pa++, la--;
		while (lb > 1 && *pb == '0')
			pb++, lb--;
		if (la != lb)
			return la < lb ? -1 : 1;
		int c = strncmp(pa, pb, la);
		if (c)
			return c;
		a += na;
		b += nb;
		if ((*a && *a != '.' && *a != '_') || (*b && *b != '.' && *b != '_'))
			return strcmp(a, b);
		a += *a != '\0';
		b += *b != '\0';
	}
	return 0;
}

/* The checksum of a migration's up file as the framework computes it (NULL for frameworks
 * without one); -1 with error() when it cannot be read. */
static int file_checksum(enum framework fw, const struct migration *m, char **out)
{
	*out = NULL;
	enum framework_checksum kind = table_of(fw)->checksum;
	if (kind == CHECKSUM_NONE || !m->up.path)
		return 0;
	size_t len;
	char *text = file_read(m->up.path, &len);
	if (!text)
		return -1;
	*out = kind == CHECKSUM_FLYWAY_CRC32 ? history_flyway_checksum(text, len)
	     : kind == CHECKSUM_SHA1	     ? history_sha1(text, len)
	     : kind == CHECKSUM_SQLX_SHA384  ? history_sha384(text, len)
					     : history_sha256(text, len);
	free(text);
	return 0;
}

/* Whether the stored checksum matches the file; 1 when there is nothing to compare. */
static int checksum_matches(enum framework fw, const struct migration *m, const struct history_row *row,
			    const char *sum)
{
	if (!sum || !row->checksum)
		return 1;
	/* Sqitch: registries upgraded from before script_hash hold the change id there */
	if (row->change_id && !strcmp(row->checksum, row->change_id))
		return 1;
	enum framework_checksum kind = table_of(fw)->checksum;
	if (kind == CHECKSUM_PRISMA_SHA256) {
		size_t len;
		char *text = file_read(m->up.path, &len);
		int match = !text || prisma_matches(text, len, row->checksum);
		free(text);
		return match;
	}
	if (kind == CHECKSUM_FLYWAY_CRC32)
		return strtol(row->checksum, NULL, 10) == strtol(sum, NULL, 10);
	return !strcasecmp(row->checksum, sum);
}

/* golang-migrate keeps one row: the version last migrated to. */
static void compare_golang_migrate(const struct migration_set *set, const struct history *h, struct history_status *st)
{
	const struct history_row *row = h->n ? &h->rows[h->n - 1] : NULL;
	long long current = row && row->key ? strtoll(row->key, NULL, 10) : -1;
	int seen = 0;
	for (size_t i = 0; i < set->n; i++) {
		const struct migration *m = &set->items[i];
		long long v = strtoll(m->version, NULL, 10);
		enum history_state state = !row || v > current ? HISTORY_PENDING : HISTORY_APPLIED;
		struct history_entry *e = add_entry(st, h->fw, m, state, state == HISTORY_PENDING ? NULL : row);
		if (row && v == current) {
			seen = 1;
			if (row->failed) {
				set_state(st, e, HISTORY_FAILED);
				e->detail = xstrdup("the database is dirty at this version: the migration failed "
						    "part-way and golang-migrate refuses to run until it is fixed "
						    "and the version forced (migrate force)");
			}
		}
	}
	if (row && current >= 0 && !seen) {
		struct history_entry *e = add_entry(st, h->fw, NULL, HISTORY_MISSING_FILE, row);
		if (row->failed)
			e->detail = xstrdup("dirty: the migration failed part-way");
	}
}

/* Alembic's table holds the heads; a revision is applied when a head is it or descends from
 * it (down_revision and depends_on). */
static void compare_alembic(const struct migration_set *set, const struct history *h, struct history_status *st)
{
	struct strmap ids = STRMAP_INIT;
	for (size_t i = 0; i < set->n; i++)
		strmap_put(&ids, set->items[i].version, (void *)(uintptr_t)(i + 1));
	char *applied = xcalloc(set->n + 1, 1), *missing = xcalloc(h->n + 1, 1);
	const struct history_row **by = xcalloc(set->n + 1, sizeof(*by));
	struct strbuf stack = STRBUF_INIT; /* of size_t indexes */
	for (size_t r = 0; r < h->n; r++) {
		size_t at = (size_t)(uintptr_t)strmap_get(&ids, h->rows[r].key ? h->rows[r].key : "");
		missing[r] = !at;
		if (!at)
			continue;
		at--;
		strbuf_add(&stack, (const char *)&at, sizeof(at));
		while (stack.len > 0) {
			size_t i;
			stack.len -= sizeof(i);
			memcpy(&i, stack.buf + stack.len, sizeof(i));
			if (applied[i])
				continue;
			applied[i] = 1;
			by[i] = &h->rows[r];
			const struct migration *m = &set->items[i];
			for (size_t p = 0; p < m->nparents; p++) {
				size_t pi = (size_t)(uintptr_t)strmap_get(&ids, m->parents[p]);
				if (pi-- && !applied[pi])
					strbuf_add(&stack, (const char *)&pi, sizeof(pi));
			}
		}
	}
	for (size_t i = 0; i < set->n; i++)
		add_entry(st, h->fw, &set->items[i], applied[i] ? HISTORY_APPLIED : HISTORY_PENDING, by[i]);
	for (size_t r = 0; r < h->n; r++)
		if (missing[r])
			add_entry(st, h->fw, NULL, HISTORY_MISSING_FILE, &h->rows[r]);
	strbuf_release(&stack);
	free(by);
	free(missing);
	free(applied);
	strmap_release(&ids);
}

/* Flyway: a row per run; the last row of a version decides. A BASELINE row stands for every
 * version up to it; repeatable scripts (no version) are keyed by their script's name. */
static int compare_flyway(const struct migration_set *set, const struct history *h, struct history_status *st)
{
	const struct history_row *baseline = NULL;
	struct strmap repeatable = STRMAP_INIT; /* script name -> last row */
	for (size_t r = 0; r < h->n; r++) {
		const struct history_row *row = &h->rows[r];
		if (row->type && !strcmp(row->type, "BASELINE") && row->key)
			baseline = row;
		if (!row->key && row->script)
			strmap_put(&repeatable, base_name(row->script), (void *)row);
	}
	char *matched = xcalloc(h->n + 1, 1);
	int rc = 0;
	for (size_t i = 0; i < set->n && rc == 0; i++) {
		const struct migration *m = &set->items[i];
		const struct history_row *last = NULL;
		if (m->repeatable) {
			last = m->up.path ? strmap_get(&repeatable, base_name(m->up.path)) : NULL;
		} else {
			for (size_t r = 0; r < h->n; r++) {
				const struct history_row *row = &h->rows[r];
				if (row->key && !flyway_version_cmp(row->key, m->version) &&
				    !(row->type && !strcmp(row->type, "SCHEMA"))) {
					last = row;
					matched[r] = 1;
				}
			}
		}
		struct history_entry *e = add_entry(st, h->fw, m, HISTORY_PENDING, last);
		if (!last) {
			if (baseline && !m->repeatable && flyway_version_cmp(m->version, baseline->key) <= 0) {
				set_state(st, e, HISTORY_APPLIED);
				e->row = baseline;
				e->detail = xasprintf("at or below the baseline %s: Flyway does not run it", baseline->key);
			}
			continue;
		}
		if (last->type && (!strcmp(last->type, "UNDO_SQL") || !strcmp(last->type, "DELETE"))) {
			e->detail = xstrdup(!strcmp(last->type, "DELETE") ? "its row was marked deleted (flyway repair)"
									  : "undone (flyway undo)");
			continue;
		}
		if (last->type && !strcmp(last->type, "BASELINE")) {
			set_state(st, e, HISTORY_APPLIED);
			e->detail = xasprintf("the baseline %s", last->key);
			continue;
		}
		if (last->failed) {
			set_state(st, e, HISTORY_FAILED);
			e->detail = xstrdup("its last run failed (success = false): Flyway refuses to migrate "
					    "until it is fixed and the row removed (flyway repair)");
			continue;
		}
		if (file_checksum(h->fw, m, &e->file_checksum) != 0) {
			rc = -1;
			break;
		}
		if (checksum_matches(h->fw, m, last, e->file_checksum)) {
			set_state(st, e, HISTORY_APPLIED);
		} else if (m->repeatable) {
			e->detail = xstrdup("changed since it last ran: Flyway runs it again");
		} else {
			set_state(st, e, HISTORY_MODIFIED);
		}
	}
	for (size_t r = 0; r < h->n && rc == 0; r++) {
		const struct history_row *row = &h->rows[r];
		if (matched[r] || !row->key || (row->type && strcmp(row->type, "SQL") && strcmp(row->type, "JDBC") &&
						  strcmp(row->type, "SCRIPT")))
			continue;
		/* only the last row of each version */
		int later = 0;
		for (size_t q = r + 1; q < h->n && !later; q++)
			later = h->rows[q].key && !flyway_version_cmp(h->rows[q].key, row->key);
		if (!later)
			add_entry(st, h->fw, NULL, HISTORY_MISSING_FILE, row);
	}
	free(matched);
	strmap_release(&repeatable);
	return rc;
}

/* The frameworks with a row per applied migration, keyed by version, name or change: dbmate,
 * pop, Diesel, Supabase, Prisma (with checksums and failed runs) and Sqitch (a reworked change
 * has a row per deployed occurrence, in plan order). */
static int compare_rows(const struct migration_set *set, const struct history *h, struct history_status *st)
{
	enum framework fw = h->fw;
	const struct framework_history *t = table_of(fw);
	struct strmap first = STRMAP_INIT; /* key -> index + 1 of its first row */
	for (size_t r = h->n; r-- > 0;)
		if (h->rows[r].key)
			strmap_put(&first, h->rows[r].key, (void *)(uintptr_t)(r + 1));
	char *used = xcalloc(h->n + 1, 1);
	int rc = 0;
	for (size_t i = 0; i < set->n && rc == 0; i++) {
		const struct migration *m = &set->items[i];
		char *key = entry_id(fw, m, NULL);
		const struct history_row *row = NULL;
		size_t at = (size_t)(uintptr_t)strmap_get(&first, key);
		if (at) {
			/* Prisma: a finished row wins over failed and rolled-back ones; Sqitch: the next
			 * row of the change not yet matched */
			const struct history_row *pick = NULL;
			for (size_t r = at - 1; r < h->n; r++) {
				const struct history_row *c = &h->rows[r];
				if (used[r] || !c->key || strcmp(c->key, key))
					continue;
				if (t->repeats == HISTORY_REPEATS_OCCURRENCES) {
					pick = c;
					used[r] = 1;
					break;
				}
				used[r] = 1;
				if (!pick || (pick->rolled_back && !c->rolled_back) ||
				    (pick->failed && !c->failed && !c->rolled_back))
					pick = c;
			}
			row = pick;
		}
		free(key);
		struct history_entry *e = add_entry(st, h->fw, m, HISTORY_PENDING, row);
		if (!row)
			continue;
		if (row->rolled_back) {
			e->detail = xstrdup(t->rolled_back_detail);
			continue;
		}
		if (row->failed) {
			set_state(st, e, HISTORY_FAILED);
			e->detail = xstrdup(t->failed_detail);
			continue;
		}
		set_state(st, e, HISTORY_APPLIED);
		if (file_checksum(fw, m, &e->file_checksum) != 0) {
			rc = -1;
			break;
		}
		if (!checksum_matches(fw, m, row, e->file_checksum))
			set_state(st, e, HISTORY_MODIFIED);
	}
	for (size_t r = 0; r < h->n && rc == 0; r++)
		if (!used[r] && h->rows[r].key && !h->rows[r].rolled_back && (t->repeats != HISTORY_REPEATS_NONE ||
									       (size_t)(uintptr_t)strmap_get(&first, h->rows[r].key) == r + 1))
			add_entry(st, h->fw, NULL, HISTORY_MISSING_FILE, &h->rows[r]);
	free(used);
	strmap_release(&first);
	return rc;
}

int history_compare(const struct migration_set *set, const struct history *h, struct history_status *st)
{
	memset(st, 0, sizeof(*st));
	if (!h->found) {
		for (size_t i = 0; i < set->n; i++)
			add_entry(st, h->fw, &set->items[i], HISTORY_PENDING, NULL);
		return 0;
	}
	switch (table_of(h->fw)->kind) {
	case HISTORY_KIND_CURRENT: compare_golang_migrate(set, h, st); return 0;
	case HISTORY_KIND_HEADS: compare_alembic(set, h, st); return 0;
	case HISTORY_KIND_RUNS: return compare_flyway(set, h, st);
	default: return compare_rows(set, h, st);
	}
}

void history_status_release(struct history_status *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free(st->items[i].id);
		free(st->items[i].file_checksum);
		free(st->items[i].detail);
	}
	free(st->items);
	memset(st, 0, sizeof(*st));
}

const char *history_state_name(enum history_state state)
{
	static const char *const names[HISTORY_STATE_COUNT] = { "pending", "applied", "failed", "modified",
								"missing-file" };
	return state < HISTORY_STATE_COUNT ? names[state] : "unknown";
}
