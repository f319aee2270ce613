#include "discover/lint_plan.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "discover/alembic.h"
#include "discover/frameworks/framework.h"
#include "lint/registry.h"
#include "util/error.h"
#include "util/file.h"
#include "util/notes.h"
#include "util/path.h"
#include "util/xalloc.h"

static int excluded(const char *path, char *const *exclude, size_t n)
{
	const char *p = path;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	const char *base = strrchr(p, '/');
	base = base ? base + 1 : p;
	for (size_t i = 0; i < n; i++) {
		if (fnmatch(exclude[i], p, 0) == 0 || fnmatch(exclude[i], path, 0) == 0)
			return 1;
		/* a pattern without a slash also matches the last path component */
		if (!strchr(exclude[i], '/') && fnmatch(exclude[i], base, 0) == 0)
			return 1;
	}
	return 0;
}

static const char *special_kind(mode_t mode)
{
	return S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket" : S_ISCHR(mode) ? "a character device"
	     : S_ISBLK(mode) ? "a block device" : S_ISDIR(mode) ? "a directory" : "not a regular file";
}

/* Whether path may be read: a regular file (a FIFO would block the read forever) and, unless
 * symbolic links may be followed, inside the tree given on the command line (a *.sql link to a
 * secret file elsewhere would be quoted in messages). Says why not on stderr. */
static int readable_here(struct plan *plan, const char *path)
{
	if (strmap_has(&plan->skipped, path))
		return 0;
	struct stat st;
	if (stat(path, &st) != 0)
		return 1; /* reading it reports why it cannot be read */
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "pgsieve: warning: skipping '%s': %s, not a regular file\n", path,
			special_kind(st.st_mode));
		strmap_put(&plan->skipped, path, NULL);
		return 0;
	}
	if (plan->follow_symlinks || !plan->root)
		return 1;
	char canon[PATH_MAX];
	size_t n = strlen(plan->root);
	if (realpath(path, canon) && (!strncmp(canon, plan->root, n) && (canon[n] == '/' || !strcmp(plan->root, "/"))))
		return 1;
	fprintf(stderr, "pgsieve: warning: skipping '%s': a symbolic link leads out of '%s' (--follow-symlinks "
		"reads it)\n", path, plan->root);
	strmap_put(&plan->skipped, path, NULL);
	return 0;
}

static void add_item(struct plan *plan, const struct migration *m, const struct migration_part *part,
		     const char *path, int is_down, int report, enum framework fw)
{
	if (strcmp(path, "-") && !(part && part->text) && !readable_here(plan, path))
		return;
	XGROW(plan->items, plan->n + 1, plan->cap);
	struct plan_item *it = &plan->items[plan->n++];
	it->migration = m;
	it->part = part;
	it->path = xstrdup(path);
	it->is_down = is_down;
	it->report = report;
	it->fw = fw;
}

/* Sets are allocated one by one so that items can point into them. */
static struct migration_set *new_set(struct plan *plan)
{
	XGROW(plan->sets, plan->nsets + 1, plan->sets_cap);
	struct migration_set *s = xcalloc(1, sizeof(*s));
	plan->sets[plan->nsets++] = s;
	return s;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Adds a migration set's parts. only: when not NULL, the files to report (the others are read
 * for context, and their down parts are skipped). */
