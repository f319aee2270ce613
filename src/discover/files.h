/* Turning the paths on the command line into the list of files to lint: directories are walked
 * for *.sql files in a stable (byte-wise sorted) order, symlink loops are detected, excluded
 * globs are skipped, and each file is read whole. */
#ifndef PGSIEVE_FILES_H
#define PGSIEVE_FILES_H

#include <stddef.h>

struct file_list {
	char **paths;
	size_t n, cap;
	int errors; /* paths that could not be walked (already reported on stderr) */
};

/* Adds `path` (a file, or a directory walked for *.sql). Paths matching one of the exclude
 * globs are skipped. Problems are printed on stderr with the path and counted in list->errors. */
void file_list_add(struct file_list *list, const char *path, char *const *exclude, size_t n_exclude);
void file_list_release(struct file_list *list);

/* Largest file pgsieve reads. Larger ones are reported, not read. */
enum { FILE_MAX_BYTES = 256 * 1024 * 1024 };

/* Reads the whole file (or standard input for "-") into a NUL-terminated buffer. Returns NULL
 * with error() set on failure. */
char *file_read(const char *path, size_t *len);

#endif
