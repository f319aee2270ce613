/* pgsieve's own JSON format, documented in docs/output.md. Bump FORMAT_VERSION on any change
 * that is not a pure addition. */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lint/registry.h"
#include "sql/sql.h"
#include "util/notes.h"

enum { FORMAT_VERSION = 1 };

/* A finding's fix: its title, the edits (each naming its file) and the files it creates. */
static json_t *fix_json(const struct lint_run *run, const struct finding *f)
{
	const struct fix *fix = f->fix;
	json_t *j = json_object();
	json_object_set_new(j, "title", report_json_text(fix->title));
	json_t *edits = json_array();
	for (size_t i = 0; i < fix->nedits; i++) {
		const struct fix_edit *e = &fix->edits[i];
		json_t *ej = json_object();
		json_object_set_new(ej, "file", report_json_text(e->path ? e->path : run->files[f->file].path));
		json_object_set_new(ej, "offset", json_integer(e->offset));
		json_object_set_new(ej, "length", json_integer(e->length));
		json_object_set_new(ej, "text", report_json_text(e->text));
		json_array_append_new(edits, ej);
	}
	json_object_set_new(j, "edits", edits);
	json_t *files = json_array();
	for (size_t i = 0; i < fix->nfiles; i++) {
		json_t *fj = json_object();
		json_object_set_new(fj, "path", report_json_text(fix->files[i].path));
		json_object_set_new(fj, "content", report_json_text(fix->files[i].content));
		json_array_append_new(files, fj);
	}
	json_object_set_new(j, "files", files);
	return j;
}

static json_t *finding_json(const void *ud, size_t i)
{
	const struct lint_run *run = ud;
	const struct finding *f = &run->findings[i];
	json_t *j = json_object();
	json_object_set_new(j, "rule", json_string(f->rule->id));
	json_object_set_new(j, "severity", json_string(severity_name(f->severity)));
	json_object_set_new(j, "category", json_string(rule_category_name(f->rule->category)));
	json_object_set_new(j, "message", report_json_text(f->message));
	json_object_set_new(j, "help", f->help ? json_string(f->help) : json_null());
	json_object_set_new(j, "file", report_json_text(run->files[f->file].path));
	json_object_set_new(j, "line", json_integer(f->line));
	json_object_set_new(j, "column", json_integer(f->column));
	json_object_set_new(j, "end_line", json_integer(f->end_line));
	json_object_set_new(j, "end_column", json_integer(f->end_column));
	json_object_set_new(j, "offset", json_integer(f->offset));
	json_object_set_new(j, "length", json_integer(f->length));
	json_object_set_new(j, "statement", f->stmt_index >= 0 ? json_integer(f->stmt_index) : json_null());
	json_object_set_new(j, "fingerprint", json_string(f->fingerprint));
	if (f->fix)
		json_object_set_new(j, "fix", fix_json(run, f));
	return j;
}

/* One member of a finding's object, after the line break and indentation before it. */
static void member(struct strbuf *out, const char *indent, size_t indent_len, const char *key, int first)
{
	if (!first)
		strbuf_add(out, ",\n", 2);
	strbuf_add(out, indent, indent_len);
	strbuf_add(out, "  \"", 3);
	strbuf_addstr(out, key);
	strbuf_add(out, "\": ", 3);
}

static int string_member(struct strbuf *out, const char *indent, size_t indent_len, const char *key,
			 const char *value)
{
	member(out, indent, indent_len, key, 0);
	return report_json_add_string(out, value);
}

static void int_member(struct strbuf *out, const char *indent, size_t indent_len, const char *key,
		       long long value)
{
	member(out, indent, indent_len, key, 0);
	report_json_add_int(out, value);
}

/* finding_json()'s object as jansson dumps it, written straight out (see report_json_write_fn);
 * the members and their order are finding_json()'s, and tests/unit compares the two. */
