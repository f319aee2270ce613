/* Reporters: one file per output format behind one function type. They read the run's files
 * and findings and the rule registry; nothing else in pgsieve writes findings out. */
#ifndef PGSIEVE_REPORT_H
#define PGSIEVE_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "lint/run.h"
#include "util/strbuf.h"

struct report_options {
	int color;                /* ANSI colour (text only; a terminal without NO_COLOR) */
	const char *tool_version;
	const char *project_url;  /* where rule docs live, for links */
};

typedef int (*report_fn)(FILE *out, const struct lint_run *run, const struct report_options *o);

/* The reporter named `name` ("text", "json", "sarif", ...), or NULL. */
report_fn report_find(const char *name);
/* "text, json, sarif" for usage messages. */
const char *report_format_names(void);

int report_text(FILE *out, const struct lint_run *run, const struct report_options *o);
int report_json(FILE *out, const struct lint_run *run, const struct report_options *o);
int report_sarif(FILE *out, const struct lint_run *run, const struct report_options *o);
int report_github(FILE *out, const struct lint_run *run, const struct report_options *o);
int report_gitlab(FILE *out, const struct lint_run *run, const struct report_options *o);
int report_junit(FILE *out, const struct lint_run *run, const struct report_options *o);
int report_markdown(FILE *out, const struct lint_run *run, const struct report_options *o);

/* For a terminal (report/terminal.c). report_wrap writes text word-wrapped to `width` columns
 * from column `col`, later lines starting at `indent`, and ends the line. report_doc_terminal
 * renders a rule's Markdown doc: bold headings, body wrapped to `width` and indented, code
 * blocks indented as written; `color` adds ANSI bold and colour. */
void report_wrap(FILE *out, const char *text, size_t col, size_t indent, size_t width);
int report_doc_terminal(FILE *out, const char *markdown, size_t width, int color);

/* Writes `root` as json_dumpf() does, through one buffer: jansson hands its output over a few
 * bytes at a time, and a fwrite() for each piece was an eighth of the time of a JSON report.
 * Returns -1 when it cannot be written. */
int report_dump_json(FILE *out, const json_t *root, size_t flags);

/* Writes root as report_dump_json() does, with the array at member `key` (empty in root; the
 * only empty array of that name) holding n items made by make(ud, i) in order. The items are
 * made and dumped in blocks, two blocks at a time on two threads, and the pieces written out
 * as the text jansson writes for the whole tree (with JSON_INDENT(2) | JSON_PRESERVE_ORDER):
 * the findings are most of a large report, and only two blocks of them are held as text at a
 * time. make() must only read ud. */
int report_dump_json_items(FILE *out, json_t *root, const char *key, size_t n,
			   json_t *(*make)(const void *ud, size_t i), const void *ud);

/* Writes an item's text straight into out, as jansson would dump make()'s object for it with
 * JSON_INDENT(2) | JSON_PRESERVE_ORDER, every line after `indent`; returns -1, having written
 * nothing, when it cannot (a string that is not valid UTF-8: jansson drops such a member, and
 * make() then decides). Must only read ud. */
typedef int (*report_json_write_fn)(const void *ud, size_t i, struct strbuf *out, const char *indent);

/* report_dump_json_items() with write() trying each item first, make() only where it fails.
 * The findings' objects and jansson's dump of them were a quarter of a JSON report's time. */
int report_dump_json_items_direct(FILE *out, json_t *root, const char *key, size_t n,
				  json_t *(*make)(const void *ud, size_t i), report_json_write_fn write,
				  const void *ud);

/* Appends s as jansson dumps a string (quoted; '"', '\\' and control characters escaped, the
 * rest as it is); -1, with nothing appended, when s is not valid UTF-8 (json_string() refuses
 * it). */
int report_json_add_string(struct strbuf *out, const char *s);
/* Appends n as jansson dumps an integer. */
void report_json_add_int(struct strbuf *out, long long n);

/* A file's renderer (lint_file.renderer: which interpreter made its SQL, or "static") as a JSON
 * object, for json and sarif; NULL when the file is the user's own SQL. */
json_t *report_renderer_json(const struct lint_renderer *rd);

/* Text from outside (file names, identifiers) made safe for a format. report_utf8: a malloc'd
 * copy that is valid UTF-8, each invalid byte replaced by U+FFFD (file names need not be
 * UTF-8; JSON and XML must be). report_json_text: the same as a JSON string, never null.
 * report_add_printable: appended to sb with control characters (C0 but tab, DEL, C1) written
 * as \xNN, so that no terminal escape sequence or line break from a name reaches a terminal
 * or a CI log; newline_too: LF and CR as well, else they are kept. */
char *report_utf8(const char *s);
json_t *report_json_text(const char *s);
void report_add_printable(struct strbuf *sb, const char *s, int newline_too);

/* The URL of a rule's documentation page. Returns a malloc'd string. */
char *report_rule_doc_url(const struct report_options *o, const char *rule_id);

#endif
