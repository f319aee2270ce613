#include "discover/alembic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "util/error.h"
#include "util/file.h"
#include "util/path.h"
#include "util/proc.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

/* Set by meson: where `meson install` puts the helper, and where it is in the source tree. */
#ifndef PGSIEVE_ALEMBIC_HELPER_INSTALLED
#define PGSIEVE_ALEMBIC_HELPER_INSTALLED ""
#endif
#ifndef PGSIEVE_ALEMBIC_HELPER_SOURCE
#define PGSIEVE_ALEMBIC_HELPER_SOURCE ""
#endif

static const char graph_rule[] = "migration-graph";

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int alembic_versions_dir(const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && dir[b - 1] != '/')
		b--;
	if (n - b != 8 || strncmp(dir + b, "versions", 8) != 0)
		return 0;
	char *parent = b ? xstrndup(dir, b) : xstrdup(".");
	char *env = path_join(parent, "env.py");
	int r = is_file(env);
	free(env);
	free(parent);
	return r;
}

/* Python's configparser reads section headers as `[name]` at the start of a line and keys as
 * `key = value` or `key: value`; comments start with '#' or ';'. That is all this needs. */
int alembic_environments(const char *dir, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	char *ini = is_file(dir) ? xstrdup(dir) : path_join(dir, "alembic.ini");
	if (!is_file(ini)) {
		free(ini);
		return 0;
	}
	size_t len;
	char *text = file_read(ini, &len);
	if (!text) {
		free(ini);
		return -1;
	}
	size_t cap = 0;
	char *section = NULL;
	int has_alembic = 0, counted = 0;
	for (char *line = text; line && *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		char *p = line;
		if (*p == '[') {
			char *close = strchr(p, ']');
			free(section);
			section = close ? xstrndup(p + 1, (size_t)(close - p - 1)) : NULL;
			counted = 0;
			if (section && !strcmp(section, "alembic"))
				has_alembic = 1;
		} else if (section && !counted && *p != ' ' && *p != '\t' && *p != '#' && *p != ';') {
			size_t k = strcspn(p, "=: \t");
			if (k == strlen("script_location") && !strncmp(p, "script_location", k)) {
				XGROW(*names, *n + 1, cap);
				(*names)[(*n)++] = xstrdup(section);
				counted = 1;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	free(section);
	free(text);
	free(ini);
	if (has_alembic) { /* `alembic` without -n reads [alembic]: the one environment */
		for (size_t i = 0; i < *n; i++)
			free((*names)[i]);
		*n = 0;
		XGROW(*names, 1, cap);
		(*names)[(*n)++] = xstrdup("alembic");
	}
	return 0;
}

char *alembic_helper_path(void)
{
	const char *env = getenv("PGSIEVE_ALEMBIC_HELPER");
	if (env && *env) {
		if (is_file(env))
			return xstrdup(env);
		error("PGSIEVE_ALEMBIC_HELPER names '%s', which is not a file", env);
		return NULL;
	}
	/* beside the executable first, as a release tarball or the npm package lays them out
	 * (bin/pgsieve, share/pgsieve/alembic_render.py) wherever it was unpacked */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *bin = path_dirname(exe);
		char *beside = path_join(bin, "../share/pgsieve/alembic_render.py");
		free(bin);
		if (is_file(beside))
			return beside;
		free(beside);
	}
	static const char *const places[] = { PGSIEVE_ALEMBIC_HELPER_INSTALLED, PGSIEVE_ALEMBIC_HELPER_SOURCE };
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (*places[i] && is_file(places[i]))
			return xstrdup(places[i]);
	error("pgsieve's Alembic helper alembic_render.py is not installed (looked for '%s'); set "
	      "PGSIEVE_ALEMBIC_HELPER to its path", PGSIEVE_ALEMBIC_HELPER_INSTALLED);
	return NULL;
}

/* ---- reading the helper's answer ---- */

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static uint32_t jnum(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	return v < 0 || v > (json_int_t)UINT32_MAX ? 0 : (uint32_t)v;
}

/* The byte offset a place object ({line, column, ..., offset}) gives, or 0. */
static uint32_t place_offset(const json_t *place)
{
	return place ? jnum(place, "offset") : 0;
}

struct builder {
	struct strbuf sb;
	struct lint_segment *segs;
	size_t n, cap;
};

/* Appends text to the rendered SQL as a segment coming from `place` in the user's file. */
static void add_piece(struct builder *b, const json_t *place, const char *text, int alone)
{
	XGROW(b->segs, b->n + 1, b->cap);
	struct lint_segment *sg = &b->segs[b->n++];
	memset(sg, 0, sizeof(*sg));
	sg->start = (uint32_t)b->sb.len;
	sg->line = jnum(place, "line");
	sg->column = jnum(place, "column");
	sg->end_line = jnum(place, "end_line");
	sg->end_column = jnum(place, "end_column");
	sg->offset = jnum(place, "offset");
	sg->end_offset = jnum(place, "end_offset");
	if (!sg->line)
		sg->line = sg->end_line = sg->column = sg->end_column = 1;
	sg->alone = alone;
	strbuf_addstr(&b->sb, text);
}

/* The terminator a rendered statement needs so that the next one starts on its own: Alembic's
 * statements end with ';', an op.execute() string may not, and may end in a line comment. */
static const char *terminator(const char *sql)
{
	size_t n = strlen(sql);
	while (n > 0 && (sql[n - 1] == ' ' || sql[n - 1] == '\t' || sql[n - 1] == '\n' || sql[n - 1] == '\r'))
		n--;
	if (n > 0 && sql[n - 1] == ';')
		return "\n";
	size_t ls = n;
	while (ls > 0 && sql[ls - 1] != '\n')
		ls--;
	for (size_t i = ls; i + 1 < n; i++)
		if (sql[i] == '-' && sql[i + 1] == '-')
			return "\n;\n";
	return ";\n";
}

static void add_directive(struct builder *b, const json_t *d)
{
	const char *text = jstr(d, "text");
	if (!text)
		return;
	char *line = xasprintf("-- %s\n", text);
	add_piece(b, d, line, 0);
	free(line);
}

/* Fills a part from the helper's description of upgrade() or downgrade(). */
static void build_part(struct migration_part *p, const char *path, const json_t *pj, const char *fname)
{
	struct builder b = { STRBUF_INIT, NULL, 0, 0 };
	const json_t *def = json_object_get(pj, "def");
	char *head = xasprintf("-- %s() of %s\n", fname, path);
	add_piece(&b, def, head, 0);
	free(head);
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(pj, "file_directives"), i, v)
		add_directive(&b, v);
	json_array_foreach(json_object_get(pj, "statements"), i, v) {
		const char *sql = jstr(v, "sql");
		if (!sql)
			continue;
		size_t k;
		const json_t *d;
		json_array_foreach(json_object_get(v, "directives"), k, d)
			add_directive(&b, d);
		char *piece = xasprintf("%s%s", sql, terminator(sql));
		add_piece(&b, v, piece, json_is_true(json_object_get(v, "alone")));
		b.segs[b.n - 1].assembled = json_is_true(json_object_get(v, "assembled"));
		if (jstr(v, "index_table"))
			b.segs[b.n - 1].index_table = xstrdup(jstr(v, "index_table"));
		free(piece);
	}
	p->path = xstrdup(path);
	p->tx = LINT_TX_WRAPPED;
	p->text_len = b.sb.len;
	p->text = strbuf_detach(&b.sb);
	p->segments = b.segs;
	p->nsegments = b.n;
	const char *empty = jstr(pj, "empty");
	p->irreversible = empty && !strcmp(empty, "raise");
}

/* ---- the revision graph ---- */

struct rev {
	const json_t *j;
	const char *path, *id;
	const json_t *down, *deps, *labels; /* arrays of strings */
	int color;   /* cycle search: 0 not seen, 1 on the path, 2 done */
	int placed;  /* in the order already */
	int is_head; /* no revision names it as its down_revision */
};

struct graph {
	struct rev *revs;
	size_t n;
	int unknown; /* some revision's down_revision, branch_labels or depends_on is unknown */
	struct strmap ids; /* revision id -> index + 1 */
	struct migration_set *set;
	const json_t *root; /* the helper's answer: which interpreter read the revisions */
};

static size_t rev_index(const struct graph *g, const char *id)
{
	return (size_t)(uintptr_t)strmap_get(&g->ids, id); /* 0: none */
}

static uint32_t place_of(const struct rev *r, const char *what)
{
	return place_offset(json_object_get(json_object_get(r->j, "places"), what));
}

/* Depth-first search along down_revision for cycles; reports each cycle once. */
static void find_cycles(struct graph *g, size_t i, size_t *stack, size_t depth)
{
	struct rev *r = &g->revs[i];
	r->color = 1;
	stack[depth] = i;
	size_t k;
	const json_t *v;
	json_array_foreach(r->down, k, v) {
		size_t p = rev_index(g, json_string_value(v));
		if (!p)
			continue;
		struct rev *pr = &g->revs[p - 1];
		if (pr->color == 1) {
			struct strbuf chain = STRBUF_INIT;
			size_t from = depth;
			while (from > 0 && stack[from] != p - 1)
				from--;
			for (size_t s = from; s <= depth; s++)
				strbuf_addf(&chain, "%s -> ", g->revs[stack[s]].id);
			strbuf_addstr(&chain, pr->id);
			migration_set_problem(g->set, graph_rule, r->path, place_of(r, "down_revision"),
					      "point down_revision at the revision this one really follows; a "
					      "revision can never be its own ancestor",
					      "the revision graph has a cycle (%s): Alembic cannot order these "
					      "revisions and refuses to run",
					      strbuf_str(&chain));
			strbuf_release(&chain);
		} else if (pr->color == 0) {
			find_cycles(g, p - 1, stack, depth + 1);
		}
	}
	r->color = 2;
}

/* The branch labels on a revision and its ancestors. */
static void ancestry_labels(const struct graph *g, size_t i, unsigned char *seen, struct strmap *out)
{
	if (seen[i])
		return;
	seen[i] = 1;
	const struct rev *r = &g->revs[i];
	size_t k;
	const json_t *v;
	json_array_foreach(r->labels, k, v)
		strmap_put(out, json_string_value(v), (void *)1);
	json_array_foreach(r->down, k, v) {
		size_t p = rev_index(g, json_string_value(v));
		if (p)
			ancestry_labels(g, p - 1, seen, out);
	}
}

/* Several heads are fine when each is the head of a branch of its own, labelled as such
 * (branch_labels): `alembic upgrade heads` or `label@head` is then how the team deploys. */
static void check_heads(struct graph *g)
{
	size_t nheads = 0;
	for (size_t i = 0; i < g->n; i++)
		nheads += g->revs[i].id && g->revs[i].is_head;
	if (nheads < 2)
		return;
	struct strmap *labels = xcalloc(g->n, sizeof(*labels));
	unsigned char *seen = xcalloc(g->n, 1);
	for (size_t i = 0; i < g->n; i++) {
		if (!g->revs[i].id || !g->revs[i].is_head)
			continue;
		memset(seen, 0, g->n);
		ancestry_labels(g, i, seen, &labels[i]);
	}
	int all_labelled = 1;
	for (size_t i = 0; i < g->n && all_labelled; i++) {
		if (!g->revs[i].id || !g->revs[i].is_head)
			continue;
		int own = 0;
		size_t it = 0;
		const char *label;
		while (!own && strmap_next(&labels[i], &it, &label, NULL)) {
			int shared = 0;
			for (size_t k = 0; k < g->n && !shared; k++)
				shared = k != i && g->revs[k].id && g->revs[k].is_head && strmap_has(&labels[k], label);
			own = !shared;
		}
		all_labelled = own;
	}
	if (!all_labelled) {
		struct strbuf list = STRBUF_INIT;
		for (size_t i = 0; i < g->n; i++)
			if (g->revs[i].id && g->revs[i].is_head)
				strbuf_addf(&list, "%s%s", list.len ? ", " : "", g->revs[i].id);
		for (size_t i = 0; i < g->n; i++) {
			const struct rev *r = &g->revs[i];
			if (!r->id || !r->is_head)
				continue;
			migration_set_problem(g->set, graph_rule, r->path, place_of(r, "revision"),
					      "merge the branches: alembic merge heads -m \"merge\" writes a "
					      "revision whose down_revision names all of them",
					      "revision %s is one of %zu heads (%s): `alembic upgrade head` refuses "
					      "to run (\"Multiple head revisions are present\") until they are "
					      "merged",
					      r->id, nheads, strbuf_str(&list));
		}
		strbuf_release(&list);
	}
	for (size_t i = 0; i < g->n; i++)
		strmap_release(&labels[i]);
	free(labels);
	free(seen);
}

static void check_graph(struct graph *g)
{
	/* duplicate ids, and the id map */
	for (size_t i = 0; i < g->n; i++) {
		struct rev *r = &g->revs[i];
		if (!r->id)
			continue;
		size_t other = rev_index(g, r->id);
		if (other) {
			const char *op = g->revs[other - 1].path;
			const char *base = strrchr(op, '/');
			migration_set_problem(g->set, graph_rule, r->path, place_of(r, "revision"),
					      "give one of them a new revision id (alembic revision writes a "
					      "fresh one) and point its children at it",
					      "revision id %s is also the id of '%s': Alembic refuses a revision "
					      "graph with the same id twice",
					      r->id, base ? base + 1 : op);
			r->id = NULL; /* keep the first; the copy is linted but not in the graph */
			continue;
		}
		strmap_put(&g->ids, r->id, (void *)(uintptr_t)(i + 1));
	}
	/* parents that do not exist; heads */
	for (size_t i = 0; i < g->n; i++)
		g->revs[i].is_head = 1;
	for (size_t i = 0; i < g->n; i++) {
		struct rev *r = &g->revs[i];
		if (!r->id)
			continue;
		size_t k;
		const json_t *v;
		json_array_foreach(r->down, k, v) {
			size_t p = rev_index(g, json_string_value(v));
			if (p) {
				g->revs[p - 1].is_head = 0;
				continue;
			}
			migration_set_problem(g->set, graph_rule, r->path, place_of(r, "down_revision"),
					      "point down_revision at an existing revision (alembic history "
					      "lists them), or restore the missing revision file",
					      "down_revision names %s, which no revision here has: Alembic cannot "
					      "build the revision graph (\"revision %s referenced from %s is not "
					      "present\")",
					      json_string_value(v), json_string_value(v), r->id);
		}
		json_array_foreach(r->deps, k, v) {
			const char *dep = json_string_value(v);
			int found = rev_index(g, dep) != 0;
			for (size_t o = 0; o < g->n && !found; o++) {
				size_t l;
				const json_t *lv;
				json_array_foreach(g->revs[o].labels, l, lv)
					found = found || !strcmp(json_string_value(lv), dep);
			}
			if (!found)
				migration_set_problem(g->set, graph_rule, r->path, place_of(r, "depends_on"),
						      "name an existing revision or branch label in depends_on",
						      "depends_on names %s, which is neither a revision nor a branch "
						      "label here: Alembic refuses to run",
						      dep);
		}
	}
	size_t *stack = xcalloc(g->n + 1, sizeof(*stack));
	for (size_t i = 0; i < g->n; i++)
		if (g->revs[i].id && g->revs[i].color == 0)
			find_cycles(g, i, stack, 0);
	free(stack);
	if (!g->unknown) /* unknown labels or parents: several heads may well be labelled branches */
		check_heads(g);
}

/* Whether a part of the helper's answer is a function that does something. */
static int does_something(const json_t *part)
{
	return part && !json_is_true(json_object_get(part, "missing")) && !jstr(part, "empty");
}

/* A project whose revisions have no downgrade() by design (none of them defines one that does
 * something, and there are a few): said once for the environment, at its first revision. */
static void check_down_policy(const struct graph *g, struct migration_set *set)
{
	size_t ups = 0;
	const struct rev *first = NULL;
	for (size_t i = 0; i < g->n; i++) {
		const json_t *down = json_object_get(g->revs[i].j, "downgrade");
		if (does_something(down) || (down && jstr(down, "empty") && !strcmp(jstr(down, "empty"), "raise")))
			return;
		if (does_something(json_object_get(g->revs[i].j, "upgrade"))) {
			ups++;
			if (!first)
				first = &g->revs[i];
		}
	}
	if (ups < 2)
		return;
	set->no_downs = 1;
	const json_t *down = json_object_get(first->j, "downgrade");
	uint32_t at = down && !json_is_true(json_object_get(down, "missing"))
			      ? place_offset(json_object_get(down, "def")) : 0;
	migration_set_problem(set, "missing-downgrade", first->path, at,
			      "if the team rolls forward only, this is the policy and needs nothing (set "
			      "require-down: true to have each revision reported instead); otherwise write "
			      "a downgrade() in each revision that undoes its upgrade()",
			      "none of the %zu revisions of this Alembic environment defines a downgrade() "
			      "that does something: `alembic downgrade` cannot step back over any of them",
			      ups);
}

/* Whether every revision r depends on (down_revision, depends_on) that exists is placed. */
static int ready(const struct graph *g, const struct rev *r)
{
	const json_t *lists[2] = { r->down, r->deps };
	for (int l = 0; l < 2; l++) {
		size_t k;
		const json_t *v;
		json_array_foreach(lists[l], k, v) {
			size_t p = rev_index(g, json_string_value(v));
			if (p && !g->revs[p - 1].placed && &g->revs[p - 1] != r)
				return 0;
		}
	}
	return 1;
}

static char *jdup(const json_t *o, const char *key)
{
	const char *s = jstr(o, key);
	return s ? xstrdup(s) : NULL;
}

/* Who turned a revision into SQL: Alembic or the static reading, and in which interpreter. */
static void set_renderer(struct lint_renderer *rd, const json_t *root, const json_t *rev)
{
	const char *mode = jstr(rev, "mode");
	rd->mode = xstrdup(mode && !strcmp(mode, "rendered") ? "alembic" : "static");
	rd->python = jdup(root, "executable");
	rd->python_version = jdup(root, "python");
	rd->alembic = jdup(root, "alembic");
	rd->sqlalchemy = jdup(root, "sqlalchemy");
}

static void add_revision(struct migration_set *set, const struct rev *r, const json_t *root)
{
	XGROW(set->items, set->n + 1, set->cap);
	struct migration *m = &set->items[set->n++];
	memset(m, 0, sizeof(*m));
	m->fw = FW_ALEMBIC;
	m->version = xstrdup(r->id ? r->id : "");
	const char *msg = jstr(r->j, "message");
	const char *base = strrchr(r->path, '/');
	m->name = xstrdup(msg ? msg : base ? base + 1 : r->path);
	const json_t *lists[2] = { r->down, r->deps };
	for (int l = 0; l < 2; l++) {
		size_t k;
		const json_t *v;
		json_array_foreach(lists[l], k, v) {
			if (json_is_string(v)) {
				m->parents = xrealloc(m->parents, (m->nparents + 1) * sizeof(*m->parents));
				m->parents[m->nparents++] = xstrdup(json_string_value(v));
			}
		}
	}
	const json_t *up = json_object_get(r->j, "upgrade"), *down = json_object_get(r->j, "downgrade");
	if (up && !json_is_true(json_object_get(up, "missing"))) {
		build_part(&m->up, r->path, up, "upgrade");
		set_renderer(&m->up.renderer, root, r->j);
		const char *note = jstr(r->j, "note");
		if (note) {
			m->up.note = xstrdup(note);
			m->up.note_static = 1;
		} else if (json_array_size(json_object_get(r->j, "remarks"))) {
			struct strbuf sb = STRBUF_INIT;
			size_t k;
			const json_t *v;
			json_array_foreach(json_object_get(r->j, "remarks"), k, v)
				strbuf_addf(&sb, "%s%s", sb.len ? "; " : "", json_string_value(v));
			m->up.note = strbuf_detach(&sb);
		}
	}
	if (down && !json_is_true(json_object_get(down, "missing"))) {
		build_part(&m->down, r->path, down, "downgrade");
		set_renderer(&m->down.renderer, root, r->j);
		/* a merge revision, or one whose upgrade() is `pass`: nothing to undo. Not an
		 * upgrade() that runs no SQL pgsieve saw (a data step building its SQL in Python):
		 * its downgrade() is judged like any other */
		m->down.nothing_to_undo = !up || json_is_true(json_object_get(up, "missing")) ||
					  jstr(up, "empty") != NULL;
	}
}

/* The environment the helper runs with. It runs the project's code, which must not see what
 * pgsieve was given to reach databases or to act in CI: only what Python and Alembic need to
 * start (the interpreter, its paths and locale), plus what PGSIEVE_ALEMBIC_ENV names. */
static const char *const env_names[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
	"LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONUTF8", "PYTHONIOENCODING",
	"PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONNOUSERSITE", "PYTHONUSERBASE",
	"PYTHONSAFEPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",
	"PGSIEVE_ALEMBIC_STATIC", "PGSIEVE_ALEMBIC_DEBUG",
};
/* pyenv's shims need their PYENV_* variables to find the interpreter; LC_* is the locale */
static const char *const env_prefixes[] = { "LC_", "PYENV_" };

static int env_allowed(const char *entry, const char *extra)
{
	size_t k = strcspn(entry, "=");
	if (!entry[k])
		return 0;
	for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		if (strlen(env_names[i]) == k && !strncmp(entry, env_names[i], k))
			return 1;
	for (size_t i = 0; i < sizeof(env_prefixes) / sizeof(env_prefixes[0]); i++)
		if (!strncmp(entry, env_prefixes[i], strlen(env_prefixes[i])))
			return 1;
	/* PGSIEVE_ALEMBIC_ENV: names separated by commas or blanks */
	for (const char *p = extra ? extra : ""; *p;) {
		size_t skip = strspn(p, ", \t"), n = strcspn(p + skip, ", \t");
		if (n == k && !strncmp(p + skip, entry, k))
			return 1;
		p += skip + n;
	}
	return 0;
}

static char **helper_env(void)
{
	extern char **environ;
	const char *extra = getenv("PGSIEVE_ALEMBIC_ENV");
	size_t n = 0, cap = 0;
	char **env = NULL;
	for (char **e = environ; e && *e; e++) {
		if (!env_allowed(*e, extra))
			continue;
		XGROW(env, n + 2, cap);
		env[n++] = *e;
	}
	XGROW(env, n + 1, cap);
	env[n] = NULL;
	return env;
}

/* Seconds a revision may take in the helper (PGSIEVE_ALEMBIC_TIMEOUT, default 30), or 0 with
 * error() set. */
static long render_seconds(void)
{
	const char *v = getenv("PGSIEVE_ALEMBIC_TIMEOUT");
	if (!v || !*v)
		return 30;
	char *end;
	long s = strtol(v, &end, 10);
	if (*end || s < 1 || s > 86400) {
		error("PGSIEVE_ALEMBIC_TIMEOUT is '%s': give the seconds a revision may take to render, "
		      "from 1 to 86400", v);
		return 0;
	}
	return s;
}

/* pgsieve's own deadline beyond the helper's limit: the time to give up on a revision and read
 * it statically, which a revision that catches the helper's alarm never gives */
#define HELPER_GRACE_SECONDS 5
/* revisions that ignore the limit; past this many the project is not read */
#define MAX_STOPPED 3

int alembic_load(const char *dir, struct migration_set *set)
{
	long seconds = render_seconds();
	if (!seconds)
		return -1;
	char *helper = alembic_helper_path();
	if (!helper)
		return -1;
	const char *python = getenv("PGSIEVE_PYTHON");
	const char *argv[24 + 2 * MAX_STOPPED];
	size_t argc = 0;
	if (python && *python) {
		argv[argc++] = python;
		argv[argc++] = helper;
		argv[argc++] = "--python-next";
		argv[argc++] = "python3";
	} else {
		python = "python3";
		argv[argc++] = python;
		argv[argc++] = helper;
	}
	argv[argc++] = "--python-next";
	argv[argc++] = "/usr/bin/python3";
	if (set->env) {
		argv[argc++] = "--name";
		argv[argc++] = set->env;
	}
	char timeout[24];
	snprintf(timeout, sizeof(timeout), "%ld", seconds);
	argv[argc++] = "--timeout";
	argv[argc++] = timeout;
	argv[argc++] = "--progress-fd";
	argv[argc++] = "3";
	char **env = helper_env();
	struct proc_opts opts = { (const char *const *)env, 1, (seconds + HELPER_GRACE_SECONDS) * 1000 };
	char *stopped[MAX_STOPPED];
	size_t nstopped = 0, fixed = argc;
	int status = 0;
	size_t len = 0;
	char *out = NULL;
	for (;;) {
		argc = fixed;
		for (size_t i = 0; i < nstopped; i++) {
			argv[argc++] = "--stopped";
			argv[argc++] = stopped[i];
		}
		argv[argc++] = dir;
		argv[argc] = NULL;
		struct proc_result res;
		out = proc_run(argv, &opts, &res, &len);
		status = res.status;
		if (!res.timed_out) {
			free(res.last_progress);
			break;
		}
		free(out);
		out = NULL;
		const char *rev = res.last_progress && !strncmp(res.last_progress, "revision ", 9)
					  ? res.last_progress + 9 : NULL;
		if (!rev || nstopped == MAX_STOPPED) {
			/* before any revision (finding the environment imports the project's package)
			 * or too many: nothing is left to fall back on but not reading the project */
			if (rev)
				error("cannot read the Alembic migrations in '%s': rendering '%s' did not finish "
				      "within %ld s, after %zu other revisions that did not either: pgsieve "
				      "stopped the Alembic helper and every process it started (--no-python "
				      "reads the revisions without running them)", dir, rev,
				      seconds + HELPER_GRACE_SECONDS, nstopped);
			else
				error("cannot read the Alembic migrations in '%s': the Alembic helper did not "
				      "finish within %ld s before it reached any revision (while importing "
				      "Alembic or the project's package): pgsieve stopped it and every "
				      "process it started (--no-python reads the revisions without running "
				      "them)", dir, seconds + HELPER_GRACE_SECONDS);
			free(res.last_progress);
			break;
		}
		stopped[nstopped++] = xstrdup(rev);
		free(res.last_progress);
	}
	free(env);
	for (size_t i = 0; i < nstopped; i++)
		free(stopped[i]);
	free(helper);
	if (!out && status == 127) /* not found: the hint below, not proc_capture's bare message */
		return error("cannot read the Alembic migrations in '%s': '%s' cannot be run (set "
			     "PGSIEVE_PYTHON to a Python 3 interpreter)", dir, python);
	if (!out)
		return -1;
	if (status != 0) {
		free(out);
		if (status == 127)
			return error("cannot read the Alembic migrations in '%s': '%s' cannot be run (set "
				     "PGSIEVE_PYTHON to a Python 3 interpreter)", dir, python);
		return error("cannot read the Alembic migrations in '%s': the Alembic helper failed (exit "
			     "status %d)", dir, status);
	}
	json_error_t jerr;
	json_t *root = json_loadb(out, len, 0, &jerr);
	free(out);
	if (!root || !json_is_array(json_object_get(root, "directories"))) {
		json_decref(root);
		return error("cannot read the Alembic migrations in '%s': the Alembic helper's answer is "
			     "not what pgsieve expects (%s)", dir, root ? "no directories" : jerr.text);
	}
	struct graph g = { NULL, 0, 0, STRMAP_INIT, set, root };
	size_t cap = 0, di;
	const json_t *d;
	int rc = 0;
	json_array_foreach(json_object_get(root, "directories"), di, d) {
		const char *problem = jstr(d, "error");
		if (problem) {
			rc = error("cannot read the Alembic migrations in '%s': %s", dir, problem);
			break;
		}
		size_t ri;
		const json_t *r;
		json_array_foreach(json_object_get(d, "revisions"), ri, r) {
			const char *path = jstr(r, "path");
			if (!path)
				continue;
			const char *err = jstr(r, "error");
			if (err) {
				migration_set_problem(set, graph_rule, path, jnum(r, "error_offset"),
						      "fix the file: Alembic imports every revision before it runs any",
						      "this revision file %s: Alembic cannot load the revision graph", err);
				continue;
			}
			if (!jstr(r, "revision"))
				continue; /* a helper module in the versions directory, not a revision */
			XGROW(g.revs, g.n + 1, cap);
			struct rev *rv = &g.revs[g.n++];
			memset(rv, 0, sizeof(*rv));
			rv->j = r;
			rv->path = path;
			rv->id = jstr(r, "revision");
			rv->down = json_object_get(r, "down_revision");
			rv->deps = json_object_get(r, "depends_on");
			rv->labels = json_object_get(r, "branch_labels");
		}
	}
	for (size_t i = 0; i < g.n && rc == 0; i++) {
		const json_t *unknown = json_object_get(g.revs[i].j, "unknown");
		if (!json_array_size(unknown) || g.unknown++)
			continue;
		struct strbuf what = STRBUF_INIT;
		size_t k;
		const json_t *v;
		json_array_foreach(unknown, k, v)
			strbuf_addf(&what, "%s%s", what.len ? " and " : "", json_string_value(v));
		migration_set_problem(set, "alembic-static-analysis", g.revs[i].path,
				      place_of(&g.revs[i], json_string_value(json_array_get(unknown, 0))),
				      "write revision identifiers as literals, or run pgsieve where the module "
				      "they come from can be imported",
				      "the revision graph is partly unknown: %s of revision %s is computed from "
				      "something pgsieve could not read, so several heads are not reported%s",
				      strbuf_str(&what), g.revs[i].id ? g.revs[i].id : "?",
				      g.n > 1 ? " (in any revision of this environment)" : "");
		strbuf_release(&what);
	}
	if (rc == 0)
		check_down_policy(&g, set);
	if (rc == 0) {
		check_graph(&g);
		/* parents first; among revisions ready together, in file order */
		for (size_t placed = 0; placed < g.n;) {
			size_t pick = g.n;
			for (size_t i = 0; i < g.n && pick == g.n; i++)
				if (!g.revs[i].placed && ready(&g, &g.revs[i]))
					pick = i;
			if (pick == g.n) /* a cycle: the rest in file order */
				for (size_t i = 0; i < g.n && pick == g.n; i++)
					if (!g.revs[i].placed)
						pick = i;
			g.revs[pick].placed = 1;
			add_revision(set, &g.revs[pick], root);
			placed++;
		}
	}
	strmap_release(&g.ids);
	free(g.revs);
	json_decref(root);
	return rc;
}
