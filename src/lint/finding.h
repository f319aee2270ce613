/* A finding is data: which rule, how severe, where (byte span and 1-based line:column), what
 * and how to fix it. Reporters read findings; nothing else prints them. */
#ifndef PGSIEVE_FINDING_H
#define PGSIEVE_FINDING_H

#include <stddef.h>
#include <stdint.h>

enum severity {
	SEVERITY_OFF = 0, /* as a setting: the rule does not run; as fail-on: never fail */
	SEVERITY_INFO,
	SEVERITY_WARNING,
	SEVERITY_ERROR,
};

const char *severity_name(enum severity s);
/* "error", "warning", "info", "off"/"never"; returns -1 when the word is none of them. */
int severity_parse(const char *word, enum severity *out);

struct rule;

/* A fix: the finding's statement rewritten into its safe form, as text edits and new files
 * (docs/architecture.md, "Fixes are data"). Byte offsets are those of the file on disk (the
 * same as finding.offset); a fix is only made for SQL read from the file as it is (not for
 * Alembic's rendered SQL). Everything lives in the run's arena. */
struct fix_edit {
	const char *path;        /* NULL: the finding's file; else another file that exists */
	uint32_t offset, length; /* the bytes replaced (length 0: an insertion at offset) */
	const char *text;        /* what replaces them ("" deletes them) */
};
struct fix_file {
	const char *path;    /* the file to create, relative like the finding's file's path */
	const char *content;
};
struct fix {
	const char *title;   /* one line, no final full stop: "use CREATE INDEX CONCURRENTLY" */
	/* By file (NULL path first), then by offset; edits of one file never overlap. */
	const struct fix_edit *edits;
	size_t nedits;
	const struct fix_file *files;
	size_t nfiles;
};

struct finding {
	const struct rule *rule;
	enum severity severity;
	size_t file;          /* index into the run's files */
	uint32_t offset, length; /* bytes */
	uint32_t line, column, end_line, end_column; /* 1-based; columns in characters */
	int stmt_index;       /* 0-based statement in the file; -1 for file-level findings */
	const char *message;
	const char *help;     /* the safe alternative; may be NULL */
	const struct fix *fix; /* the safe form as edits, when the rewrite is mechanical; may be NULL */
	const char *fingerprint; /* stable across line moves: rule, file, normalised statement */
	/* A finding a later statement of the run may take back (lint_report_pending()); NULL for
	 * the others. */
	const char *pending_key;
};

#endif
