#include "discover/migrations.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "discover/alembic.h"
#include "util/file.h"
#include "util/error.h"
#include "util/path.h"
#include "util/xalloc.h"

static const char *const framework_names[FW_COUNT] = {
	[FW_SQL] = "sql",
	[FW_GOLANG_MIGRATE] = "golang-migrate",
	[FW_POP] = "pop",
	[FW_DIESEL] = "diesel",
	[FW_FLYWAY] = "flyway",
	[FW_DBMATE] = "dbmate",
	[FW_SQITCH] = "sqitch",
	[FW_PRISMA] = "prisma",
	[FW_SUPABASE] = "supabase",
	[FW_ALEMBIC] = "alembic",
};

const char *framework_name(enum framework fw)
{
	return framework_names[fw];
}

int framework_parse(const char *name, enum framework *out)
{
	for (int i = 0; i < FW_COUNT; i++) {
		if (!strcmp(framework_names[i], name)) {
			*out = (enum framework)i;
			return 0;
		}
	}
	return -1;
}

int framework_has_downs(enum framework fw)
{
	switch (fw) {
	case FW_GOLANG_MIGRATE:
	case FW_POP:
	case FW_DIESEL:
	case FW_DBMATE:
	case FW_SQITCH:
	case FW_ALEMBIC:
		return 1;
	default:
		return 0;
	}
}

void migration_set_problem(struct migration_set *set, const char *rule, const char *path,
			   uint32_t offset, const char *help, const char *fmt, ...)
{
	XGROW(set->problems, set->nproblems + 1, set->problems_cap);
	struct migration_problem *p = &set->problems[set->nproblems++];
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->rule = rule;
	p->path = xstrdup(path);
	p->offset = offset;
	p->message = xstrdup(buf);
	p->help = help ? xstrdup(help) : NULL;
}

/* ---- small helpers ---- */

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int exists_in(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	int r = is_file(p) || is_dir(p);
	free(p);
	return r;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir without hidden ones, sorted bytewise; NULL-terminated. */
static char **list_dir(const char *dir, size_t *count)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			XGROW(names, n + 2, cap);
			names[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	XGROW(names, n + 1, cap);
	names[n] = NULL;
	qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	return names;
}

static void free_list(char **names)
{
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

/* Compares versions the way frameworks order them: runs of digits by value, other characters
 * by byte ("9" < "10", "1.2" < "1.10", "2_1" after "2"). */
static int version_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = 0, lb = 0;
			while (isdigit((unsigned char)a[la]))
				la++;
			while (isdigit((unsigned char)b[lb]))
				lb++;
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
		} else {
			/* separators ('.', '_') sort before digits and letters */
			if (*a != *b)
				return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			a++;
			b++;
		}
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int cmp_migrations(const void *pa, const void *pb)
{
	const struct migration *a = pa, *b = pb;
	if (a->repeatable != b->repeatable)
		return a->repeatable - b->repeatable;
	int c = version_cmp(a->version, b->version);
	return c ? c : strcmp(a->name, b->name);
}

static struct migration *add(struct migration_set *set, const char *version, const char *name)
{
	XGROW(set->items, set->n + 1, set->cap);
	struct migration *m = &set->items[set->n++];
	memset(m, 0, sizeof(*m));
	m->fw = set->fw;
	m->version = xstrdup(version);
	m->name = xstrdup(name);
	return m;
}

static struct migration *find(struct migration_set *set, const char *version)
{
	for (size_t i = 0; i < set->n; i++)
		if (!version_cmp(set->items[i].version, version) && !set->items[i].repeatable)
			return &set->items[i];
	return NULL;
}

static void set_part(struct migration_part *p, char *path, enum lint_tx tx)
{
	free(p->path);
	p->path = path;
	p->tx = tx;
}

/* Leading digits of name (the version of golang-migrate, pop, dbmate, Supabase files). */
static size_t digits(const char *name)
{
	size_t n = 0;
	while (isdigit((unsigned char)name[n]))
		n++;
	return n;
}

/* ---- golang-migrate and ory/pop: N_name[.dialect][.autocommit].{up,down}.sql ---- */

static const char *const other_dialects[] = { ".mysql.", ".sqlite3.", ".sqlite.", ".cockroach.",
					      ".crdb.", ".mssql.", ".sqlserver.", NULL };

static int foreign_dialect(const char *name)
{
	for (const char *const *d = other_dialects; *d; d++)
		if (strstr(name, *d))
			return 1;
	return 0;
}

static void load_up_down_files(const char *dir, struct migration_set *set)
{
	size_t n;
	char **names = list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		const char *f = names[i];
		int up = ends_with(f, ".up.sql"), down = ends_with(f, ".down.sql");
		size_t v = digits(f);
		if ((!up && !down) || v == 0 || foreign_dialect(f))
			continue;
		char *version = xstrndup(f, v);
		/* the name: between the version's '_' and the first '.' */
		const char *ns = f[v] == '_' ? f + v + 1 : f + v;
		const char *ne = strchr(ns, '.');
		char *name = xstrndup(ns, ne ? (size_t)(ne - ns) : strlen(ns));
		struct migration *m = find(set, version);
		if (!m)
			m = add(set, version, name);
		/* pop sends an .autocommit. file as one query outside its transaction, golang-migrate
		 * sends every file as one query: PostgreSQL runs a query of several statements in an
		 * implicit transaction */
		enum lint_tx tx;
		if (set->fw == FW_POP)
			tx = strstr(f, ".autocommit.") ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED;
		else
			tx = LINT_TX_IMPLICIT;
		struct migration_part *part = up ? &m->up : &m->down;
		char *path = path_join(dir, f);
		if (part->path && strcmp(m->name, name) && (set->fw != FW_POP || !strstr(f, ".postgres."))) {
			/* two files of one version: the runner refuses the directory */
			const char *other = strrchr(part->path, '/');
			migration_set_problem(set, "migration-graph", path, 0,
					      "give each migration a version of its own (rename the newer "
					      "file with the next free number)",
					      "two %s migrations have the version %s: this file and '%s'; %s refuses "
					      "to run a directory with duplicate versions",
					      up ? "up" : "down", version, other ? other + 1 : part->path,
					      framework_name(set->fw));
			free(path);
		} else if (!part->path || strstr(f, ".postgres.")) {
			/* pop: a .postgres. variant wins over a dialect-neutral one */
			set_part(part, path, tx);
		} else {
			free(path);
		}
		free(version);
		free(name);
	}
	free_list(names);
}