static int starts_numbered(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	return *base >= '0' && *base <= '9';
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Plain SQL files named on the command line are linted in the order given. The numbered files
 * of their directory that sort before them (001_x.sql before 003_z.sql) are read first for
 * context; a directory of unrelated scripts (tests, fixtures, snippets) is no migration
 * history, so unnumbered names bring no context. */
static void add_plain_files(struct plan *plan, struct migration_set *set, char *const *only,
			    size_t nonly)
{
	const char *last = NULL;
	for (size_t k = 0; k < nonly; k++)
		if (starts_numbered(only[k]) && (!last || strcmp(base_name(only[k]), last) > 0))
			last = base_name(only[k]);
	for (size_t i = 0; last && i < set->n; i++) {
		const struct migration_part *p = &set->items[i].up;
		int named = 0;
		for (size_t k = 0; k < nonly && !named; k++)
			named = same_file(only[k], p->path);
		if (!named && starts_numbered(p->path) && strcmp(base_name(p->path), last) < 0) {
			add_item(plan, &set->items[i], p, p->path, 0, 0, FW_SQL);
			plan->items[plan->n - 1].set = set;
		}
	}
	for (size_t k = 0; k < nonly; k++)
		add_item(plan, NULL, NULL, only[k], 0, 1, FW_SQL);
}

static void add_one_set(struct plan *plan, const char *dir, enum framework fw, const char *env,
			char *const *only, size_t nonly, char *const *exclude, size_t n_exclude)
{
	struct migration_set *set = new_set(plan);
	set->env = env ? xstrdup(env) : NULL;
	if (migrations_load(dir, fw, set, &plan->errors) != 0) {
		fprintf(stderr, "pgsieve: %s\n", error_message());
		plan->errors++;
	}
	set->partial = only != NULL;
	/* Plain SQL files give each other context only as a numbered sequence (001_x.sql,
	 * 20240101_y.sql): a directory of unrelated scripts (tests, fixtures, snippets) is not a
	 * migration history. */
	if (fw == FW_SQL && only) {
		add_plain_files(plan, set, only, nonly);
		return;
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct migration *m = &set->items[i];
		const struct migration_part *parts[2] = { &m->up, &m->down };
		for (int d = 0; d < 2; d++) {
			const struct migration_part *p = parts[d];
			if (!p->path || excluded(p->path, exclude, n_exclude))
				continue;
			int report = 1;
			if (only) {
				report = 0;
				for (size_t k = 0; k < nonly && !report; k++)
					report = same_file(only[k], p->path);
				if (d == 1 && !report)
					continue;
			}
			add_item(plan, m, p, p->path, d == 1, report, fw);
			plan->items[plan->n - 1].set = set;
		}
	}
}

/* A migration set per environment: an alembic.ini with named sections ([core], [tenant], run
 * as `alembic -n core`) holds one environment per section, each its own revision graph. */
static void add_set(struct plan *plan, const char *dir, enum framework fw, char *const *only,
		    size_t nonly, char *const *exclude, size_t n_exclude)
{
	char **envs = NULL;
	size_t nenvs = 0;
	const char *want = plan->alembic ? plan->alembic->name : NULL;
	if (fw != FW_ALEMBIC || alembic_environments(dir, &envs, &nenvs) != 0 || (nenvs == 0 && !want)) {
		add_one_set(plan, dir, fw, NULL, only, nonly, exclude, n_exclude);
		return;
	}
	int found = 0;
	for (size_t i = 0; i < nenvs; i++) {
		if (!want || !strcmp(want, envs[i])) {
			add_one_set(plan, dir, fw, nenvs == 1 && !strcmp(envs[i], "alembic") ? NULL : envs[i],
				    only, nonly, exclude, n_exclude);
			found = 1;
		}
		free(envs[i]);
	}
	free(envs);
	if (!found)
		fprintf(stderr, "pgsieve: warning: skipping the Alembic environments of '%s': none is named "
			"'%s' (--alembic-name)\n", dir, want);
}

struct dir_chain {
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

static void walk(struct plan *plan, const char *dir, int forced, const struct dir_chain *up,
		 const struct stat *st, char *const *exclude, size_t n_exclude);

/* The subdirectories of a project other than its scripts' (Sqitch's deploy, revert, verify)
 * that hold a project of the same runner. */
static void walk_subprojects(struct plan *plan, const char *dir, enum framework set_fw, const struct dir_chain *up,
			     const struct stat *st, char *const *exclude, size_t n_exclude)
{
	const struct framework_desc *f = framework_get(set_fw);
	struct dir_chain here = { st->st_dev, st->st_ino, up };
	size_t n;
	char **names = file_list_dir(dir, &n);
	if (!names)
		return;
	for (size_t i = 0; i < n; i++) {
		char *path = path_join(dir, names[i]);
		struct stat sub;
		if (!excluded(path, exclude, n_exclude) && stat(path, &sub) == 0 && S_ISDIR(sub.st_mode) &&
		    !(f->owns_subdir && f->owns_subdir(dir, path)) && migrations_detect(path) == set_fw)
			walk(plan, path, -1, &here, &sub, exclude, n_exclude);
		free(path);
	}
	file_list_free(names);
}

/* Folder names of one database's migrations, in trees that keep a folder per database
 * (postgres/, mysql/, sqlite/, as Authelia does). */
static const struct {
	const char *name, *database;
} database_folders[] = {
	{ "postgres", NULL }, { "postgresql", NULL }, { "pg", NULL }, { "pgsql", NULL },
	{ "mysql", "MySQL" }, { "mariadb", "MariaDB" }, { "sqlite", "SQLite" }, { "sqlite3", "SQLite" },
	{ "mssql", "SQL Server" }, { "sqlserver", "SQL Server" }, { "oracle", "Oracle" },
	{ "cockroach", "CockroachDB" }, { "cockroachdb", "CockroachDB" }, { "clickhouse", "ClickHouse" },
	{ "tidb", "TiDB" }, { "h2", "H2" }, { "hsqldb", "HSQLDB" }, { "db2", "Db2" }, { "spanner", "Spanner" },
};

static int database_folder(const char *name)
{
	for (size_t i = 0; i < sizeof(database_folders) / sizeof(database_folders[0]); i++)
		if (!strcasecmp(name, database_folders[i].name))
			return (int)i;
	return -1;
}

/* Whether names[i], a subdirectory of dir, holds another database's migrations in a tree with
 * a folder per database (at least two of its folders are named for databases); such a folder
 * is left out, with a note, since its SQL is not PostgreSQL's. */
static int other_database_folder(const char *dir, char *const *names, size_t n, size_t i)
{
	int k = database_folder(names[i]);
	if (k < 0 || !database_folders[k].database)
		return 0;
	size_t databases = 0;
	const char *pg = NULL;
	for (size_t j = 0; j < n; j++) {
		int d = database_folder(names[j]);
		if (d < 0)
			continue;
		databases++;
		if (!database_folders[d].database && !pg)
			pg = names[j];
	}
	if (databases < 2)
		return 0;
	char *path = path_join(dir, names[i]);
	if (pg)
		note_add("other-database", path, "left out '%s': %s migrations; this tree keeps a folder per "
			 "database, and '%s' is the PostgreSQL one", path, database_folders[k].database, pg);
	else
		note_add("other-database", path, "left out '%s': %s migrations; this tree keeps a folder per "
			 "database and has none for PostgreSQL", path, database_folders[k].database);
	free(path);
	return 1;
}

static void walk(struct plan *plan, const char *dir, int forced, const struct dir_chain *up,
		 const struct stat *st, char *const *exclude, size_t n_exclude)
{
	for (const struct dir_chain *c = up; c; c = c->up) {
		if (c->dev == st->st_dev && c->ino == st->st_ino) {
			fprintf(stderr, "pgsieve: warning: not following '%s': a symbolic link loop\n", dir);
			return;
		}
	}
	enum framework fw = forced >= 0 ? (enum framework)forced : migrations_detect(dir);
	if (fw != FW_SQL) {
		add_set(plan, dir, fw, NULL, 0, exclude, n_exclude);
		/* a Sqitch project may hold another one (a baseline project in a subdirectory) */
		if (framework_get(fw)->flags & FRAMEWORK_SUBPROJECTS)
			walk_subprojects(plan, dir, fw, up, st, exclude, n_exclude);
		return;
	}
	struct dir_chain here = { st->st_dev, st->st_ino, up };
	size_t n;
	char **names = file_list_dir(dir, &n); /* without ., .., and hidden entries such as .git */
	if (!names) {
		fprintf(stderr, "pgsieve: cannot open directory '%s': %s\n", dir, strerror(errno));
		plan->errors++;
		return;
	}
	/* files first, then subdirectories, each in name order */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			char *path = path_join(dir, names[i]);
			struct stat sub;
			size_t len = strlen(names[i]);
			if (excluded(path, exclude, n_exclude)) {
				/* skipped as configured */
			} else if (stat(path, &sub) != 0) {
				if (pass == 0) {
					if (lstat(path, &sub) == 0 && S_ISLNK(sub.st_mode)) {
						fprintf(stderr, "pgsieve: warning: skipping '%s': a dangling symbolic link\n", path);
					} else {
						fprintf(stderr, "pgsieve: cannot read '%s': %s\n", path, strerror(errno));
						plan->errors++;
					}
				}
			} else if (pass == 1 && S_ISDIR(sub.st_mode)) {
				if (!other_database_folder(dir, names, n, i))
					walk(plan, path, -1, &here, &sub, exclude, n_exclude);
			} else if (pass == 0 && !S_ISDIR(sub.st_mode) && len > 4 && !strcmp(names[i] + len - 4, ".sql")) {
				/* a FIFO or socket named *.sql is skipped with a warning there */
				add_item(plan, NULL, NULL, path, 0, 1, FW_SQL);
			}
			free(path);
		}
	}
	file_list_free(names);
}

