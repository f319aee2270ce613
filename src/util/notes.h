/* Notes on how the input was read that are neither findings nor errors: a folder of another
 * database's migrations left out, a directory matching two runners' layouts. Each is said on
 * stderr when it is found (as "pgsieve: note: ...") and kept for the reports that carry such
 * notes to machines (JSON "notes", SARIF's toolExecutionNotifications), since a CI job reads
 * those and not stderr. */
#ifndef PGSIEVE_NOTES_H
#define PGSIEVE_NOTES_H

#include <stddef.h>

struct note {
	const char *kind; /* "other-database", "layout-conflict" */
	char *path;       /* the directory it is about */
	char *message;
};

void note_add(const char *kind, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t note_count(void);
const struct note *note_get(size_t i);
void notes_release(void);

#endif