/* ---- Diesel: <ts>_name/{up,down}.sql, metadata.toml may say run_in_transaction = false ---- */

/* A line `key = value` (TOML or Java properties style) in a small file; returns 1 when found
 * with that value. */
static int file_has_setting(const char *path, const char *key, const char *value)
{
	size_t len;
	char *text = file_read(path, &len);
	if (!text)
		return 0;
	int found = 0;
	for (char *line = text; line && *line && !found;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		while (isspace((unsigned char)*line))
			line++;
		size_t kl = strlen(key);
		if (!strncmp(line, key, kl)) {
			char *p = line + kl;
			while (isspace((unsigned char)*p))
				p++;
			if (*p == '=' || *p == ':') {
				p++;
				while (isspace((unsigned char)*p) || *p == '"')
					p++;
				found = !strncmp(p, value, strlen(value));
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	free(text);
	return found;
}

static void load_diesel(const char *dir, struct migration_set *set)
{
	size_t n;
	char **names = list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char *sub = path_join(dir, names[i]);
		char *up = path_join(sub, "up.sql"), *down = path_join(sub, "down.sql"), *meta = path_join(sub, "metadata.toml");
		if (is_file(up)) {
			const char *us = strchr(names[i], '_');
			/* Diesel orders by the version with its dashes removed, so 2017-09-23-170700
			 * comes after 20170309000000 */
			char *version = xstrndup(names[i], us ? (size_t)(us - names[i]) : strlen(names[i]));
			size_t w = 0;
			for (size_t r = 0; version[r]; r++)
				if (version[r] != '-')
					version[w++] = version[r];
			version[w] = '\0';
			struct migration *m = add(set, version, us ? us + 1 : names[i]);
			/* without its transaction Diesel still sends the file as one query (batch_execute):
			 * an implicit transaction when it holds several statements */
			enum lint_tx tx = file_has_setting(meta, "run_in_transaction", "false") ? LINT_TX_IMPLICIT
												  : LINT_TX_WRAPPED;
			set_part(&m->up, up, tx);
			up = NULL;
			if (is_file(down)) {
				set_part(&m->down, down, tx);
				down = NULL;
			}
			free(version);
		}
		free(up);
		free(down);
		free(meta);
		free(sub);
	}
	free_list(names);
}

/* ---- Flyway: V<ver>__name.sql, U<ver>__name.sql (undo), R__name.sql (repeatable) ---- */

static void load_flyway(const char *dir, struct migration_set *set)
{
	size_t n;
	char **names = list_dir(dir, &n);
	for (size_t pass = 0; pass < 2; pass++) { /* versioned first, so undo scripts find them */
		for (size_t i = 0; i < n; i++) {
			const char *f = names[i];
			const char *sep = strstr(f, "__");
			if (!sep || !ends_with(f, ".sql"))
				continue;
			char kind = f[0];
			if ((pass == 0) != (kind == 'V' || kind == 'R'))
				continue;
			char *version = xstrndup(f + 1, (size_t)(sep - f - 1));
			char *name = xstrndup(sep + 2, strlen(sep + 2) - 4);
			char *conf = xasprintf("%s/%s.conf", dir, f);
			/* executeInTransaction in the script's .conf decides; without it Flyway looks at
			 * the statements (runner.h) */
			enum lint_tx tx = LINT_TX_WRAPPED;
			int detect = 0;
			if (file_has_setting(conf, "executeInTransaction", "false"))
				tx = LINT_TX_NONE;
			else if (!file_has_setting(conf, "executeInTransaction", "true"))
				detect = 1;
			struct migration_part *part = NULL;
			if (kind == 'V' && *version) {
				part = &add(set, version, name)->up;
			} else if (kind == 'R' && !*version) {
				struct migration *m = add(set, "", name);
				m->repeatable = 1;
				part = &m->up;
			} else if (kind == 'U' && *version) {
				struct migration *m = find(set, version);
				set->downs_in_use = 1;
				if (m)
					part = &m->down;
			}
			if (part) {
				set_part(part, path_join(dir, f), tx);
				part->tx_detect = detect;
			}
			free(conf);
			free(version);
			free(name);
		}
	}
	free_list(names);
}

/* ---- dbmate: one file, `-- migrate:up` and `-- migrate:down` sections ---- */

/* Finds a line starting with the marker; returns its offset or -1, and whether the rest of the
 * line says transaction:false. */
static long find_marker(const char *text, size_t len, const char *marker, int *no_tx, size_t *line_end)
{
	size_t ml = strlen(marker);
	for (size_t i = 0; i < len;) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		if (eol - i >= ml && !strncmp(text + i, marker, ml)) {
			char *rest = xstrndup(text + i + ml, eol - i - ml);
			*no_tx = strstr(rest, "transaction:false") != NULL;
			free(rest);
			*line_end = eol < len ? eol + 1 : eol;
			return (long)i;
		}
		i = eol + 1;
	}
	return -1;
}

static void load_dbmate(const char *dir, struct migration_set *set, int *errors)
{
	size_t n;
	char **names = list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!ends_with(names[i], ".sql"))
			continue;
		char *path = path_join(dir, names[i]);
		size_t len;
		char *text = file_read(path, &len);
		if (!text) {
			fprintf(stderr, "pgsieve: %s\n", error_message());
			(*errors)++;
			free(path);
			continue;
		}
		int up_no_tx = 0, down_no_tx = 0;
		size_t up_end = 0, down_end = 0;
		long up = find_marker(text, len, "-- migrate:up", &up_no_tx, &up_end);
		long down = find_marker(text, len, "-- migrate:down", &down_no_tx, &down_end);
		size_t v = digits(names[i]);
		char *version = xstrndup(names[i], v);
		const char *ns = names[i][v] == '_' ? names[i] + v + 1 : names[i] + v;
		char *name = xstrndup(ns, strlen(ns) - 4);
		struct migration *m = add(set, version, name);
		if (up >= 0) {
			size_t stop = down > up ? (size_t)down : len;
			/* transaction:false: dbmate still sends the section as one query */
			set_part(&m->up, xstrdup(path), up_no_tx ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED);
			m->up.has_region = 1;
			m->up.offset = (uint32_t)up_end;
			m->up.len = (uint32_t)(stop > up_end ? stop - up_end : 0);
			m->up.marker_offset = (uint32_t)up;
		} else { /* no marker: dbmate refuses such a file; lint it whole */
			set_part(&m->up, xstrdup(path), LINT_TX_WRAPPED);
		}
		if (down >= 0) {
			size_t stop = up > down ? (size_t)up : len;
			set_part(&m->down, xstrdup(path), down_no_tx ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED);
			m->down.has_region = 1;
			m->down.offset = (uint32_t)down_end;
			m->down.len = (uint32_t)(stop > down_end ? stop - down_end : 0);
			m->down.marker_offset = (uint32_t)down;
		}
		free(version);
		free(name);
		free(text);
		free(path);
	}
	free_list(names);
}