/* The directory of the migration set a named file belongs to, and its framework: the file's
 * own directory, or the one above it for layouts with a directory per migration (Diesel,
 * Prisma) or per kind of script (Sqitch's deploy/, revert/ and verify/), so that
 * `pgsieve lint migrations/2024-01-01-000000_x/up.sql` (what pre-commit passes) is linted as
 * part of its set. */
static char *set_root(const char *path, int forced, enum framework *fw)
{
	char *parent = path_dirname(path);
	enum framework f = forced >= 0 ? (enum framework)forced : migrations_detect(parent);
	*fw = f;
	if (forced < 0 && f != FW_SQL)
		return parent;
	char *gp = path_dirname(parent);
	enum framework g = forced >= 0 ? (enum framework)forced : migrations_detect(gp);
	const struct framework_desc *gf = framework_get(g);
	int nested = g != FW_SQL && gf->owns_subdir && gf->owns_subdir(gp, parent);
	if (nested && strcmp(gp, parent)) {
		free(parent);
		*fw = g;
		return gp;
	}
	free(gp);
	return parent;
}

/* The canonical directory of a path argument, or NULL: what files must stay in. */
static void set_tree(struct plan *plan, const char *dir)
{
	free(plan->root);
	plan->root = realpath(dir, NULL);
}

