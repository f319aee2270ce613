/* Reading a file (or standard input) whole, with the limits and messages pgsieve promises. */
#ifndef PGSIEVE_FILE_H
#define PGSIEVE_FILE_H

#include <stddef.h>

/* Largest file pgsieve reads. Larger ones are reported, not read. */
enum { FILE_MAX_BYTES = 256 * 1024 * 1024 };

/* Reads the whole file (or standard input for "-") into a NUL-terminated buffer. Returns NULL
 * with error() set on failure. */
char *file_read(const char *path, size_t *len);

/* The entries of directory dir other than hidden ones (a name starting with '.': ., .., .git),
 * sorted bytewise, NULL-terminated (*count of them); NULL with errno set when dir cannot be
 * opened. Freed with file_list_free(). */
char **file_list_dir(const char *dir, size_t *count);
void file_list_free(char **names);

/* The text an editor holds for the files it has open (pgsieve lsp: its documents, maybe
 * unsaved): until cleared, file_read() of such a file returns a copy of its `text` instead of
 * what is on disk, so a document and the migrations around it are read as the user sees them.
 * path must be absolute and canonical (realpath()); path and text (len bytes) must outlive the
 * overlay. Adding a path again replaces its text. */
void file_overlay_add(const char *path, const char *text, size_t len);
void file_overlay_clear(void);

#endif
