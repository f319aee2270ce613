#include "lsp/server.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "lint/registry.h"
#include "lint/rule.h"
#include "lsp/lint.h"
#include "lsp/rpc.h"
#include "lsp/text.h"
#include "report/report.h"
#include "util/error.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* JSON-RPC and LSP error codes (LSP 3.17, "Response Message") */
enum {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_SERVER_NOT_INITIALIZED = -32002,
};

/* window/logMessage types */
enum { LOG_ERROR = 1, LOG_WARNING = 2, LOG_INFO = 3 };

/* The placeholder an ignore directive is inserted with: the directive's reason, which a
 * reviewer reads (README, "Silencing a finding"). */
static const char reason_placeholder[] = "<why this is safe here>";

struct doc {
	char *uri;
	char *file;    /* the path of a file: URI, as the URI says; NULL for other schemes */
	char *text;    /* NUL-terminated */
	size_t len;
	json_int_t version;
	int python;    /* an Alembic revision: comments are '#', linted from the file on disk */
	/* a runner's file beside the migrations (Diesel's metadata.toml, a Flyway script's
	 * .conf): not linted, but read as the editor holds it and edited by fixes */
	int companion;
	long long due; /* when to lint it (monotonic ms); -1: its findings are current */
	/* A revision whose text is not the file's: its findings are the saved file's, so actions
	 * and hovers, whose positions are the text's, are not offered until it is saved */
	int stale;
	struct lsp_lint lint;
};

struct server {
	const struct lsp_settings *settings;
	FILE *out;
	struct rpc_in in;
	enum lsp_encoding enc;
	int initialized, shutdown, exiting, exit_status;
	int out_failed;
	int hover_markdown;   /* the client renders Markdown in hovers */
	int document_changes; /* the client takes WorkspaceEdit.documentChanges */
	int create_files;     /* ... and CreateFile among them (resourceOperations "create") */
	struct doc **docs;
	size_t ndocs, docs_cap;
};

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	return sb.buf ? strbuf_detach(&sb) : xstrdup("");
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A JSON string of text from outside (messages quote identifiers, paths need not be UTF-8). */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char *clean = report_utf8(s);
	j = json_string(clean);
	free(clean);
	return j;
}

static void send(struct server *s, json_t *msg)
{
	json_object_set_new(msg, "jsonrpc", json_string("2.0"));
	if (!s->out_failed && rpc_write(s->out, msg) != 0)
		s->out_failed = 1;
	json_decref(msg);
}

static void reply(struct server *s, json_t *id, json_t *result)
{
	json_t *msg = json_object();
	json_object_set(msg, "id", id);
	json_object_set_new(msg, "result", result ? result : json_null());
	send(s, msg);
}

__attribute__((format(printf, 4, 5))) static void reply_error(struct server *s, json_t *id, int code,
							      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = vformat(fmt, ap);
	va_end(ap);
	json_t *msg = json_object();
	json_object_set(msg, "id", id ? id : json_null());
	json_object_set_new(msg, "error", json_pack("{s:i, s:o}", "code", code, "message", jstr(text)));
	free(text);
	send(s, msg);
}

static void notify(struct server *s, const char *method, json_t *params)
{
	json_t *msg = json_object();
	json_object_set_new(msg, "method", json_string(method));
	json_object_set_new(msg, "params", params);
	send(s, msg);
}

__attribute__((format(printf, 3, 4))) static void log_message(struct server *s, int type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = vformat(fmt, ap);
	va_end(ap);
	notify(s, "window/logMessage", json_pack("{s:i, s:o}", "type", type, "message", jstr(text)));
	free(text);
}

/* ---- documents ---- */

static struct doc *doc_find(struct server *s, const char *uri)
{
	for (size_t i = 0; i < s->ndocs; i++)
		if (!strcmp(s->docs[i]->uri, uri))
			return s->docs[i];
	return NULL;
}

static void doc_free(struct doc *d)
{
	if (!d)
		return;
	free(d->uri);
	free(d->file);
	free(d->text);
	lsp_lint_release(&d->lint);
	free(d);
}

static void doc_set_text(struct doc *d, const char *text, size_t len)
{
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	free(d->text);
	d->text = copy;
	d->len = len;
}

