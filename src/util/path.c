#include "util/path.h"

#include <string.h>

#include "util/xalloc.h"

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	if (!strcmp(dir, "."))
		return xstrdup(name);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}
