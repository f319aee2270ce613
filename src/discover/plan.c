#include "discover/plan.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void add_item(struct plan *plan, const struct migration *m, const struct migration_part *part,
		     const char *path, int is_down, int report, enum framework fw)
{
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
static void add_set(struct plan *plan, const char *dir, enum framework fw, char *const *only,
		    size_t nonly, char *const *exclude, size_t n_exclude)
{
	if (fw == FW_ALEMBIC) {
		fprintf(stderr, "pgsieve: '%s' holds Alembic migrations, which this build cannot read yet\n", dir);
		plan->errors++;
		return;
	}
	struct migration_set *set = new_set(plan);
	migrations_load(dir, fw, set, &plan->errors);
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
		}
	}
}

struct dir_chain {
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		return;
	}
	struct dir_chain here = { st->st_dev, st->st_ino, up };
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "pgsieve: cannot open directory '%s': %s\n", dir, strerror(errno));
		plan->errors++;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.') /* ., .., and hidden entries such as .git */
			continue;
		XGROW(names, n + 1, cap);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
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
				walk(plan, path, -1, &here, &sub, exclude, n_exclude);
			} else if (pass == 0 && S_ISREG(sub.st_mode) && len > 4 && !strcmp(names[i] + len - 4, ".sql")) {
				add_item(plan, NULL, NULL, path, 0, 1, FW_SQL);
			}
			free(path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void plan_build(struct plan *plan, char *const *paths, size_t npaths, int forced,
		char *const *exclude, size_t n_exclude)
{
	memset(plan, 0, sizeof(*plan));
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
			walk(plan, path, forced, NULL, &st, exclude, n_exclude);
			continue;
		}
		if (excluded(path, exclude, n_exclude))
			continue;
		char *parent = path_dirname(path);
		enum framework fw = forced >= 0 ? (enum framework)forced : migrations_detect(parent);
		/* Every file argument in the same directory is reported from one set; the other
		 * migrations of the directory are read for context, in the framework's order (for
		 * plain SQL, name order). */
		char **only = xcalloc(npaths, sizeof(char *));
		size_t nonly = 0;
		for (size_t k = i; k < npaths; k++) {
			char *pk = path_dirname(paths[k]);
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
		/* a named file the layout does not know (not *.sql, say) is still linted, alone */
		for (size_t k = 0; k < nonly; k++) {
			int found = 0;
			for (size_t j = before; j < plan->n && !found; j++)
				found = plan->items[j].report && same_file(plan->items[j].path, only[k]);
			if (!found)
				add_item(plan, NULL, NULL, only[k], 0, 1, FW_SQL);
		}
		free(only);
		free(parent);
	}
	free(done);
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
	memset(plan, 0, sizeof(*plan));
}
