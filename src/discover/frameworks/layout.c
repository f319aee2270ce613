/* What the runners' descriptions share for reading a directory. */
#include "discover/frameworks/framework.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "discover/files.h"
#include "util/path.h"
#include "util/xalloc.h"

int layout_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int layout_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int layout_has_file(const char *dir, const char *sub, const char *name)
{
	char *d = sub ? path_join(dir, sub) : NULL;
	char *p = path_join(d ? d : dir, name);
	int r = layout_is_file(p);
	free(p);
	free(d);
	return r;
}

int layout_exists_in(const char *dir, const char *name)
{
	char *p = path_join(dir, name);
	int r = layout_is_file(p) || layout_is_dir(p);
	free(p);
	return r;
}

int layout_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

size_t layout_digits(const char *name)
{
	size_t n = 0;
	while (isdigit((unsigned char)name[n]))
		n++;
	return n;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **layout_list(const char *dir, size_t *count)
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

void layout_list_free(char **names)
{
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

int layout_any(const char *dir, int (*pred)(const char *dir, const char *name))
{
	size_t n;
	char **names = layout_list(dir, &n);
	int found = 0;
	for (size_t i = 0; i < n && !found; i++)
		found = pred(dir, names[i]);
	layout_list_free(names);
	return found;
}

int layout_file_has_setting(const char *path, const char *key, const char *value)
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

long layout_find_marker(const char *text, size_t len, const char *marker, size_t *line_end,
			const char **rest, size_t *rest_len)
{
	size_t ml = strlen(marker);
	for (size_t i = 0; i < len;) {
		size_t eol = i;
		while (eol < len && text[eol] != '\n')
			eol++;
		if (eol - i >= ml && !strncmp(text + i, marker, ml)) {
			*line_end = eol < len ? eol + 1 : eol;
			*rest = text + i + ml;
			*rest_len = eol - i - ml;
			return (long)i;
		}
		i = eol + 1;
	}
	return -1;
}

/* ---- golang-migrate and ory/pop: N_name[.dialect][.autocommit].{up,down}.sql ---- */

static const char *const other_dialects[] = { ".mysql.", ".sqlite3.", ".sqlite.", ".cockroach.",
					      ".crdb.", ".mssql.", ".sqlserver.", NULL };

int layout_foreign_dialect(const char *name)
{
	for (const char *const *d = other_dialects; *d; d++)
		if (strstr(name, *d))
			return 1;
	return 0;
}

int layout_is_up_down_file(const char *dir, const char *name)
{
	(void)dir;
	return layout_digits(name) > 0 && (layout_ends_with(name, ".up.sql") || layout_ends_with(name, ".down.sql"));
}

void layout_load_up_down(const char *dir, struct migration_set *set, const char *runner, int pop)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		const char *f = names[i];
		int up = layout_ends_with(f, ".up.sql"), down = layout_ends_with(f, ".down.sql");
		size_t v = layout_digits(f);
		if ((!up && !down) || v == 0 || layout_foreign_dialect(f))
			continue;
		char *version = xstrndup(f, v);
		/* the name: between the version's '_' and the first '.' */
		const char *ns = f[v] == '_' ? f + v + 1 : f + v;
		const char *ne = strchr(ns, '.');
		char *name = xstrndup(ns, ne ? (size_t)(ne - ns) : strlen(ns));
		struct migration *m = migration_set_find(set, version);
		if (!m)
			m = migration_set_add(set, version, name);
		/* pop sends an .autocommit. file as one query outside its transaction, golang-migrate
		 * sends every file as one query: PostgreSQL runs a query of several statements in an
		 * implicit transaction */
		enum lint_tx tx;
		if (pop)
			tx = strstr(f, ".autocommit.") ? LINT_TX_IMPLICIT : LINT_TX_WRAPPED;
		else
			tx = LINT_TX_IMPLICIT;
		struct migration_part *part = up ? &m->up : &m->down;
		char *path = path_join(dir, f);
		if (part->path && strcmp(m->name, name) && (!pop || !strstr(f, ".postgres."))) {
			/* two files of one version: the runner refuses the directory */
			const char *other = strrchr(part->path, '/');
			migration_set_problem(set, "migration-graph", path, 0,
					      "give each migration a version of its own (rename the newer "
					      "file with the next free number)",
					      "two %s migrations have the version %s: this file and '%s'; %s refuses "
					      "to run a directory with duplicate versions",
					      up ? "up" : "down", version, other ? other + 1 : part->path, runner);
			free(path);
		} else if (!part->path || strstr(f, ".postgres.")) {
			/* pop: a .postgres. variant wins over a dialect-neutral one */
			migration_part_set(part, path, tx);
		} else {
			free(path);
		}
		free(version);
		free(name);
	}
	layout_list_free(names);
}

/* ---- the Supabase CLI and plain SQL: *.sql in name order ---- */

void layout_load_sql_files(const char *dir, struct migration_set *set, enum lint_tx tx)
{
	size_t n;
	char **names = layout_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!layout_ends_with(names[i], ".sql"))
			continue;
		char *path = path_join(dir, names[i]);
		if (layout_is_file(path)) {
			size_t v = layout_digits(names[i]);
			char *version = xstrndup(names[i], v);
			struct migration *m = migration_set_add(set, version, names[i]);
			migration_part_set(&m->up, path, tx);
			path = NULL;
			free(version);
		}
		free(path);
	}
	layout_list_free(names);
}
