/* The reports of `pgsieve trace` that show the statements themselves: JSON (the statements and
 * the findings, the findings as `lint --format json` writes them) and text (a lock timeline, then
 * the findings as `lint` writes them). The other formats are lint's reporters over the findings. */
#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "effects/effects.h"
#include "report/report.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static json_t *rel_json(const struct obs_rel *r)
{
	char *s = xasprintf("%s.%s", r->schema, r->name);
	json_t *j = report_json_text(s);
	free(s);
	return j;
}

static json_t *stmt_json(const struct trace_stmt *st)
{
	const struct obs_result *o = &st->obs;
	json_t *j = json_object();
	json_object_set_new(j, "file", report_json_text(st->path));
	json_object_set_new(j, "line", json_integer(st->line));
	json_object_set_new(j, "column", json_integer(st->column));
	json_object_set_new(j, "phase", json_string(st->phase));
	json_object_set_new(j, "sql", report_json_text(st->sql));
	json_object_set_new(j, "command", json_string(st->command));
	json_object_set_new(j, "observed", json_boolean(st->observed));
	json_object_set_new(j, "in_transaction", json_boolean(o->in_transaction));
	json_t *locks = json_array();
	for (size_t i = 0; i < o->nlocks; i++) {
		const struct obs_lock *l = &o->locks[i];
		if (l->held_before)
			continue;
		json_t *lj = json_object();
		json_object_set_new(lj, "relation", rel_json(&l->rel));
		json_object_set_new(lj, "mode", json_string(lock_mode_name(l->mode)));
		json_object_set_new(lj, "granted", json_boolean(l->granted));
		json_object_set_new(lj, "created", json_boolean(l->rel.created));
		json_array_append_new(locks, lj);
	}
	json_object_set_new(j, "locks", locks);
	json_t *rw = json_array();
	for (size_t i = 0; i < o->nrewrites; i++)
		json_array_append_new(rw, rel_json(&o->rewrites[i]));
	json_object_set_new(j, "rewrites", rw);
	json_t *scans = json_array();
	for (size_t i = 0; i < o->nscans; i++) {
		json_t *sj = json_object();
		json_object_set_new(sj, "relation", rel_json(&o->scans[i].rel));
		json_object_set_new(sj, "seq_scans", json_integer(o->scans[i].seq));
		json_object_set_new(sj, "index_scans", json_integer(o->scans[i].idx));
		json_array_append_new(scans, sj);
	}
	json_object_set_new(j, "scans", scans);
	json_object_set_new(j, "duration_ms", json_real((double)(long long)(o->ms * 1000) / 1000));
	json_t *err = json_null();
	if (o->failed) {
		err = json_object();
		json_object_set_new(err, "message", report_json_text(o->error));
		json_object_set_new(err, "sqlstate", json_string(o->sqlstate));
		json_object_set_new(err, "position", json_integer(o->error_position));
	}
	json_object_set_new(j, "error", err);
	json_t *pred = json_array();
	for (size_t i = 0; i < st->npredicted; i++) {
		const struct trace_prediction *p = &st->predicted[i];
		json_t *pj = json_object();
		json_object_set_new(pj, "relation", report_json_text(p->relation));
		if (p->on_index_table)
			json_object_set_new(pj, "on", json_string("the index's table"));
		json_object_set_new(pj, "lock", json_string(lock_mode_name(p->lock)));
		json_object_set_new(pj, "rewrite", json_boolean((p->flags & EFFECT_REWRITE) != 0));
		json_object_set_new(pj, "scan", json_boolean((p->flags & (EFFECT_SCAN | EFFECT_VALIDATE)) != 0));
		json_object_set_new(pj, "maybe", json_boolean((p->flags & EFFECT_MAYBE) != 0));
		json_array_append_new(pred, pj);
	}
	json_object_set_new(j, "predicted", pred);
	json_object_set_new(j, "mismatch", st->mismatch ? report_json_text(st->mismatch) : json_null());
	return j;
}

/* lint's JSON report of the run, parsed: its findings and summary are the trace's. */
static json_t *lint_json(const struct lint_run *run, const struct report_options *ro)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return NULL;
	int rc = report_json(mem, run, ro);
	fclose(mem);
	json_t *root = rc == 0 ? json_loadb(buf, len, 0, NULL) : NULL;
	free(buf);
	return root;
}