/* The canonical paths of an Alembic set's revision files (keys of out). */
static void revision_files(const struct migration_set *set, struct strmap *out)
{
	for (size_t i = 0; i < set->n; i++) {
		const char *p = set->items[i].up.path ? set->items[i].up.path : set->items[i].down.path;
		char canon[PATH_MAX];
		if (p && realpath(p, canon))
			strmap_put(out, canon, NULL);
	}
}

/* Whether every key of a is a key of b. */
static int strmap_within(const struct strmap *a, const struct strmap *b)
{
	size_t it = 0;
	const char *key;
	while (strmap_next(a, &it, &key, NULL))
		if (!strmap_has(b, key))
			return 0;
	return 1;
}

/* An Alembic set read through an ini (--alembic-config, or a directory holding alembic.ini)
 * knows the environment's version_locations and prepend_sys_path; one found as env.py beside
 * versions/ only guesses them. */
static int set_has_ini(const struct migration_set *set)
{
	struct stat st;
	if (stat(set->dir, &st) == 0 && S_ISREG(st.st_mode))
		return 1;
	char *ini = path_join(set->dir, "alembic.ini");
	int r = stat(ini, &st) == 0 && S_ISREG(st.st_mode);
	free(ini);
	return r;
}

/* One Alembic environment reached twice (an alembic.ini whose script_location points into
 * another folder the walk also finds as env.py beside versions/, or --alembic-config naming
 * the environment of a directory also given) would have each revision linted, and each
 * graph problem reported, twice. A set whose revision files are all in another set is
 * dropped: of two with the same files, the one read through an ini is kept, else the first.
 * A file the dropped set reported is reported by the kept one. */