static int finding_write(const void *ud, size_t i, struct strbuf *out, const char *indent)
{
	const struct lint_run *run = ud;
	const struct finding *f = &run->findings[i];
	size_t indent_len = strlen(indent), start = out->len;
	strbuf_add(out, indent, indent_len);
	strbuf_add(out, "{\n", 2);
	member(out, indent, indent_len, "rule", 1);
	int rc = report_json_add_string(out, f->rule->id);
	rc |= string_member(out, indent, indent_len, "severity", severity_name(f->severity));
	rc |= string_member(out, indent, indent_len, "category", rule_category_name(f->rule->category));
	rc |= string_member(out, indent, indent_len, "message", f->message);
	if (f->help) {
		rc |= string_member(out, indent, indent_len, "help", f->help);
	} else {
		member(out, indent, indent_len, "help", 0);
		strbuf_add(out, "null", 4);
	}
	rc |= string_member(out, indent, indent_len, "file", run->files[f->file].path);
	int_member(out, indent, indent_len, "line", f->line);
	int_member(out, indent, indent_len, "column", f->column);
	int_member(out, indent, indent_len, "end_line", f->end_line);
	int_member(out, indent, indent_len, "end_column", f->end_column);
	int_member(out, indent, indent_len, "offset", f->offset);
	int_member(out, indent, indent_len, "length", f->length);
	if (f->stmt_index >= 0) {
		int_member(out, indent, indent_len, "statement", f->stmt_index);
	} else {
		member(out, indent, indent_len, "statement", 0);
		strbuf_add(out, "null", 4);
	}
	rc |= string_member(out, indent, indent_len, "fingerprint", f->fingerprint);
	if (f->fix) {
		/* jansson's dump of the object alone, each line after the first indented to the depth
		 * of the member, is what it writes for the member in the whole tree */
		json_t *fj = fix_json(run, f);
		char *text = json_dumps(fj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(fj);
		if (!text) {
			rc = -1;
		} else {
			member(out, indent, indent_len, "fix", 0);
			for (const char *p = text; *p; p++) {
				strbuf_addch(out, *p);
				if (*p == '\n') {
					strbuf_add(out, indent, indent_len);
					strbuf_add(out, "  ", 2);
				}
			}
			free(text);
		}
	}
	strbuf_add(out, "\n", 1);
	strbuf_add(out, indent, indent_len);
	strbuf_add(out, "}", 1);
	if (rc) { /* some string is not UTF-8: finding_json() and jansson decide what is written */
		out->len = start;
		if (out->buf)
			out->buf[start] = '\0';
		return -1;
	}
	return 0;
}

int report_json(FILE *out, const struct lint_run *run, const struct report_options *o)
{
	json_t *root = json_object();
	json_object_set_new(root, "format_version", json_integer(FORMAT_VERSION));
	json_t *tool = json_object();
	json_object_set_new(tool, "name", json_string("pgsieve"));
	json_object_set_new(tool, "version", json_string(o->tool_version));
	json_object_set_new(tool, "grammar", json_string(sql_grammar_version()));
	json_object_set_new(root, "tool", tool);

	json_t *files = json_array();
	size_t statements = 0;
	for (size_t i = 0; i < run->nfiles; i++) {
		json_t *fj = json_object();
		json_object_set_new(fj, "path", report_json_text(run->files[i].path));
		json_object_set_new(fj, "statements", json_integer((json_int_t)run->files[i].nstatements));
		const struct lint_file *lf = &run->files[i];
		json_object_set_new(fj, "framework", json_string(lf->framework ? lf->framework : "sql"));
		json_object_set_new(fj, "part", json_string(lf->is_down ? "down" : "up"));
		json_object_set_new(fj, "transaction", json_string(lint_tx_name(lf->tx)));
		json_object_set_new(fj, "has_down", lf->is_down || lf->has_down < 0 ? json_null()
									 : json_boolean(lf->has_down));
		json_t *rd = report_renderer_json(&lf->renderer);
		if (rd) /* Alembic: who turned the revision into SQL */
			json_object_set_new(fj, "renderer", rd);
		json_array_append_new(files, fj);
		statements += run->files[i].nstatements;
	}
	json_object_set_new(root, "files", files);
	if (note_count()) { /* how the input was read, when there is something to say */
		json_t *notes = json_array();
		for (size_t i = 0; i < note_count(); i++) {
			const struct note *n = note_get(i);
			json_t *nj = json_object();
			json_object_set_new(nj, "kind", json_string(n->kind));
			json_object_set_new(nj, "path", report_json_text(n->path));
			json_object_set_new(nj, "message", report_json_text(n->message));
			json_array_append_new(notes, nj);
		}
		json_object_set_new(root, "notes", notes);
	}

	json_object_set_new(root, "findings", json_array()); /* filled as it is written */

	size_t counts[4];
	lint_run_max_severity(run, counts);
	json_t *summary = json_object();
	json_object_set_new(summary, "files", json_integer((json_int_t)run->nfiles));
	json_object_set_new(summary, "statements", json_integer((json_int_t)statements));
	json_object_set_new(summary, "findings", json_integer((json_int_t)run->nfindings));
	json_object_set_new(summary, "errors", json_integer((json_int_t)counts[SEVERITY_ERROR]));
	json_object_set_new(summary, "warnings", json_integer((json_int_t)counts[SEVERITY_WARNING]));
	json_object_set_new(summary, "infos", json_integer((json_int_t)counts[SEVERITY_INFO]));
	if (run->history_checked) /* lint --db: migrations the database's history says are applied */
		json_object_set_new(summary, "skipped_applied", json_integer((json_int_t)run->skipped_applied));
	json_object_set_new(root, "summary", summary);

	int rc = report_dump_json_items_direct(out, root, "findings", run->nfindings, finding_json,
					       finding_write, run);
	fputc('\n', out);
	json_decref(root);
	return rc || ferror(out) ? -1 : 0;
}
