/* SARIF 2.1.0 for GitHub code scanning and other viewers. Validated against the official
 * schema in the test suite. Locations keep the paths as the user gave them (relative paths stay
 * relative, resolved against %SRCROOT%, the repository root for code scanning). Fingerprints
 * come from the finding, not from line numbers, so they survive moved lines; we do not set
 * primaryLocationLineHash, which would change with them. */
#include "report/report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lint/registry.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/strmap.h"

static const char *sarif_level(enum severity s)
{
	switch (s) {
	case SEVERITY_ERROR:
		return "error";
	case SEVERITY_WARNING:
		return "warning";
	default:
		return "note";
	}
}

/* RFC 3986: keep unreserved characters and '/', percent-encode the rest. */
static void uri_encode(struct strbuf *sb, const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (isalnum(*p) || strchr("-._~/", *p))
			strbuf_addch(sb, (char)*p);
		else
			strbuf_addf(sb, "%%%02X", *p);
	}
}

static json_t *artifact_location(const char *path)
{
	json_t *loc = json_object();
	struct strbuf sb = STRBUF_INIT;
	if (path[0] == '/') {
		strbuf_addstr(&sb, "file://");
		uri_encode(&sb, path);
	} else {
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		uri_encode(&sb, path);
		json_object_set_new(loc, "uriBaseId", json_string("%SRCROOT%"));
	}
	json_object_set_new(loc, "uri", json_string(strbuf_str(&sb)));
	strbuf_release(&sb);
	return loc;
}

/* The first paragraph of a rule's doc that is not a heading. */
static char *first_paragraph(const char *doc)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = doc;
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		int blank = n == 0;
		if (p[0] == '#' || (blank && sb.len == 0)) {
			/* skip headings and leading blank lines */
		} else if (blank) {
			break;
		} else {
			if (sb.len)
				strbuf_addch(&sb, ' ');
			strbuf_add(&sb, p, n);
		}
		p = eol ? eol + 1 : p + n;
	}
	return strbuf_detach(&sb);
}

static json_t *rule_json(const struct rule *r, const struct report_options *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_string(r->id));
	json_t *sd = json_object();
	json_object_set_new(sd, "text", json_string(r->summary));
	json_object_set_new(j, "shortDescription", sd);
	const char *doc = rule_doc(r);
	char *para = doc ? first_paragraph(doc) : NULL;
	json_t *fd = json_object();
	json_object_set_new(fd, "text", json_string(para && *para ? para : r->summary));
	json_object_set_new(j, "fullDescription", fd);
	free(para);
	char *url = report_rule_doc_url(o, r->id);
	json_t *help = json_object();
	json_object_set_new(help, "text", json_string(doc ? doc : r->summary));
	if (doc)
		json_object_set_new(help, "markdown", json_string(doc));
	json_object_set_new(j, "help", help);
	json_object_set_new(j, "helpUri", json_string(url));
	free(url);
	json_t *cfg = json_object();
	json_object_set_new(cfg, "level", json_string(sarif_level(r->severity)));
	json_object_set_new(j, "defaultConfiguration", cfg);
	json_t *props = json_object();
	json_t *tags = json_array();
	json_array_append_new(tags, json_string(rule_category_name(r->category)));
	json_object_set_new(props, "tags", tags);
	json_object_set_new(j, "properties", props);
	return j;
}

static json_t *replacement(uint32_t offset, uint32_t length, const char *text)
{
	json_t *region = json_object();
	json_object_set_new(region, "byteOffset", json_integer(offset));
	json_object_set_new(region, "byteLength", json_integer(length));
	json_t *content = json_object();
	json_object_set_new(content, "text", report_json_text(text));
	json_t *r = json_object();
	json_object_set_new(r, "deletedRegion", region);
	json_object_set_new(r, "insertedContent", content);
	return r;
}

/* A finding's fix as SARIF's fixes: one artifactChange per file edited (the edits are sorted by
 * file), and one per file created, as an insertion into an empty artifact. */
static json_t *fixes_json(const struct lint_run *run, const struct finding *f)
{
	const struct fix *fix = f->fix;
	json_t *changes = json_array();
	json_t *replacements = NULL;
	const char *path = NULL;
	for (size_t i = 0; i < fix->nedits; i++) {
		const struct fix_edit *e = &fix->edits[i];
		const char *p = e->path ? e->path : run->files[f->file].path;
		if (!replacements || strcmp(p, path)) {
			json_t *change = json_object();
			json_object_set_new(change, "artifactLocation", artifact_location(p));
			replacements = json_array();
			json_object_set_new(change, "replacements", replacements);
			json_array_append_new(changes, change);
			path = p;
		}
		json_array_append_new(replacements, replacement(e->offset, e->length, e->text));
	}
	for (size_t i = 0; i < fix->nfiles; i++) {
		json_t *change = json_object();
		json_object_set_new(change, "artifactLocation", artifact_location(fix->files[i].path));
		json_t *reps = json_array();
		json_array_append_new(reps, replacement(0, 0, fix->files[i].content));
		json_object_set_new(change, "replacements", reps);
		json_array_append_new(changes, change);
	}
	json_t *desc = json_object();
	json_object_set_new(desc, "text", report_json_text(fix->title));
	json_t *fj = json_object();
	json_object_set_new(fj, "description", desc);
	json_object_set_new(fj, "artifactChanges", changes);
	json_t *fixes = json_array();
	json_array_append_new(fixes, fj);
	return fixes;
}