static void drop_repeated_alembic_sets(struct plan *plan)
{
	size_t n = plan->nsets;
	struct strmap *files = xcalloc(n ? n : 1, sizeof(*files));
	unsigned char *dropped = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++)
		if (plan->sets[i]->fw == FW_ALEMBIC)
			revision_files(plan->sets[i], &files[i]);
	for (size_t i = 0; i < n; i++) {
		if (!files[i].count)
			continue;
		for (size_t j = 0; j < n && !dropped[i]; j++) {
			if (j == i || dropped[j] || !files[j].count || !strmap_within(&files[i], &files[j]))
				continue;
			int same = files[i].count == files[j].count;
			int ini_i = set_has_ini(plan->sets[i]), ini_j = set_has_ini(plan->sets[j]);
			if (!same || ini_j > ini_i || (ini_j == ini_i && j < i))
				dropped[i] = (unsigned char)(j + 1);
		}
	}
	for (size_t i = 0; i < n; i++) /* i within j within k: what i reported goes to k */
		for (size_t hops = 0; dropped[i] && dropped[dropped[i] - 1] && hops < n; hops++)
			dropped[i] = dropped[dropped[i] - 1];
	size_t kept = 0;
	for (size_t k = 0; k < plan->n; k++) {
		struct plan_item *it = &plan->items[k];
		size_t si = 0;
		while (it->set && si < n && plan->sets[si] != it->set)
			si++;
		if (!it->set || si == n || !dropped[si]) {
			plan->items[kept++] = *it;
			continue;
		}
		const struct migration_set *into = plan->sets[dropped[si] - 1];
		for (size_t o = 0; o < plan->n && it->report; o++)
			if (plan->items[o].set == into && plan->items[o].is_down == it->is_down &&
			    same_file(plan->items[o].path, it->path))
				plan->items[o].report = 1;
		free(it->path);
	}
	plan->n = kept;
	for (size_t i = 0; i < n; i++) {
		if (dropped[i]) /* its problems too: the kept set reports them */
			migration_set_release(plan->sets[i]);
		strmap_release(&files[i]);
	}
	free(files);
	free(dropped);
}

void plan_build(struct plan *plan, char *const *paths, size_t npaths, int forced,
		char *const *exclude, size_t n_exclude, const struct plan_alembic *alembic, unsigned flags)
{
	memset(plan, 0, sizeof(*plan));
	plan->alembic = alembic;
	plan->follow_symlinks = (flags & PLAN_FOLLOW_SYMLINKS) != 0;
	if (alembic && alembic->config) {
		struct stat st;
		size_t before = plan->n;
		int errors = plan->errors;
		if (stat(alembic->config, &st) != 0 || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "pgsieve: cannot read the Alembic configuration '%s': %s\n", alembic->config,
				stat(alembic->config, &st) != 0 ? strerror(errno) : "not a file");
			plan->errors++;
		} else {
			add_set(plan, alembic->config, FW_ALEMBIC, NULL, 0, exclude, n_exclude);
			if (plan->n == before && plan->errors == errors) {
				fprintf(stderr, "pgsieve: no migrations found under '%s': the revision folders it "
					"names hold no revision files\n", alembic->config);
				plan->errors++;
			}
		}
	}
	char **done = xcalloc(npaths + 1, sizeof(char *)); /* file arguments already covered */
	for (size_t i = 0; i < npaths; i++) {
		const char *path = paths[i];
		if (done[i])
			continue;
		if (!strcmp(path, "-")) {
			add_item(plan, NULL, NULL, "-", 0, 1, FW_SQL);
			continue;
		}
		struct stat st;
		if (stat(path, &st) != 0) {
			fprintf(stderr, "pgsieve: cannot read '%s': %s\n", path, strerror(errno));
			plan->errors++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			set_tree(plan, path);
			size_t before = plan->n;
			int errors = plan->errors;
			walk(plan, path, forced, NULL, &st, exclude, n_exclude);
			if (plan->n == before && plan->errors == errors) {
				char *what = migrations_looked_for(path);
				fprintf(stderr, "pgsieve: no migrations found under '%s': %s\n", path, what);
				free(what);
				plan->errors++;
			}
			continue;
		}
		if (excluded(path, exclude, n_exclude))
			continue;
		enum framework fw;
		char *parent = set_root(path, forced, &fw);
		set_tree(plan, parent);
		/* Every file argument in the same directory is reported from one set; the other
		 * migrations of the directory are read for context, in the framework's order (for
		 * plain SQL, name order). */
		char **only = xcalloc(npaths, sizeof(char *));
		size_t nonly = 0;
		for (size_t k = i; k < npaths; k++) {
			enum framework fk;
			char *pk = strcmp(paths[k], "-") ? set_root(paths[k], forced, &fk) : xstrdup("");
			struct stat sk;
			if (!strcmp(pk, parent) && strcmp(paths[k], "-") && stat(paths[k], &sk) == 0 &&
			    !S_ISDIR(sk.st_mode) && !excluded(paths[k], exclude, n_exclude)) {
				only[nonly++] = paths[k];
				done[k] = paths[k];
			}
			free(pk);
		}
		size_t before = plan->n;
		add_set(plan, parent, fw, only, nonly, exclude, n_exclude);
		/* a named file the layout does not know (not *.sql, say) is still linted, alone;
		 * but not a Python file of an Alembic directory that is no revision (env.py, a
		 * helper module), which is not SQL at all */
		for (size_t k = 0; k < nonly; k++) {
			int found = 0;
			for (size_t j = before; j < plan->n && !found; j++)
				found = plan->items[j].report && same_file(plan->items[j].path, only[k]);
			const char *not_sql = framework_get(fw)->not_sql;
			size_t lk = strlen(only[k]), ln = not_sql ? strlen(not_sql) : 0;
			if (!found && !(not_sql && lk > ln && !strcmp(only[k] + lk - ln, not_sql)))
				add_item(plan, NULL, NULL, only[k], 0, 1, FW_SQL);
		}
		free(only);
		free(parent);
	}
	free(done);
	drop_repeated_alembic_sets(plan);
}