/* ---- Sqitch: sqitch.plan names the changes in order; deploy/ and revert/ scripts ---- */

/* One line of sqitch.plan that names a change or a tag. */
struct plan_line {
	char *name;      /* the change, or the tag without its '@' */
	int is_tag;
	uint32_t offset; /* of the line in sqitch.plan */
};

/* Adds the .sql files under dir/sub (recursively) whose change is not in the plan as problems. */
static void sqitch_strays(struct migration_set *set, const char *dir, const char *rel,
			  const struct plan_line *lines, size_t n)
{
	char *here = path_join(dir, rel);
	size_t count;
	char **names = list_dir(here, &count);
	for (size_t i = 0; i < count; i++) {
		char *relname = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		char *full = path_join(dir, relname);
		if (is_dir(full)) {
			sqitch_strays(set, dir, relname, lines, n);
		} else if (ends_with(names[i], ".sql")) {
			/* deploy/<change>.sql, or deploy/<change>@<tag>.sql for a reworked change */
			size_t cl = strlen(relname) - 4;
			const char *at = memchr(relname, '@', cl);
			if (at)
				cl = (size_t)(at - relname);
			const char *change = strchr(relname, '/') + 1; /* past "deploy/" */
			size_t nl = cl - (size_t)(change - relname);
			int planned = 0;
			for (size_t k = 0; k < n && !planned; k++)
				planned = !lines[k].is_tag && strlen(lines[k].name) == nl &&
					  !strncmp(lines[k].name, change, nl);
			if (!planned)
				migration_set_problem(set, "migration-graph", full, 0,
						      "add the change to sqitch.plan (sqitch add, or a line of its "
						      "own in the plan), or delete the script",
						      "'%.*s' is not a change of sqitch.plan: sqitch never deploys "
						      "this script", (int)nl, change);
		}
		free(full);
		free(relname);
	}
	free_list(names);
	free(here);
}

