/* Running a helper program (git, python3) and reading what it prints, without a shell, so no
 * argument is ever interpreted by one. */
#ifndef PGSIEVE_PROC_H
#define PGSIEVE_PROC_H

#include <stddef.h>

/* Runs argv[0] (searched in PATH) with argv, stdin from /dev/null, and returns its standard
 * output (malloc'd, NUL-terminated) with *status set to its exit status; its standard error
 * goes to ours. Returns NULL with error() set when it cannot be started (*status is then 127 when the program
 * was not found). */
char *proc_capture(const char *const argv[], int *status, size_t *len);

#endif
