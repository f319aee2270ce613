#include "lsp/lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "discover/lint_plan.h"
#include "lint/config.h"
#include "lint/options.h"
#include "lint/run.h"
#include "run/lint_items.h"
#include "util/error.h"
#include "util/file.h"
#include "util/xalloc.h"

/* Whether a planned file is the document (the plan joins directories and names). */
static int is_document(const char *file, const char *path)
{
	if (!strcmp(file, path))
		return 1;
	char *real = realpath(file, NULL);
	int same = real && !strcmp(real, path);
	free(real);
	return same;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static struct lsp_fix *copy_fix(const struct fix *fx)
{
	struct lsp_fix *c = xcalloc(1, sizeof(*c));
	c->title = xstrdup(fx->title);
	c->edits = xcalloc(fx->nedits + 1, sizeof(*c->edits));
	for (size_t i = 0; i < fx->nedits; i++) {
		c->edits[i].path = dup_or_null(fx->edits[i].path);
		c->edits[i].offset = fx->edits[i].offset;
		c->edits[i].length = fx->edits[i].length;
		c->edits[i].text = xstrdup(fx->edits[i].text);
	}
	c->nedits = fx->nedits;
	c->files = xcalloc(fx->nfiles + 1, sizeof(*c->files));
	for (size_t i = 0; i < fx->nfiles; i++) {
		c->files[i].path = xstrdup(fx->files[i].path);
		c->files[i].content = xstrdup(fx->files[i].content);
	}
	c->nfiles = fx->nfiles;
	return c;
}

static void free_fix(struct lsp_fix *fx)
{
	if (!fx)
		return;
	for (size_t i = 0; i < fx->nedits; i++) {
		free(fx->edits[i].path);
		free(fx->edits[i].text);
	}
	for (size_t i = 0; i < fx->nfiles; i++) {
		free(fx->files[i].path);
		free(fx->files[i].content);
	}
	free(fx->edits);
	free(fx->files);
	free(fx->title);
	free(fx);
}

/* The document's findings out of the run (the files listed as the document's, by index). */
static void keep_findings(const struct lint_run *run, const char *const *names, size_t nnames,
			  struct lsp_lint *out)
{
	for (size_t i = 0; i < run->nfindings; i++) {
		const struct finding *f = &run->findings[i];
		const struct lint_file *file = &run->files[f->file];
		size_t k = 0;
		while (k < nnames && strcmp(names[k], file->path))
			k++;
		if (k == nnames)
			continue;
		XGROW(out->findings, out->n + 1, out->cap);
		struct lsp_finding *lf = &out->findings[out->n++];
		memset(lf, 0, sizeof(*lf));
		lf->rule = f->rule;
		lf->severity = f->severity;
		lf->offset = f->offset;
		lf->end = f->offset + f->length;
		lf->stmt_offset = f->offset;
		if (f->stmt_index >= 0 && file->stmt_offsets && (size_t)f->stmt_index < file->nstmt_offsets)
			lf->stmt_offset = file->stmt_offsets[f->stmt_index];
		lf->message = xstrdup(f->message);
		if (f->fix)
			lf->fix = copy_fix(f->fix);
	}
}

/* The document alone, as `pgsieve lint -` would read it. */
static int lint_alone(struct lint_run *run, const struct lint_options *o, const char *display,
		      const char *text, size_t len)
{
	struct lint_source src = { .path = display, .text = text, .len = len, .has_down = -1 };
	src.tx = o->assume_in_transaction ? LINT_TX_WRAPPED : LINT_TX_UNKNOWN;
	return lint_run_source(run, &src);
}

/* The environment variables lint_alembic_settings() sets, as the server started with them:
 * each document's .pgsieve.yml applies to its own lint only. */
static const char *const alembic_env[] = { "PGSIEVE_PYTHON", "PGSIEVE_ALEMBIC_STATIC" };
static struct {
	int taken;
	char *value[sizeof(alembic_env) / sizeof(alembic_env[0])];
} startup_env;

static void alembic_env_reset(void)
{
	for (size_t i = 0; i < sizeof(alembic_env) / sizeof(alembic_env[0]); i++) {
		if (!startup_env.taken) {
			const char *v = getenv(alembic_env[i]);
			startup_env.value[i] = v ? xstrdup(v) : NULL;
		} else if (startup_env.value[i]) {
			setenv(alembic_env[i], startup_env.value[i], 1);
		} else {
			unsetenv(alembic_env[i]);
		}
	}
	startup_env.taken = 1;
}

/* The document in its directory: the plan `pgsieve lint PATH` makes, each part read from disk
 * but the document's, whose text is the editor's (and the other documents the editor has open,
 * overlaid by the caller). Returns 1 when the plan holds no part of
 * the document (a .py file outside an Alembic environment), -1 on failure. */
static int lint_in_context(struct lint_run *run, const struct lint_options *o, const char *path,
			   const char *text, size_t len, struct lsp_lint *out)
{
	/* the Alembic settings of .pgsieve.yml, as `pgsieve lint` takes them */
	struct plan_alembic alembic = { NULL, NULL };
	alembic_env_reset();
	lint_alembic_settings(o, &alembic);
	enum framework fw = FW_SQL;
	int forced = o->framework && framework_parse(o->framework, &fw) == 0 ? (int)fw : -1;
	char *paths[] = { (char *)path };
	struct plan plan;
	file_overlay_add(path, text, len); /* the caller clears it with the others' */
	plan_build(&plan, paths, 1, forced, o->exclude, o->n_exclude, &alembic, 0);
	const char **names = xcalloc(plan.n + 1, sizeof(*names));
	size_t nnames = 0;
	int rc = 0;
	for (size_t i = 0; i < plan.n && rc == 0; i++) {
		const struct plan_item *it = &plan.items[i];
		size_t flen = 0;
		char *ftext = it->part && it->part->text ? NULL : file_read(it->path, &flen);
		if (!ftext && !(it->part && it->part->text)) {
			/* an earlier migration that cannot be read: said in the client's log, the
			 * document still linted */
			fprintf(stderr, "pgsieve: %s\n", error_message());
			continue;
		}
		struct lint_source src = lint_source_for(it, o, NULL, ftext, flen);
		plan_item_source(it, o, &src);
		if (it->report && is_document(it->path, path))
			names[nnames++] = it->path;
		else
			src.context_only = 1; /* what the plan reports besides the document */
		if (lint_run_source(run, &src) != 0)
			rc = -1;
		free(ftext);
	}
	if (rc == 0 && nnames)
		plan_report_problems(&plan, run, NULL);
	if (rc == 0)
		keep_findings(run, names, nnames, out);
	free(names);
	int none = rc == 0 && nnames == 0 && !plan.errors;
	int failed = rc == 0 && nnames == 0 && plan.errors;
	plan_release(&plan);
	return rc != 0 ? -1 : failed ? 2 : none ? 1 : 0;
}

int lsp_lint_document(const char *path, const char *display, const char *text, size_t len, struct lsp_lint *out)
{
	memset(out, 0, sizeof(*out));
	struct lint_options opts;
	lint_options_init(&opts);
	char *config = NULL;
	char *start[] = { (char *)(path ? path : "-") };
	if (config_find_common(start, 1, NULL, &config) != 0 || (config && config_load(config, &opts) != 0)) {
		out->problem = xasprintf("bad configuration, linted with the defaults: %s", error_message());
		lint_options_release(&opts);
		lint_options_init(&opts);
	}
	free(config);
	struct lint_run run;
	lint_run_init(&run, &opts);
	struct stat st;
	int rc = 1;
	if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		rc = lint_in_context(&run, &opts, path, text, len, out);
	const char *dot = strrchr(display, '.');
	int python = dot && !strcmp(dot, ".py");
	if (rc > 0 && !python) {
		/* not on disk, or not part of a migration set the plan knows: the text alone (a
		 * Python file is only linted as an Alembic revision) */
		lint_run_release(&run);
		lint_run_init(&run, &opts);
		const char *names[] = { display };
		rc = lint_alone(&run, &opts, display, text, len);
		if (rc == 0)
			keep_findings(&run, names, 1, out);
	}
	lint_run_release(&run);
	lint_options_release(&opts);
	return rc < 0 ? -1 : 0;
}

void lsp_lint_release(struct lsp_lint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->findings[i].message);
		free_fix(l->findings[i].fix);
	}
	free(l->findings);
	free(l->problem);
	memset(l, 0, sizeof(*l));
}
