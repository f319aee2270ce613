#include "util/file.h"

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