static void load_sqitch(const char *dir, struct migration_set *set, int *errors)
{
	char *plan_path = path_join(dir, "sqitch.plan");
	size_t len;
	char *plan = file_read(plan_path, &len);
	if (!plan) {
		fprintf(stderr, "pgsieve: %s\n", error_message());
		(*errors)++;
		free(plan_path);
		return;
	}
	/* the plan's changes and tags, in order */
	struct plan_line *lines = NULL;
	size_t n = 0, cap = 0;
	for (char *line = plan; line && *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		/* a change line starts with its name, a tag line with '@'; pragmas (%), comments (#)
		 * and blank lines name nothing */
		if (*line && !strchr("%#", *line) && !isspace((unsigned char)*line)) {
			int tag = *line == '@';
			const char *name = line + tag;
			XGROW(lines, n + 1, cap);
			lines[n].name = xstrndup(name, strcspn(name, " \t[\r"));
			lines[n].is_tag = tag;
			lines[n].offset = (uint32_t)(line - plan);
			n++;
		}
		line = eol ? eol + 1 : NULL;
	}
	char *deploy = path_join(dir, "deploy"), *revert = path_join(dir, "revert");
	unsigned order = 0;
	for (size_t i = 0; i < n; i++) {
		if (lines[i].is_tag)
			continue;
		const char *name = lines[i].name;
		/* A change reworked later in the plan keeps its old scripts as <change>@<tag>.sql,
		 * the tag being the first one after this line. */
		const char *tag = NULL;
		for (size_t j = i + 1; j < n && !tag; j++)
			if (!lines[j].is_tag && !strcmp(lines[j].name, name))
				for (size_t k = i + 1; k < j && !tag; k++)
					if (lines[k].is_tag)
						tag = lines[k].name;
		char *file = tag ? xasprintf("%s@%s.sql", name, tag) : xasprintf("%s.sql", name);
		char *up = path_join(deploy, file), *down = path_join(revert, file);
		if (tag && !is_file(up)) {
			free(file);
			free(up);
			free(down);
			file = xasprintf("%s.sql", name);
			up = path_join(deploy, file);
			down = path_join(revert, file);
		}
		char version[32];
		snprintf(version, sizeof(version), "%06u", ++order);
		struct migration *m = add(set, version, name);
		if (is_file(up)) {
			set_part(&m->up, up, LINT_TX_NONE);
			up = NULL;
		} else {
			migration_set_problem(set, "migration-graph", plan_path, lines[i].offset,
					      "add the deploy script (sqitch add writes deploy/, revert/ and "
					      "verify/ scripts), or remove the change from the plan",
					      "the plan's change '%s' has no deploy script deploy/%s: sqitch deploy "
					      "fails when it reaches it", name, file);
		}
		if (is_file(down)) {
			set_part(&m->down, down, LINT_TX_NONE);
			down = NULL;
		}
		free(up);
		free(down);
		free(file);
	}
	sqitch_strays(set, dir, "deploy", lines, n);
	for (size_t i = 0; i < n; i++)
		free(lines[i].name);
	free(lines);
	free(deploy);
	free(revert);
	free(plan);
	free(plan_path);
}

