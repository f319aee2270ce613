/* The notes of this run, in the order they were found: process-wide, like stderr itself. */
#include "util/notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/strbuf.h"
#include "util/xalloc.h"

static struct note *notes;
static size_t nnotes, notes_cap;

void note_add(const char *kind, const char *path, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fprintf(stderr, "pgsieve: note: %s\n", strbuf_str(&sb));
	XGROW(notes, nnotes + 1, notes_cap);
	notes[nnotes].kind = kind;
	notes[nnotes].path = xstrdup(path);
	notes[nnotes].message = strbuf_detach(&sb);
	nnotes++;
}

size_t note_count(void)
{
	return nnotes;
}

const struct note *note_get(size_t i)
{
	return i < nnotes ? &notes[i] : NULL;
}

void notes_release(void)
{
	for (size_t i = 0; i < nnotes; i++) {
		free(notes[i].path);
		free(notes[i].message);
	}
	free(notes);
	notes = NULL;
	nnotes = notes_cap = 0;
}
