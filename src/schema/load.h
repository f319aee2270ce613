/* Filling a model from a schema file: pg_dump -s output, Rails' structure.sql, dbmate's
 * schema.sql or any file of DDL. psql meta-commands (\connect, \restrict KEY, ...) are not
 * SQL: their lines are blanked before parsing (keeping every offset), and the data lines of a
 * COPY ... FROM stdin with them. Every statement goes through schema_apply(); statements that
 * do not parse are counted and skipped. */
#ifndef PGSIEVE_LOAD_H
#define PGSIEVE_LOAD_H

#include <stddef.h>

#include "schema/model.h"

struct schema_load_result {
	size_t statements;     /* statements applied */
	size_t errors;         /* statements that did not parse */
	unsigned first_error_line;
	char first_error[200];
};

/* Applies text[0..len) (followed by a NUL byte) to m. Returns 0, or -1 with error() when the
 * text is not UTF-8 text. */
int schema_load_text(struct schema_model *m, const char *text, size_t len, struct schema_load_result *r);
/* Reads the file, applies it to m and marks m complete (the file is the whole database).
 * Returns 0, or -1 with error(). */
int schema_load_file(struct schema_model *m, const char *path, struct schema_load_result *r);

/* Blanks psql meta-command lines (and COPY data) of text in place, outside quotes and
 * comments; returns how many lines it blanked. */
size_t schema_blank_meta_commands(char *text, size_t len);

#endif