/* ---- Prisma: <ts>_name/migration.sql (+ an optional down.sql kept by some teams) ---- */

static void load_prisma(const char *dir, struct migration_set *set)
{
	size_t n;
	char **names = list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char *sub = path_join(dir, names[i]);
		char *up = path_join(sub, "migration.sql"), *down = path_join(sub, "down.sql");
		if (is_file(up)) {
			const char *us = strchr(names[i], '_');
			char *version = xstrndup(names[i], us ? (size_t)(us - names[i]) : strlen(names[i]));
			struct migration *m = add(set, version, us ? us + 1 : names[i]);
			set_part(&m->up, up, LINT_TX_IMPLICIT);
			up = NULL;
			if (is_file(down)) {
				set_part(&m->down, down, LINT_TX_IMPLICIT);
				down = NULL;
			}
			free(version);
		}
		free(up);
		free(down);
		free(sub);
	}
	free_list(names);
}

/* ---- Supabase CLI and plain SQL: *.sql in name order ---- */

static void load_sql_files(const char *dir, struct migration_set *set, enum lint_tx tx)
{
	size_t n;
	char **names = list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!ends_with(names[i], ".sql"))
			continue;
		char *path = path_join(dir, names[i]);
		if (is_file(path)) {
			size_t v = digits(names[i]);
			char *version = xstrndup(names[i], v);
			struct migration *m = add(set, version, names[i]);
			set_part(&m->up, path, tx);
			path = NULL;
			free(version);
		}
		free(path);
	}
	free_list(names);
}

/* ---- detection ---- */

static int has_file_matching(const char *dir, int (*pred)(const char *dir, const char *name))
{
	size_t n;
	char **names = list_dir(dir, &n);
	int found = 0;
	for (size_t i = 0; i < n && !found; i++)
		found = pred(dir, names[i]);
	free_list(names);
	return found;
}

static int is_diesel_dir(const char *dir, const char *name)
{
	char *sub = path_join(dir, name), *up = path_join(sub, "up.sql");
	int r = is_file(up);
	free(up);
	free(sub);
	return r;
}

static int is_prisma_dir(const char *dir, const char *name)
{
	char *sub = path_join(dir, name), *up = path_join(sub, "migration.sql");
	int r = is_file(up);
	free(up);
	free(sub);
	return r;
}

static int is_flyway_file(const char *dir, const char *name)
{
	(void)dir;
	return (name[0] == 'V' || name[0] == 'R') && strstr(name, "__") && ends_with(name, ".sql") &&
	       (name[0] == 'R' || isdigit((unsigned char)name[1]));
}

static int is_up_down_file(const char *dir, const char *name)
{
	(void)dir;
	return digits(name) > 0 && (ends_with(name, ".up.sql") || ends_with(name, ".down.sql"));
}

static int is_pop_file(const char *dir, const char *name)
{
	return is_up_down_file(dir, name) &&
	       (strstr(name, ".postgres.") || strstr(name, ".autocommit.") || foreign_dialect(name));
}

static int is_dbmate_file(const char *dir, const char *name)
{
	if (!ends_with(name, ".sql"))
		return 0;
	char *path = path_join(dir, name);
	size_t len;
	char *text = file_read(path, &len);
	free(path);
	if (!text)
		return 0;
	int no_tx;
	size_t end;
	int r = find_marker(text, len, "-- migrate:up", &no_tx, &end) >= 0;
	free(text);
	return r;
}

