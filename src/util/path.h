/* Path strings, kept as the user wrote them (reports print paths as given). */
#ifndef PGSIEVE_PATH_H
#define PGSIEVE_PATH_H

/* dir + "/" + name, malloc'd; "." as dir gives name alone, so "s.sql" is not shown as "./s.sql". */
char *path_join(const char *dir, const char *name);
/* The directory part of path ("." when there is none), malloc'd. */
char *path_dirname(const char *path);

#endif
