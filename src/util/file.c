#include "util/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

struct overlay {
	const char *path, *text;
	size_t len;
};
static struct {
	struct overlay *items;
	size_t n, cap;
} overlays;

void file_overlay_add(const char *path, const char *text, size_t len)
{
	for (size_t i = 0; i < overlays.n; i++) {
		if (!strcmp(overlays.items[i].path, path)) {
			overlays.items[i].text = text;
			overlays.items[i].len = len;
			return;
		}
	}
	XGROW(overlays.items, overlays.n + 1, overlays.cap);
	overlays.items[overlays.n++] = (struct overlay){ path, text, len };
}

void file_overlay_clear(void)
{
	free(overlays.items);
	memset(&overlays, 0, sizeof(overlays));
}

/* The overlay of path: spelled as it is, or (the plan joins directories and names) leading to
 * it once resolved; NULL when there is none. */
static const struct overlay *overlay_of(const char *path)
{
	if (!overlays.n)
		return NULL;
	for (size_t i = 0; i < overlays.n; i++)
		if (!strcmp(path, overlays.items[i].path))
			return &overlays.items[i];
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *real = NULL;
	const struct overlay *found = NULL;
	for (size_t i = 0; i < overlays.n && !found; i++) {
		const char *obase = strrchr(overlays.items[i].path, '/');
		if (strcmp(base, obase ? obase + 1 : overlays.items[i].path))
			continue;
		if (!real && !(real = realpath(path, NULL)))
			break;
		if (!strcmp(real, overlays.items[i].path))
			found = &overlays.items[i];
	}
	free(real);
	return found;
}

char *file_read(const char *path, size_t *len)
{
	const struct overlay *ov = overlay_of(path);
	if (ov) {
		char *copy = xmalloc(ov->len + 1);
		memcpy(copy, ov->text, ov->len);
		copy[ov->len] = '\0';
		*len = ov->len;
		return copy;
	}
	int is_stdin = !strcmp(path, "-");
	/* O_NONBLOCK: opening a FIFO without a writer would wait forever; fstat() then refuses
	 * whatever is not a regular file before anything is read from it */
	int fd = is_stdin ? -1 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f = is_stdin ? stdin : fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		error("cannot open '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct stat st;
	if (!is_stdin && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		error("cannot read '%s': it is %s, not a regular file", path,
		      S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
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

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **file_list_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		XGROW(names, n + 2, cap);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	XGROW(names, n + 1, cap);
	names[n] = NULL;
	if (n > 1) /* qsort must not be given NULL, even for nothing to sort */
		qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	return names;
}

void file_list_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}