enum framework migrations_detect(const char *dir)
{
	if (exists_in(dir, "sqitch.plan"))
		return FW_SQITCH;
	if (exists_in(dir, "alembic.ini") || (exists_in(dir, "env.py") && exists_in(dir, "versions")))
		return FW_ALEMBIC;
	if (alembic_versions_dir(dir))
		return FW_ALEMBIC;
	if (exists_in(dir, "migration_lock.toml") || has_file_matching(dir, is_prisma_dir))
		return FW_PRISMA;
	if (has_file_matching(dir, is_diesel_dir))
		return FW_DIESEL;
	if (has_file_matching(dir, is_pop_file))
		return FW_POP;
	if (has_file_matching(dir, is_up_down_file))
		return FW_GOLANG_MIGRATE;
	if (has_file_matching(dir, is_flyway_file))
		return FW_FLYWAY;
	if (has_file_matching(dir, is_dbmate_file))
		return FW_DBMATE;
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	char *trimmed = xstrndup(dir, n);
	int supabase = ends_with(trimmed, "supabase/migrations");
	free(trimmed);
	if (supabase)
		return FW_SUPABASE;
	return FW_SQL;
}

/* Frameworks that key applied migrations by version refuse, or silently skip, a second
 * migration with a version already seen. (golang-migrate and pop pair files by version, so
 * their duplicates are found while pairing.) */
static void check_versions(struct migration_set *set)
{
	static const char *const consequence[FW_COUNT] = {
		[FW_FLYWAY] = "Flyway refuses to migrate (\"found more than one migration with version\")",
		[FW_DBMATE] = "dbmate records applied migrations by version: deployed together, the second "
			      "fails to record itself; deployed apart, it is taken as applied and never runs",
		[FW_DIESEL] = "Diesel records migrations by version, so only one of them is ever run",
		[FW_SUPABASE] = "the CLI records migrations by version, so the second one fails or is "
				"skipped",
	};
	if (!consequence[set->fw])
		return;
	for (size_t i = 1; i < set->n; i++) {
		const struct migration *a = &set->items[i - 1], *b = &set->items[i];
		if (a->repeatable || b->repeatable || !*b->version || version_cmp(a->version, b->version))
			continue;
		const char *other = strrchr(a->up.path, '/');
		migration_set_problem(set, "migration-graph", b->up.path, 0,
				      "give each migration a version of its own (a new timestamp or the next "
				      "free number)",
				      "version %s is also the version of '%s': %s", b->version,
				      other ? other + 1 : a->up.path, consequence[set->fw]);
	}
}

int migrations_load(const char *dir, enum framework fw, struct migration_set *set, int *errors)
{
	memset(set, 0, sizeof(*set));
	set->fw = fw;
	set->dir = xstrdup(dir);
	switch (fw) {
	case FW_GOLANG_MIGRATE:
	case FW_POP:
		load_up_down_files(dir, set);
		break;
	case FW_DIESEL:
		load_diesel(dir, set);
		break;
	case FW_FLYWAY:
		load_flyway(dir, set);
		break;
	case FW_DBMATE:
		load_dbmate(dir, set, errors);
		break;
	case FW_SQITCH:
		load_sqitch(dir, set, errors);
		return 0; /* the plan's order is the order */
	case FW_PRISMA:
		load_prisma(dir, set);
		break;
	case FW_SUPABASE:
		/* the CLI sends a file's statements and its history row as one pipeline, which
		 * PostgreSQL runs as one transaction, even for a single statement */
		load_sql_files(dir, set, LINT_TX_WRAPPED);
		break;
	case FW_ALEMBIC:
		return alembic_load(dir, set); /* in the order of the revision graph */
	default:
		load_sql_files(dir, set, LINT_TX_UNKNOWN);
		break;
	}
	if (set->n > 1) /* qsort must not be given NULL, even for nothing to sort */
		qsort(set->items, set->n, sizeof(*set->items), cmp_migrations);
	check_versions(set);
	return 0;
}

void migration_set_release(struct migration_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->items[i].version);
		free(set->items[i].name);
		free(set->items[i].up.path);
		free(set->items[i].down.path);
		for (size_t k = 0; k < set->items[i].nparents; k++)
			free(set->items[i].parents[k]);
		free(set->items[i].parents);
	}
	for (size_t i = 0; i < set->n; i++) {
		struct migration_part *parts[2] = { &set->items[i].up, &set->items[i].down };
		for (int d = 0; d < 2; d++) {
			free(parts[d]->text);
			free(parts[d]->segments);
			free(parts[d]->note);
		}
	}
	for (size_t i = 0; i < set->nproblems; i++) {
		free(set->problems[i].path);
		free(set->problems[i].message);
		free(set->problems[i].help);
	}
	free(set->problems);
	free(set->items);
	free(set->dir);
	memset(set, 0, sizeof(*set));
}