static json_t *result_json(const void *ud, size_t i)
{
	const struct lint_run *run = ud;
	const struct finding *f = &run->findings[i];
	json_t *res = json_object();
	json_object_set_new(res, "ruleId", json_string(f->rule->id));
	json_object_set_new(res, "ruleIndex", json_integer((json_int_t)rule_index(f->rule)));
	json_object_set_new(res, "level", json_string(sarif_level(f->severity)));
	json_t *msg = json_object();
	if (f->help) {
		char *text = NULL;
		size_t n = strlen(f->message) + strlen(f->help) + 16;
		text = malloc(n);
		snprintf(text, n, "%s. Help: %s", f->message, f->help);
		json_object_set_new(msg, "text", json_string(text));
		free(text);
	} else {
		json_object_set_new(msg, "text", json_string(f->message));
	}
	json_object_set_new(res, "message", msg);

	json_t *region = json_object();
	json_object_set_new(region, "startLine", json_integer(f->line));
	json_object_set_new(region, "startColumn", json_integer(f->column));
	json_object_set_new(region, "endLine", json_integer(f->end_line));
	json_object_set_new(region, "endColumn", json_integer(f->end_column));
	json_object_set_new(region, "byteOffset", json_integer(f->offset));
	json_object_set_new(region, "byteLength", json_integer(f->length));
	json_t *phys = json_object();
	json_object_set_new(phys, "artifactLocation", artifact_location(run->files[f->file].path));
	json_object_set_new(phys, "region", region);
	json_t *loc = json_object();
	json_object_set_new(loc, "physicalLocation", phys);
	json_t *locs = json_array();
	json_array_append_new(locs, loc);
	json_object_set_new(res, "locations", locs);

	json_t *fps = json_object();
	json_object_set_new(fps, "pgsieve/v1", json_string(f->fingerprint));
	json_object_set_new(res, "partialFingerprints", fps);
	if (f->fix)
		json_object_set_new(res, "fixes", fixes_json(run, f));
	return res;
}

int report_sarif(FILE *out, const struct lint_run *run, const struct report_options *o)
{
	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("pgsieve"));
	json_object_set_new(driver, "version", json_string(o->tool_version));
	json_object_set_new(driver, "semanticVersion", json_string(o->tool_version));
	json_object_set_new(driver, "informationUri", json_string(o->project_url));
	json_t *rules = json_array();
	for (size_t i = 0; i < rule_count; i++)
		json_array_append_new(rules, rule_json(rule_registry[i], o));
	json_object_set_new(driver, "rules", rules);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);


	/* One artifact per path: a file with up and down sections is linted as two migrations,
	 * and the schema requires the artifacts to be unique. */
	json_t *artifacts = json_array();
	struct strmap seen = STRMAP_INIT;
	for (size_t i = 0; i < run->nfiles; i++) {
		if (strmap_has(&seen, run->files[i].path))
			continue;
		strmap_put(&seen, run->files[i].path, NULL);
		json_t *a = json_object();
		json_object_set_new(a, "location", artifact_location(run->files[i].path));
		json_t *rd = report_renderer_json(&run->files[i].renderer);
		if (rd) { /* Alembic: who turned the revision into SQL, in the artifact's property bag */
			json_t *props = json_object();
			json_object_set_new(props, "pgsieve/renderer", rd);
			json_object_set_new(a, "properties", props);
		}
		json_array_append_new(artifacts, a);
	}
	strmap_release(&seen);

	json_t *runj = json_object();
	json_object_set_new(runj, "tool", tool);
	json_object_set_new(runj, "artifacts", artifacts);
	if (note_count()) { /* how the input was read: notifications of the one invocation */
		json_t *notes = json_array();
		for (size_t i = 0; i < note_count(); i++) {
			const struct note *n = note_get(i);
			json_t *nj = json_object(), *msg = json_object(), *desc = json_object();
			json_object_set_new(desc, "id", json_string(n->kind));
			json_object_set_new(nj, "descriptor", desc);
			json_object_set_new(nj, "level", json_string("note"));
			json_object_set_new(msg, "text", report_json_text(n->message));
			json_object_set_new(nj, "message", msg);
			json_t *loc = json_object(), *phys = json_object();
			json_object_set_new(phys, "artifactLocation", artifact_location(n->path));
			json_object_set_new(loc, "physicalLocation", phys);
			json_t *locs = json_array();
			json_array_append_new(locs, loc);
			json_object_set_new(nj, "locations", locs);
			json_array_append_new(notes, nj);
		}
		json_t *inv = json_object();
		json_object_set_new(inv, "executionSuccessful", json_true());
		json_object_set_new(inv, "toolExecutionNotifications", notes);
		json_t *invs = json_array();
		json_array_append_new(invs, inv);
		json_object_set_new(runj, "invocations", invs);
	}
	json_object_set_new(runj, "results", json_array()); /* filled as it is written */
	json_object_set_new(runj, "columnKind", json_string("unicodeCodePoints"));

	json_t *root = json_object();
	json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_t *runs = json_array();
	json_array_append_new(runs, runj);
	json_object_set_new(root, "runs", runs);

	int rc = report_dump_json_items(out, root, "results", run->nfindings, result_json, run);
	fputc('\n', out);
	json_decref(root);
	return rc || ferror(out) ? -1 : 0;
}