void plan_restrict(struct plan *plan, const struct strmap *changed)
{
	size_t kept = 0;
	for (size_t i = 0; i < plan->n; i++) {
		struct plan_item *it = &plan->items[i];
		char canon[PATH_MAX];
		int in = strcmp(it->path, "-") == 0 ||
			 (realpath(it->path, canon) && strmap_has(changed, canon));
		if (!in && (it->is_down || !it->migration)) {
			free(it->path);
			continue;
		}
		it->report = it->report && in;
		plan->items[kept++] = *it;
	}
	plan->n = kept;
}

void plan_release(struct plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		free(plan->items[i].path);
	free(plan->items);
	for (size_t i = 0; i < plan->nsets; i++) {
		migration_set_release(plan->sets[i]);
		free(plan->sets[i]);
	}
	free(plan->sets);
	free(plan->root);
	strmap_release(&plan->skipped);
	memset(plan, 0, sizeof(*plan));
}

/* Plain SQL: `-- pgsieve: no-transaction` or `-- pgsieve: transaction` among the comment lines
 * above the first statement says how the file is run, whatever --assume-in-transaction says
 * (for runners pgsieve does not know). */
static void plain_sql_directive(struct lint_source *src)
{
	const char *rest;
	size_t n;
	uint32_t from = src->has_region ? src->region_offset : 0;
	size_t len = src->has_region ? src->region_len : src->len;
	if (layout_header_line(src->text + from, len, "-- pgsieve:", &rest, &n) < 0)
		return;
	while (n && (*rest == ' ' || *rest == '\t'))
		rest++, n--;
	if (n == 14 && !strncmp(rest, "no-transaction", 14))
		src->tx = LINT_TX_NONE;
	else if (n == 11 && !strncmp(rest, "transaction", 11))
		src->tx = LINT_TX_WRAPPED;
}