int trace_report_json(FILE *out, const struct lint_run *run, const struct trace_result *res,
		      const struct report_options *ro)
{
	json_t *lint = lint_json(run, ro);
	if (!lint)
		return -1;
	json_t *root = json_object();
	json_object_set(root, "tool", json_object_get(lint, "tool"));
	json_t *server = json_object();
	json_object_set_new(server, "version", json_integer(res->server_version));
	json_object_set_new(server, "start_seconds", json_real((double)(long long)(res->start_seconds * 1000) / 1000));
	json_object_set_new(server, "tables_filled", json_integer(res->filled));
	json_object_set_new(server, "tables_not_filled", res->not_filled ? json_string(res->not_filled) : json_null());
	json_object_set_new(root, "server", server);
	json_t *stmts = json_array();
	for (size_t i = 0; i < res->n; i++)
		json_array_append_new(stmts, stmt_json(&res->stmts[i]));
	json_object_set_new(root, "statements", stmts);
	json_object_set(root, "findings", json_object_get(lint, "findings"));
	json_t *summary = json_deep_copy(json_object_get(lint, "summary"));
	if (!summary)
		summary = json_object();
	json_object_set_new(summary, "statements", json_integer((json_int_t)res->n));
	json_object_set_new(summary, "duration_ms", json_real((double)(long long)(res->total_ms * 1000) / 1000));
	json_object_set_new(summary, "stopped", json_boolean(res->stopped));
	json_object_set_new(summary, "migrations_not_run", json_integer((json_int_t)res->not_run));
	json_object_set_new(root, "summary", summary);
	int rc = report_dump_json(out, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	if (rc == 0)
		fputc('\n', out);
	json_decref(root);
	json_decref(lint);
	return rc;
}

/* The statement's first line, at most 60 characters of it. */
static void add_short_sql(struct strbuf *sb, const char *sql)
{
	size_t n = strcspn(sql, "\n");
	int cut = n > 60 || sql[n];
	if (n > 60)
		n = 57;
	char *line = xstrndup(sql, n);
	report_add_printable(sb, line, 1);
	free(line);
	if (cut)
		strbuf_addf(sb, "...");
}

int trace_report_text(FILE *out, const struct lint_run *run, const struct trace_result *res,
		      const struct report_options *ro)
{
	int color = ro->color;
	const char *bold = color ? "\033[1m" : "", *red = color ? "\033[31m" : "", *yellow = color ? "\033[33m" : "",
		   *off = color ? "\033[0m" : "";
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < res->n; i++) {
		const struct trace_stmt *st = &res->stmts[i];
		const struct obs_result *o = &st->obs;
		strbuf_addf(&sb, "%s", bold);
		report_add_printable(&sb, st->path, 1);
		strbuf_addf(&sb, ":%u:%u%s %s%s%s  %.1f ms%s  ", st->line, st->column, off, strcmp(st->phase, "up") ? "[" : "",
			    strcmp(st->phase, "up") ? st->phase : "", strcmp(st->phase, "up") ? "] " : "", o->ms,
			    o->wrapped ? "" : o->in_transaction ? ", in the migration's transaction" : "");
		add_short_sql(&sb, st->sql);
		strbuf_addf(&sb, "\n");
		for (size_t k = 0; k < o->nlocks; k++) {
			const struct obs_lock *l = &o->locks[k];
			if (l->held_before)
				continue;
			const char *mark = lock_blocks_reads(l->mode) ? "blocks reads and writes"
					   : lock_blocks_writes(l->mode) ? "blocks writes"
									 : "";
			strbuf_addf(&sb, "    %s%-22s%s ", *mark ? (lock_blocks_reads(l->mode) ? red : yellow) : "",
				    lock_mode_name(l->mode), *mark ? off : "");
			report_add_printable(&sb, l->rel.schema, 1);
			strbuf_addf(&sb, ".");
			report_add_printable(&sb, l->rel.name, 1);
			strbuf_addf(&sb, "%s%s%s%s\n", l->rel.created ? " (new)" : "", l->granted ? "" : " (waited for)",
				    *mark && !l->rel.created ? "  <- " : "", !l->rel.created ? mark : "");
		}
		for (size_t k = 0; k < o->nrewrites; k++) {
			strbuf_addf(&sb, "    rewrote %s.%s\n", o->rewrites[k].schema, o->rewrites[k].name);
		}
		for (size_t k = 0; k < o->nscans; k++)
			if (o->scans[k].seq > 0)
				strbuf_addf(&sb, "    scanned %s.%s (%ld sequential scan%s)\n", o->scans[k].rel.schema,
					    o->scans[k].rel.name, o->scans[k].seq, o->scans[k].seq == 1 ? "" : "s");
		if (o->failed) {
			strbuf_addf(&sb, "    %sfailed%s: ", red, off);
			report_add_printable(&sb, o->error, 1);
			strbuf_addf(&sb, "\n");
		}
	}
	strbuf_addf(&sb, "%zu statement%s traced on PostgreSQL %d in %.1f ms", res->n, res->n == 1 ? "" : "s",
		    res->server_version, res->total_ms);
	if (res->start_seconds > 0)
		strbuf_addf(&sb, " (throwaway cluster started in %.2f s)", res->start_seconds);
	strbuf_addf(&sb, "\n");
	if (res->stopped)
		strbuf_addf(&sb, "a statement failed: the trace stopped there%s\n",
			    res->not_run ? ", as the runner would, and later migrations did not run" : "");
	if (res->not_filled)
		strbuf_addf(&sb, "tables left empty (they refused the generated rows): %s\n", res->not_filled);
	strbuf_addf(&sb, "\n");
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	return report_text(out, run, ro);
}