/* The document's file with its directory resolved (the lint plan compares canonical paths),
 * malloc'd; NULL when it has no file or its directory does not exist. */
static char *doc_canonical_path(const struct doc *d)
{
	if (!d->file)
		return NULL;
	char *real = realpath(d->file, NULL);
	if (real)
		return real;
	const char *slash = strrchr(d->file, '/');
	if (!slash)
		return NULL;
	char *dir = xstrndup(d->file, (size_t)(slash - d->file));
	char *rdir = realpath(*dir ? dir : "/", NULL);
	free(dir);
	if (!rdir)
		return NULL;
	char *path = xasprintf("%s/%s", strcmp(rdir, "/") ? rdir : "", slash + 1);
	free(rdir);
	return path;
}

/* Whether the text is what the file holds (an Alembic revision is rendered from the file). */
static int doc_matches_disk(const struct doc *d, const char *path)
{
	size_t len;
	char *disk = path ? file_read(path, &len) : NULL;
	int same = disk && len == d->len && !memcmp(disk, d->text, len);
	free(disk);
	return same;
}

/* ---- diagnostics ---- */

static json_t *range_json(const struct srcmap *map, enum lsp_encoding enc, size_t from, size_t to)
{
	struct lsp_pos a = lsp_pos_of(map, enc, from), b = lsp_pos_of(map, enc, to);
	return json_pack("{s:{s:I, s:I}, s:{s:I, s:I}}", "start", "line", (json_int_t)a.line, "character",
			 (json_int_t)a.character, "end", "line", (json_int_t)b.line, "character",
			 (json_int_t)b.character);
}

static int severity_json(enum severity sev)
{
	/* DiagnosticSeverity: 1 error, 2 warning, 3 information, 4 hint */
	return sev == SEVERITY_ERROR ? 1 : sev == SEVERITY_WARNING ? 2 : 3;
}

static json_t *diagnostic_json(const struct server *s, const struct srcmap *map, const struct lsp_finding *f)
{
	struct report_options ro = { 0, s->settings->tool_version, s->settings->project_url };
	char *url = report_rule_doc_url(&ro, f->rule->id);
	json_t *j = json_object();
	json_object_set_new(j, "range", range_json(map, s->enc, f->offset, f->end));
	json_object_set_new(j, "severity", json_integer(severity_json(f->severity)));
	json_object_set_new(j, "code", json_string(f->rule->id));
	json_object_set_new(j, "codeDescription", json_pack("{s:o}", "href", jstr(url)));
	json_object_set_new(j, "source", json_string("pgsieve"));
	json_object_set_new(j, "message", jstr(f->message));
	free(url);
	return j;
}

static void publish(struct server *s, const struct doc *d)
{
	struct srcmap map;
	srcmap_init(&map, d->text, d->len);
	json_t *list = json_array();
	if (d->lint.problem)
		json_array_append_new(list, json_pack("{s:o, s:i, s:s, s:o}", "range", range_json(&map, s->enc, 0, 0),
						      "severity", 1, "source", "pgsieve", "message",
						      jstr(d->lint.problem)));
	for (size_t i = 0; i < d->lint.n; i++)
		json_array_append_new(list, diagnostic_json(s, &map, &d->lint.findings[i]));
	srcmap_release(&map);
	notify(s, "textDocument/publishDiagnostics",
	       json_pack("{s:s, s:I, s:o}", "uri", d->uri, "version", d->version, "diagnostics", list));
}

static void doc_lint(struct server *s, struct doc *d)
{
	d->due = -1;
	if (d->companion)
		return;
	char *path = doc_canonical_path(d);
	if (d->python && !doc_matches_disk(d, path)) {
		d->stale = 1; /* linted again when saved */
		free(path);
		return;
	}
	d->stale = 0;
	/* every other file the editor has open is read as the editor holds it: an earlier
	 * migration changed and not saved is the context the user sees (a revision is rendered
	 * from its file, so it is left to the disk) */
	char **others = xcalloc(s->ndocs + 1, sizeof(*others));
	for (size_t i = 0; i < s->ndocs; i++) {
		if (s->docs[i] == d || s->docs[i]->python || !(others[i] = doc_canonical_path(s->docs[i])))
			continue;
		file_overlay_add(others[i], s->docs[i]->text, s->docs[i]->len);
	}
	struct lsp_lint l;
	error_clear();
	if (lsp_lint_document(path, d->file ? d->file : d->uri, d->text, d->len, &l) != 0) {
		log_message(s, LOG_ERROR, "pgsieve: %s: %s", d->file ? d->file : d->uri, error_message());
		free(l.problem);
		l.problem = xasprintf("pgsieve could not lint this file: %s", error_message());
	}
	file_overlay_clear();
	for (size_t i = 0; i < s->ndocs; i++)
		free(others[i]);
	free(others);
	free(path);
	lsp_lint_release(&d->lint);
	d->lint = l;
	publish(s, d);
}