void plan_item_source(const struct plan_item *it, const struct lint_options *o,
		      struct lint_source *src)
{
	const struct migration *m = it->migration;
	const struct migration_part *p = it->part;
	if (m && !it->is_down) {
		/* Flyway's undo scripts and Prisma's down.sql are optional: expected when the
		 * directory uses them, or when the configuration says require-down */
		int expected = framework_has_downs(it->fw) ||
			       (it->fw == FW_FLYWAY && ((it->set && it->set->downs_in_use) || o->require_down)) ||
			       (it->fw == FW_PRISMA && o->require_down);
		if (m->repeatable) /* Flyway's R__ scripts are run again, never undone */
			expected = 0;
		if (it->set && it->set->no_downs && !o->require_down) /* said once for the set */
			expected = 0;
		src->has_down = expected ? m->down.path != NULL : -1;
	}
	/* plain SQL, and parts whose runner pgsieve does not know (sql-pairs), run as written */
	if ((it->fw == FW_SQL || (p && p->tx == LINT_TX_UNKNOWN)) && src->text)
		plain_sql_directive(src);
	if (!p) {
		src->new_migration = framework_get(it->fw)->new_migration; /* numbered plain SQL files */
		return;
	}
	if (p->text) {
		src->text = p->text;
		src->len = p->text_len;
		if (!p->text_in_place)
			src->has_region = 0;
		src->segments = p->segments;
		src->nsegments = p->nsegments;
	}
	src->irreversible = p->irreversible;
	src->nothing_to_undo = p->nothing_to_undo ||
			       (it->is_down && it->set && it->set->no_downs && !o->require_down);
	src->note = p->note;
	src->note_static = p->note_static;
	src->renderer = p->renderer;
	if (p->has_region)
		src->marker_offset = p->marker_offset;
	const struct framework_desc *f = framework_get(it->fw);
	if (f->configure && m && !it->is_down && src->text && !memchr(src->text, '\0', src->len))
		f->configure(src, o, it->report ? it->set : NULL);
	/* the runner's one transaction for all pending migrations: started by the first of the
	 * set (or of those pending: the engine starts anew after a part read only for context) */
	if (m && !it->is_down && (f->flags & FRAMEWORK_ONE_TRANSACTION))
		src->continues_tx = 1;
	if (!m || it->is_down || !it->set || !it->set->n || m == &it->set->items[0])
		src->continues_tx = 0;
	src->down_help = f->down_help;
	src->down_consequence = f->down_consequence;
	src->no_tx_marker_suffix = f->no_tx_marker_suffix;
	src->no_tx_first_line = f->no_tx_first_line;
	src->no_tx_file = f->no_tx_file;
	src->no_tx_key = f->no_tx_key;
	src->no_tx_line = f->no_tx_line;
	src->new_migration = f->new_migration;
	if (f->runs_alone)
		src->runs_alone = f->runs_alone;
	if (p->tx_detect && f->statement_tx && src->text && !memchr(src->text, '\0', src->len))
		src->tx = f->statement_tx(src, o->pg_version, it->report ? it->set : NULL);
	if (f->check_part && it->report && it->set && src->text && !memchr(src->text, '\0', src->len))
		f->check_part(src, it->set);
}

void plan_report_problems(const struct plan *plan, struct lint_run *run, const struct strmap *changed)
{
	for (size_t si = 0; si < plan->nsets; si++) {
		const struct migration_set *set = plan->sets[si];
		if (!set->nproblems)
			continue;
		/* a set read whole (a directory linted as it is) reports all its problems; one read
		 * for a few named or changed files, only those about them */
		int whole = !set->partial && !changed;
		for (size_t k = 0; k < set->nproblems; k++) {
			const struct migration_problem *pb = &set->problems[k];
			int report = whole;
			for (size_t i = 0; i < plan->n && !report; i++)
				report = plan->items[i].report && same_file(plan->items[i].path, pb->path);
			char canon[PATH_MAX];
			if (!report && changed && realpath(pb->path, canon))
				report = strmap_has(changed, canon);
			const struct rule *rule = rule_find(pb->rule);
			if (!report || !rule)
				continue;
			/* require-down: each revision says it has no downgrade(), not the set */
			if (set->no_downs && run->opts->require_down && !strcmp(pb->rule, "missing-downgrade"))
				continue;
			size_t len = 0;
			char *text = file_read(pb->path, &len);
			if (!text)
				error_clear();
			lint_run_report_file(run, rule, pb->path, framework_name(set->fw), text, len, pb->offset,
					     pb->message, pb->help);
			free(text);
		}
	}
}
