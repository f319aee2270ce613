#include "discover/files.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

static int excluded(const char *path, char *const *exclude, size_t n)
{
	const char *p = path;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	for (size_t i = 0; i < n; i++) {
		if (fnmatch(exclude[i], p, 0) == 0 || fnmatch(exclude[i], path, 0) == 0)
			return 1;
		/* a pattern without a slash also matches the last path component */
		const char *base = strrchr(p, '/');
		if (!strchr(exclude[i], '/') && base && fnmatch(exclude[i], base + 1, 0) == 0)
			return 1;
	}
	return 0;
}

static void push(struct file_list *list, const char *path)
{
	XGROW(list->paths, list->n + 1, list->cap);
	list->paths[list->n++] = xstrdup(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with_sql(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".sql");
}

/* The directories on the path from the argument down to here, to stop symlink loops. */
struct dir_chain {
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

static void walk_dir(struct file_list *list, const char *dir, const struct dir_chain *up,
		     char *const *exclude, size_t n_exclude, const struct stat *st)
{
	for (const struct dir_chain *c = up; c; c = c->up) {
		if (c->dev == st->st_dev && c->ino == st->st_ino) {
			fprintf(stderr, "pgsieve: warning: not following '%s': a symbolic link loop\n", dir);
			return;
		}
	}
	struct dir_chain here = { st->st_dev, st->st_ino, up };
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "pgsieve: cannot open directory '%s': %s\n", dir, strerror(errno));
		list->errors++;
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
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		struct stat sub;
		if (excluded(path, exclude, n_exclude)) {
			/* skipped as configured */
		} else if (stat(path, &sub) != 0) {
			if (lstat(path, &sub) == 0 && S_ISLNK(sub.st_mode)) {
				fprintf(stderr, "pgsieve: warning: skipping '%s': a dangling symbolic link\n", path);
			} else {
				fprintf(stderr, "pgsieve: cannot read '%s': %s\n", path, strerror(errno));
				list->errors++;
			}
		} else if (S_ISDIR(sub.st_mode)) {
			walk_dir(list, path, &here, exclude, n_exclude, &sub);
		} else if (S_ISREG(sub.st_mode) && ends_with_sql(names[i])) {
			push(list, path);
		}
		free(path);
		free(names[i]);
	}
	free(names);
}

void file_list_add(struct file_list *list, const char *path, char *const *exclude, size_t n_exclude)
{
	if (!strcmp(path, "-")) {
		push(list, path);
		return;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "pgsieve: cannot read '%s': %s\n", path, strerror(errno));
		list->errors++;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk_dir(list, path, NULL, exclude, n_exclude, &st);
	} else if (!excluded(path, exclude, n_exclude)) {
		push(list, path); /* a file named explicitly is linted whatever its name */
	}
}

void file_list_release(struct file_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof(*list));
}

char *file_read(const char *path, size_t *len)
{
	int is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		error("cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (!is_stdin && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		error("cannot read '%s': it is a directory", path);
		return NULL;
	}
	size_t cap = 64 * 1024, n = 0;
	char *buf = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= FILE_MAX_BYTES) {
				free(buf);
				if (!is_stdin)
					fclose(f);
				error("'%s' is larger than %d MiB: not read", is_stdin ? "standard input" : path,
				      FILE_MAX_BYTES / (1024 * 1024));
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(f);
	int saved = errno;
	if (!is_stdin)
		fclose(f);
	if (failed) {
		free(buf);
		error("cannot read '%s': %s", is_stdin ? "standard input" : path, strerror(saved));
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
