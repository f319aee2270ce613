/* Reading a file (or standard input) whole, with the limits and messages pgsieve promises. */
#ifndef PGSIEVE_FILE_H
#define PGSIEVE_FILE_H

#include <stddef.h>

/* Largest file pgsieve reads. Larger ones are reported, not read. */
enum { FILE_MAX_BYTES = 256 * 1024 * 1024 };

/* Reads the whole file (or standard input for "-") into a NUL-terminated buffer. Returns NULL
 * with error() set on failure. */
char *file_read(const char *path, size_t *len);

#endif