/* Requests about a document see its current text linted. */
static struct doc *doc_for_request(struct server *s, json_t *params)
{
	const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
	struct doc *d = uri ? doc_find(s, uri) : NULL;
	if (d && d->due >= 0)
		doc_lint(s, d);
	return d && !d->stale ? d : NULL;
}

/* ---- requests ---- */

static int get_position(json_t *j, struct lsp_pos *p)
{
	json_t *line = json_object_get(j, "line"), *ch = json_object_get(j, "character");
	if (!json_is_integer(line) || !json_is_integer(ch) || json_integer_value(line) < 0 ||
	    json_integer_value(ch) < 0 || json_integer_value(line) > UINT32_MAX || json_integer_value(ch) > UINT32_MAX)
		return -1;
	p->line = (uint32_t)json_integer_value(line);
	p->character = (uint32_t)json_integer_value(ch);
	return 0;
}

static int has_string(json_t *array, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(array, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	return 0;
}

static json_t *initialize_result(struct server *s, json_t *params)
{
	json_t *caps = json_object_get(params, "capabilities");
	/* UTF-8 when the client offers it (LSP 3.17: general.positionEncodings); UTF-16 is the
	 * protocol's default, which every client supports */
	s->enc = has_string(json_object_get(json_object_get(caps, "general"), "positionEncodings"), "utf-8")
			 ? LSP_UTF8
			 : LSP_UTF16;
	json_t *formats = json_object_get(json_object_get(json_object_get(caps, "textDocument"), "hover"), "contentFormat");
	s->hover_markdown = has_string(formats, "markdown");
	json_t *wedit = json_object_get(json_object_get(caps, "workspace"), "workspaceEdit");
	s->document_changes = json_is_true(json_object_get(wedit, "documentChanges"));
	s->create_files = s->document_changes && has_string(json_object_get(wedit, "resourceOperations"), "create");
	return json_pack("{s:{s:s, s:{s:b, s:i, s:{s:b}}, s:b, s:{s:[s]}}, s:{s:s, s:s}}", "capabilities",
			 "positionEncoding", s->enc == LSP_UTF8 ? "utf-8" : "utf-16", "textDocumentSync", "openClose", 1,
			 "change", 1 /* full */, "save", "includeText", 0, "hoverProvider", 1, "codeActionProvider",
			 "codeActionKinds", "quickfix", "serverInfo", "name", "pgsieve", "version",
			 s->settings->tool_version);
}

static json_t *hover(struct server *s, json_t *params)
{
	struct lsp_pos pos;
	struct doc *d = doc_for_request(s, params);
	if (!d || get_position(json_object_get(params, "position"), &pos) != 0)
		return json_null();
	struct srcmap map;
	srcmap_init(&map, d->text, d->len);
	size_t at = lsp_offset_of(&map, s->enc, pos);
	struct strbuf sb = STRBUF_INIT;
	const struct lsp_finding *first = NULL;
	for (size_t i = 0; i < d->lint.n; i++) {
		const struct lsp_finding *f = &d->lint.findings[i];
		if (at < f->offset || at > f->end)
			continue;
		int seen = 0; /* one page per rule */
		for (size_t k = 0; k < i && !seen; k++)
			seen = d->lint.findings[k].rule == f->rule && at >= d->lint.findings[k].offset &&
			       at <= d->lint.findings[k].end;
		if (seen)
			continue;
		if (!first)
			first = f;
		else
			strbuf_addstr(&sb, s->hover_markdown ? "\n\n---\n\n" : "\n\n");
		const char *doc = rule_doc(f->rule);
		strbuf_addstr(&sb, doc ? doc : f->rule->summary);
	}
	json_t *result = json_null();
	if (first) {
		result = json_pack("{s:{s:s, s:o}, s:o}", "contents", "kind", s->hover_markdown ? "markdown" : "plaintext",
				   "value", jstr(strbuf_str(&sb)), "range", range_json(&map, s->enc, first->offset, first->end));
	}
	strbuf_release(&sb);
	srcmap_release(&map);
	return result;
}

/* The line break the document uses (for inserted lines). */
static const char *doc_eol(const struct doc *d)
{
	const char *nl = memchr(d->text, '\n', d->len);
	return nl && nl > d->text && nl[-1] == '\r' ? "\r\n" : "\n";
}

static json_t *text_edit(const struct server *s, const struct srcmap *map, size_t at, const char *text)
{
	return json_pack("{s:o, s:o}", "range", range_json(map, s->enc, at, at), "newText", jstr(text));
}

/* A WorkspaceEdit of edits to the document. */
static json_t *workspace_edit(const struct server *s, const struct doc *d, json_t *edits)
{
	if (s->document_changes)
		return json_pack("{s:[{s:{s:s, s:I}, s:o}]}", "documentChanges", "textDocument", "uri", d->uri,
				 "version", d->version, "edits", edits);
	return json_pack("{s:{s:o}}", "changes", d->uri, edits);
}

/* The directive that silences f's rule for its statement, on a line of its own above the
 * statement's first token (or the op.* call of a revision), indented as it is. */
static json_t *ignore_statement_action(const struct server *s, const struct doc *d, const struct srcmap *map,
				       const struct lsp_finding *f, json_t *diagnostic)
{
	size_t at = f->stmt_offset > d->len ? d->len : f->stmt_offset;
	size_t line_start = at;
	while (line_start > 0 && d->text[line_start - 1] != '\n' && d->text[line_start - 1] != '\r')
		line_start--;
	size_t i = line_start;
	while (i < at && (d->text[i] == ' ' || d->text[i] == '\t'))
		i++;
	const char *marker = d->python ? "#" : "--";
	char *text;
	if (i == at) /* only indentation before it: a line above, indented alike */
		text = xasprintf("%.*s%s pgsieve-ignore %s: %s%s", (int)(at - line_start), d->text + line_start, marker,
				 f->rule->id, reason_placeholder, doc_eol(d));
	else /* another statement ends on its line: the directive between the two */
		text = xasprintf("%s pgsieve-ignore %s: %s%s", marker, f->rule->id, reason_placeholder, doc_eol(d));
	json_t *edit = text_edit(s, map, i == at ? line_start : at, text);
	free(text);
	char *title = xasprintf("Ignore %s for this statement (pgsieve-ignore)", f->rule->id);
	json_t *action = json_pack("{s:o, s:s, s:[o], s:o}", "title", jstr(title), "kind", "quickfix", "diagnostics",
				   diagnostic, "edit", workspace_edit(s, d, json_pack("[o]", edit)));
	free(title);
	return action;
}

/* pgsieve-ignore-file at the top of a SQL file (after a byte order mark). */
static json_t *ignore_file_action(const struct server *s, const struct doc *d, const struct srcmap *map,
				  const struct lsp_finding *f, json_t *diagnostic)
{
	size_t at = d->len >= 3 && !memcmp(d->text, "\xEF\xBB\xBF", 3) ? 3 : 0;
	char *text = xasprintf("-- pgsieve-ignore-file %s: %s%s", f->rule->id, reason_placeholder, doc_eol(d));
	json_t *edit = text_edit(s, map, at, text);
	free(text);
	char *title = xasprintf("Ignore %s in this file (pgsieve-ignore-file)", f->rule->id);
	json_t *action = json_pack("{s:o, s:s, s:[o], s:o}", "title", jstr(title), "kind", "quickfix", "diagnostics",
				   diagnostic, "edit", workspace_edit(s, d, json_pack("[o]", edit)));
	free(title);
	return action;
}

/* The text edits of one file of a fix, as LSP TextEdits against text (len bytes); NULL path:
 * the document's. */
static json_t *fix_file_edits(const struct server *s, const struct lsp_fix *fx, const char *path, const char *text,
			      size_t len)
{
	struct srcmap map;
	srcmap_init(&map, text, len);
	json_t *edits = json_array();
	for (size_t i = 0; i < fx->nedits; i++) {
		const struct lsp_fix_edit *e = &fx->edits[i];
		if (path ? !e->path || strcmp(e->path, path) : e->path != NULL)
			continue;
		size_t end = (size_t)e->offset + e->length;
		json_array_append_new(edits, json_pack("{s:o, s:o}", "range", range_json(&map, s->enc, e->offset, end),
						       "newText", jstr(e->text)));
	}
	srcmap_release(&map);
	return edits;
}

/* The finding's fix as a quick fix: edits of the document, of other files (as the editor holds
 * them when it has them open, else from disk: the fix was made from that text) and files to
 * create (CreateFile, where the client can). NULL when it cannot be offered: the client cannot
 * create files, a path is not absolute (a document with no file), another file cannot be
 * read. */
static json_t *fix_action(struct server *s, const struct doc *d, const struct lsp_finding *f, json_t *diagnostic)
{
	const struct lsp_fix *fx = f->fix;
	if (fx->nfiles && !s->create_files) {
		json_decref(diagnostic);
		return NULL;
	}
	json_t *changes = json_array(); /* documentChanges, in order */
	json_t *map = json_object();    /* the same as a changes map */
	int ok = 1;
	for (size_t i = 0; i < fx->nfiles && ok; i++) {
		const struct lsp_fix_file *nf = &fx->files[i];
		if (!(ok = nf->path[0] == '/'))
			break;
		char *uri = lsp_path_uri(nf->path);
		json_array_append_new(changes, json_pack("{s:s, s:s, s:{s:b, s:b}}", "kind", "create", "uri", uri, "options",
							 "overwrite", 0, "ignoreIfExists", 0));
		json_array_append_new(changes, json_pack("{s:{s:s, s:n}, s:[{s:{s:{s:i, s:i}, s:{s:i, s:i}}, s:o}]}",
							 "textDocument", "uri", uri, "version", "edits", "range", "start",
							 "line", 0, "character", 0, "end", "line", 0, "character", 0,
							 "newText", jstr(nf->content)));
		free(uri);
	}
	json_t *own = fix_file_edits(s, fx, NULL, d->text, d->len);
	if (json_array_size(own)) {
		json_array_append_new(changes, json_pack("{s:{s:s, s:I}, s:O}", "textDocument", "uri", d->uri, "version",
							 d->version, "edits", own));
		json_object_set(map, d->uri, own);
	}
	json_decref(own);
	for (size_t i = 0; i < fx->nedits && ok; i++) {
		const char *path = fx->edits[i].path;
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = fx->edits[k].path && path && !strcmp(fx->edits[k].path, path);
		if (!path || seen)
			continue;
		/* a file the editor has open: the fix was made from its text there (doc_lint()
		 * overlays it), so the edits are positions in that text, of that version */
		const struct doc *open = NULL;
		for (size_t k = 0; k < s->ndocs && !open; k++) {
			if (!s->docs[k]->file || s->docs[k] == d)
				continue;
			char *canon = strcmp(s->docs[k]->file, path) ? doc_canonical_path(s->docs[k]) : NULL;
			if (!strcmp(s->docs[k]->file, path) || (canon && !strcmp(canon, path)))
				open = s->docs[k];
			free(canon);
		}
		char *uri = open ? xstrdup(open->uri) : lsp_path_uri(path);
		size_t len = 0;
		char *text = open ? NULL : path[0] == '/' ? file_read(path, &len) : NULL;
		ok = open || text;
		if (ok) {
			json_t *edits = open ? fix_file_edits(s, fx, path, open->text, open->len)
					     : fix_file_edits(s, fx, path, text, len);
			json_t *version = open ? json_integer(open->version) : json_null();
			json_array_append_new(changes, json_pack("{s:{s:s, s:o}, s:O}", "textDocument", "uri", uri, "version",
								 version, "edits", edits));
			json_object_set_new(map, uri, edits);
		}
		free(text);
		free(uri);
	}
	json_t *edit = NULL;
	if (ok && s->document_changes)
		edit = json_pack("{s:o}", "documentChanges", changes);
	else if (ok)
		edit = json_pack("{s:O}", "changes", map);
	else
		json_decref(changes);
	if (!s->document_changes && ok)
		json_decref(changes);
	json_decref(map);
	if (!edit) {
		json_decref(diagnostic);
		return NULL;
	}
	return json_pack("{s:o, s:s, s:[o], s:b, s:o}", "title", jstr(fx->title), "kind", "quickfix", "diagnostics",
			 diagnostic, "isPreferred", 1, "edit", edit);
}

/* Whether the client's context.only lets quick fixes through (kinds are hierarchical:
 * "quickfix" is asked for by "quickfix" and by nothing else here). */
static int wants_quickfix(json_t *only)
{
	if (!json_is_array(only))
		return 1;
	return has_string(only, "quickfix");
}

static json_t *code_actions(struct server *s, json_t *params, int *bad)
{
	struct lsp_pos a, b;
	json_t *range = json_object_get(params, "range");
	if (get_position(json_object_get(range, "start"), &a) != 0 || get_position(json_object_get(range, "end"), &b) != 0) {
		*bad = 1;
		return NULL;
	}
	json_t *actions = json_array();
	struct doc *d = doc_for_request(s, params);
	if (!d || !wants_quickfix(json_object_get(json_object_get(params, "context"), "only")))
		return actions;
	struct srcmap map;
	srcmap_init(&map, d->text, d->len);
	size_t from = lsp_offset_of(&map, s->enc, a), to = lsp_offset_of(&map, s->enc, b);
	if (to < from) {
		size_t t = from;
		from = to;
		to = t;
	}
	for (size_t i = 0; i < d->lint.n; i++) {
		const struct lsp_finding *f = &d->lint.findings[i];
		if (f->offset > to || f->end < from)
			continue;
		json_t *fix = f->fix ? fix_action(s, d, f, diagnostic_json(s, &map, f)) : NULL;
		if (fix) /* the fix first: it is the one to take */
			json_array_append_new(actions, fix);
		/* a directive cannot silence the report of a directive */
		if (f->rule == &rule_unused_suppression)
			continue;
		json_array_append_new(actions, ignore_statement_action(s, d, &map, f, diagnostic_json(s, &map, f)));
		if (!d->python)
			json_array_append_new(actions, ignore_file_action(s, d, &map, f, diagnostic_json(s, &map, f)));
	}
	srcmap_release(&map);
	return actions;
}

static void handle_request(struct server *s, json_t *id, const char *method, json_t *params)
{
	if (!strcmp(method, "initialize")) {
		if (s->initialized) {
			reply_error(s, id, RPC_INVALID_REQUEST, "%s", "initialize was received already");
			return;
		}
		s->initialized = 1;
		reply(s, id, initialize_result(s, params));
		return;
	}
	if (!s->initialized) {
		reply_error(s, id, RPC_SERVER_NOT_INITIALIZED, "'%s' before initialize", method);
		return;
	}
	if (s->shutdown) {
		reply_error(s, id, RPC_INVALID_REQUEST, "'%s' after shutdown", method);
		return;
	}
	if (!strcmp(method, "shutdown")) {
		s->shutdown = 1;
		reply(s, id, NULL);
		return;
	}
	if (!strcmp(method, "textDocument/hover")) {
		reply(s, id, hover(s, params));
		return;
	}
	if (!strcmp(method, "textDocument/codeAction")) {
		int bad = 0;
		json_t *actions = code_actions(s, params, &bad);
		if (bad) {
			reply_error(s, id, RPC_INVALID_PARAMS, "%s", "codeAction needs a range of two positions");
			return;
		}
		reply(s, id, actions);
		return;
	}
	reply_error(s, id, RPC_METHOD_NOT_FOUND, "unknown method '%s'", method);
}

/* ---- notifications ---- */

static void did_open(struct server *s, json_t *params)
{
	json_t *td = json_object_get(params, "textDocument");
	const char *uri = json_string_value(json_object_get(td, "uri"));
	json_t *text = json_object_get(td, "text");
	if (!uri || !json_is_string(text)) {
		log_message(s, LOG_WARNING, "%s", "didOpen without textDocument.uri and text: ignored");
		return;
	}
	struct doc *d = doc_find(s, uri);
	if (!d) {
		d = xcalloc(1, sizeof(*d));
		d->uri = xstrdup(uri);
		d->file = lsp_uri_path(uri);
		XGROW(s->docs, s->ndocs + 1, s->docs_cap);
		s->docs[s->ndocs++] = d;
	}
	const char *lang = json_string_value(json_object_get(td, "languageId"));
	const char *dot = strrchr(d->file ? d->file : uri, '.');
	d->python = (lang && !strcmp(lang, "python")) || (dot && !strcmp(dot, ".py"));
	d->companion = dot && (!strcmp(dot, ".toml") || !strcmp(dot, ".conf"));
	d->version = json_integer_value(json_object_get(td, "version"));
	doc_set_text(d, json_string_value(text), json_string_length(text));
	d->due = now_ms();
}

/* The other documents' context changed (a file they read is open with other text now): each
 * linted again when d is, unless it is due sooner. */
static void others_due(struct server *s, const struct doc *d)
{
	for (size_t i = 0; i < s->ndocs; i++) {
		struct doc *o = s->docs[i];
		if (o != d && !o->companion && !o->python && o->file && (o->due < 0 || o->due > d->due))
			o->due = d->due;
	}
}

static void did_change(struct server *s, json_t *params)
{
	json_t *td = json_object_get(params, "textDocument");
	const char *uri = json_string_value(json_object_get(td, "uri"));
	struct doc *d = uri ? doc_find(s, uri) : NULL;
	json_t *changes = json_object_get(params, "contentChanges");
	if (!d || !json_is_array(changes)) {
		log_message(s, LOG_WARNING, "didChange of '%s', which is not open, or without contentChanges: ignored",
				   uri ? uri : "");
		return;
	}
	size_t i;
	json_t *c;
	json_array_foreach(changes, i, c) {
		json_t *text = json_object_get(c, "text"), *range = json_object_get(c, "range");
		if (!json_is_string(text))
			continue;
		struct lsp_pos a, b;
		if (range && get_position(json_object_get(range, "start"), &a) == 0 &&
		    get_position(json_object_get(range, "end"), &b) == 0) {
			/* an incremental change (the server asks for full text; taken anyway) */
			struct srcmap map;
			srcmap_init(&map, d->text, d->len);
			size_t from = lsp_offset_of(&map, s->enc, a), to = lsp_offset_of(&map, s->enc, b);
			srcmap_release(&map);
			if (to < from)
				to = from;
			size_t n = json_string_length(text);
			char *t = xmalloc(d->len - (to - from) + n + 1);
			memcpy(t, d->text, from);
			memcpy(t + from, json_string_value(text), n);
			memcpy(t + from + n, d->text + to, d->len - to);
			d->len = d->len - (to - from) + n;
			t[d->len] = '\0';
			free(d->text);
			d->text = t;
		} else {
			doc_set_text(d, json_string_value(text), json_string_length(text));
		}
	}
	json_t *version = json_object_get(td, "version");
	if (json_is_integer(version))
		d->version = json_integer_value(version);
	d->due = now_ms() + s->settings->debounce_ms;
	others_due(s, d);
}

static void did_close(struct server *s, json_t *params)
{
	const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
	for (size_t i = 0; uri && i < s->ndocs; i++) {
		if (strcmp(s->docs[i]->uri, uri))
			continue;
		/* its diagnostics go with it */
		notify(s, "textDocument/publishDiagnostics", json_pack("{s:s, s:[]}", "uri", uri, "diagnostics"));
		s->docs[i]->due = now_ms(); /* the others read the file from disk again */
		others_due(s, s->docs[i]);
		doc_free(s->docs[i]);
		s->docs[i] = s->docs[--s->ndocs];
		return;
	}
}

static void handle_notification(struct server *s, const char *method, json_t *params)
{
	if (!strcmp(method, "exit")) {
		s->exiting = 1;
		s->exit_status = s->shutdown ? 0 : 1;
		return;
	}
	/* before initialize and after shutdown, notifications are dropped (LSP 3.17) */
	if (!s->initialized || s->shutdown)
		return;
	if (!strcmp(method, "textDocument/didOpen")) {
		did_open(s, params);
	} else if (!strcmp(method, "textDocument/didChange")) {
		did_change(s, params);
	} else if (!strcmp(method, "textDocument/didSave")) {
		const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
		struct doc *d = uri ? doc_find(s, uri) : NULL;
		if (d)
			d->due = now_ms();
	} else if (!strcmp(method, "textDocument/didClose")) {
		did_close(s, params);
	} else if (!strcmp(method, "workspace/didChangeWatchedFiles") ||
		   !strcmp(method, "workspace/didChangeConfiguration")) {
		/* an earlier migration or .pgsieve.yml may have changed: every document again */
		for (size_t i = 0; i < s->ndocs; i++)
			s->docs[i]->due = now_ms();
	}
	/* others (initialized, $/cancelRequest, $/setTrace...) need nothing */
}

static void handle_message(struct server *s, const char *body, size_t len)
{
	json_error_t err;
	/* JSON_ALLOW_NUL: a document may hold NUL bytes; the linter reports them */
	json_t *msg = json_loadb(body, len, JSON_ALLOW_NUL, &err);
	if (!msg) {
		reply_error(s, NULL, RPC_PARSE_ERROR, "not JSON: %s (line %d, column %d)", err.text, err.line,
				   err.column);
		return;
	}
	json_t *id = json_object_get(msg, "id");
	json_t *method = json_object_get(msg, "method");
	if (!json_is_object(msg)) {
		reply_error(s, NULL, RPC_INVALID_REQUEST, "%s", "a message is a JSON object");
	} else if (id && !json_is_string(id) && !json_is_integer(id)) {
		reply_error(s, NULL, RPC_INVALID_REQUEST, "%s", "a request's id is a number or a string");
	} else if (!method && id && (json_object_get(msg, "result") || json_object_get(msg, "error"))) {
		/* a response: the server sends no request */
	} else if (!json_is_string(method)) {
		reply_error(s, id, RPC_INVALID_REQUEST, "%s", "a message has a method name (a string)");
	} else if (id) {
		handle_request(s, id, json_string_value(method), json_object_get(msg, "params"));
	} else {
		handle_notification(s, json_string_value(method), json_object_get(msg, "params"));
	}
	json_decref(msg);
}

/* The document to lint next: the one due earliest. */
static struct doc *next_due(struct server *s)
{
	struct doc *best = NULL;
	for (size_t i = 0; i < s->ndocs; i++)
		if (s->docs[i]->due >= 0 && (!best || s->docs[i]->due < best->due))
			best = s->docs[i];
	return best;
}

int lsp_serve(int in_fd, FILE *out, const struct lsp_settings *settings)
{
	struct server s = { .settings = settings, .out = out, .exit_status = 1 };
	rpc_in_init(&s.in, in_fd);
	/* a client that goes away mid-write is the end of the session, not a signal */
	signal(SIGPIPE, SIG_IGN);
	int input_open = 1;
	while (!s.exiting && !s.out_failed) {
		char *body;
		size_t len;
		char problem[256];
		enum rpc_next r;
		while (!s.exiting && (r = rpc_in_next(&s.in, &body, &len, problem, sizeof(problem))) != RPC_NONE) {
			if (r == RPC_BAD) {
				log_message(&s, LOG_ERROR, "pgsieve lsp: %s: skipped to the next header", problem);
				continue;
			}
			handle_message(&s, body, len);
			free(body);
		}
		if (s.exiting || s.out_failed || !input_open)
			break;
		/* between messages, the document due first, if its time has come; then the input
		 * again before the next one, so that one lint is the longest wait */
		struct doc *d = next_due(&s);
		long long now = now_ms();
		int timeout = -1;
		if (d && d->due <= now) {
			doc_lint(&s, d);
			timeout = 0;
		} else if (d) {
			timeout = (int)(d->due - now);
		}
		struct pollfd p = { in_fd, POLLIN, 0 };
		int ready = poll(&p, 1, timeout);
		if (ready < 0 && errno != EINTR) {
			fprintf(stderr, "pgsieve: lsp: cannot wait for input: %s\n", strerror(errno));
			break;
		}
		if (ready > 0) {
			int got = rpc_in_fill(&s.in);
			if (got < 0)
				fprintf(stderr, "pgsieve: lsp: cannot read the input: %s\n", strerror(errno));
			if (got <= 0) /* the client is gone: what was read is still answered */
				input_open = 0;
		}
	}
	int status = s.exiting && !s.out_failed ? s.exit_status : 1;
	for (size_t i = 0; i < s.ndocs; i++)
		doc_free(s.docs[i]);
	free(s.docs);
	rpc_in_release(&s.in);
	return status;
}
