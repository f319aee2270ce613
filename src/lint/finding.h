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

struct finding {
	const struct rule *rule;
	enum severity severity;
	size_t file;          /* index into the run's files */
	uint32_t offset, length; /* bytes */
	uint32_t line, column, end_line, end_column; /* 1-based; columns in characters */
	int stmt_index;       /* 0-based statement in the file; -1 for file-level findings */
	const char *message;
	const char *help;     /* the safe alternative; may be NULL */
	const char *fix;      /* replacement SQL for the statement, when mechanical; may be NULL */
	const char *fingerprint; /* stable across line moves: rule, file, normalised statement */
	/* A finding a later statement of the run may take back (lint_report_pending()); NULL for
	 * the others. */
	const char *pending_key;
};

#endif
