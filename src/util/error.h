/* Errors are recorded, not printed: a failing library function calls error() and returns -1
 * or NULL (git's `return error(...)`); main prints the message and picks the exit code. */
#ifndef PGSIEVE_ERROR_H
#define PGSIEVE_ERROR_H

/* Records the message (lowercase, no final full stop, names in quotes); returns -1. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last recorded message, or "" when none. */
const char *error_message(void);
void error_clear(void);

#endif
