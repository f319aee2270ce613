#include "trace/trace.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "diff/diff.h"
#include "effects/effects.h"
#include "effects/notx.h"
#include "lint/directive.h"
#include "lint/registry.h"
#include "run/lint_items.h"
#include "sql/sql.h"
#include "trace/cluster.h"
#include "util/error.h"
#include "util/file.h"
#include "util/srcmap.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* A lock that blocks writes, taken in the open transaction by an earlier statement: held while
 * every later statement of the transaction runs. */
struct held_lock {
	char *relation;
	enum lock_mode mode;
	uint32_t line;
};

/* What the statement callback needs. */
struct trace_ctx {
	struct lint_run *run;
	struct trace_result *res;
	const struct trace_options *opts;
	struct observer *obs;
	const struct lint_source *src;
	const char *report_text; /* the text findings are placed in (the user's file) */
	size_t report_len;
	struct srcmap map;
	const char *phase;
	int stop;     /* a statement failed: the runner stops */
	int fatal;    /* the observation failed: the trace cannot go on */
	struct held_lock *held;
	size_t nheld, held_cap;
	struct strbuf created; /* "\nschema.name\n" of relations this migration created */
	/* `-- pgsieve-ignore` comments, as lint reads them: one before a statement silences the
	 * trace's findings on it, `pgsieve-ignore-file` those of the whole file */
	struct directive *directives;
	size_t ndirectives, directives_cap;
	int stmt_index; /* the statement being run, counted from 0; -1 before the first */
	int wrapped;    /* the runner's transaction is around the migration */
};

static void held_clear(struct trace_ctx *c)
{
	for (size_t i = 0; i < c->nheld; i++)
		free(c->held[i].relation);
	c->nheld = 0;
}

/* Where a byte of the linted text is in the user's file: itself, or for rendered SQL (Alembic)
 * the start of the call that wrote it. */
static uint32_t report_offset(const struct trace_ctx *c, uint32_t off)
{
	const struct lint_source *s = c->src;
	if (!s->segments)
		return off;
	size_t k = 0;
	for (size_t i = 0; i < s->nsegments; i++)
		if (s->segments[i].start <= off)
			k = i;
	return s->nsegments ? s->segments[k].offset : 0;
}

static int silenced(const struct trace_ctx *c, const struct rule *rule, int stmt_index)
{
	for (size_t i = 0; i < c->ndirectives; i++) {
		const struct directive *d = &c->directives[i];
		if (!d->whole_file && (stmt_index < 0 || d->stmt_index != stmt_index))
			continue;
		for (size_t k = 0; k < d->nrules; k++)
			if (!strcmp(d->rules[k], rule->id))
				return 1;
	}
	return 0;
}

static void on_comment(void *ud, const struct sql_comment *com)
{
	struct trace_ctx *c = ud;
	struct directive d;
	if (directive_parse(c->src->text + com->start, com->end - com->start, com->start, &d) != 1) {
		directive_release(&d);
		return;
	}
	XGROW(c->directives, c->ndirectives + 1, c->directives_cap);
	c->directives[c->ndirectives++] = d;
}

/* A finding on the statement being run (or, at COMMIT, on the file: stmt_index -1). */
static void report_on(struct trace_ctx *c, const struct rule *rule, int stmt_index, uint32_t off, const char *message,
		      const char *help)
{
	if (silenced(c, rule, stmt_index))
		return;
	lint_run_report_file(c->run, rule, c->src->path, c->src->framework, c->report_text, c->report_len,
			     report_offset(c, off), message, help);
}

static void report(struct trace_ctx *c, const struct rule *rule, uint32_t off, const char *message, const char *help)
{
	report_on(c, rule, c->stmt_index, off, message, help);
}

static char *rel_name(const struct obs_rel *r)
{
	return !strcmp(r->schema, "public") ? xstrdup(r->name) : xasprintf("%s.%s", r->schema, r->name);
}

/* Whether the relation the statement writes as `written` ("t" or "s.t") is r. */
static int rel_matches(const char *written, const char *schema, const char *name)
{
	const char *dot = strchr(written, '.');
	if (!dot)
		return !strcmp(written, name);
	return strlen(schema) == (size_t)(dot - written) && !strncmp(written, schema, (size_t)(dot - written)) &&
	       !strcmp(dot + 1, name);
}

/* Whether "schema.name" names the relation schema, name. */
static int qualified_is(const char *qualified, const char *schema, const char *name)
{
	size_t sl = strlen(schema);
	return !strncmp(qualified, schema, sl) && qualified[sl] == '.' && !strcmp(qualified + sl + 1, name);
}

static int is_table_kind(char kind)
{
	return kind == 'r' || kind == 'p' || kind == 'm' || kind == 'f';
}

static int created_here(const struct trace_ctx *c, const struct obs_rel *r)
{
	char *key = xasprintf("\n%s.%s\n", r->schema, r->name);
	int found = c->created.buf && strstr(c->created.buf, key) != NULL;
	free(key);
	return found;
}

/* The statement's predictions from the lock table. */
static void predict(struct trace_stmt *st, const PgQuery__Node *node, int version)
{
	struct effect effs[EFFECTS_MAX];
	size_t n = effects_of(node, version, effs, EFFECTS_MAX);
	st->predicted = xcalloc(n + 1, sizeof(*st->predicted));
	for (size_t i = 0; i < n; i++) {
		if (effs[i].object == EFFECT_OBJ_ALL || !effs[i].name)
			continue;
		struct trace_prediction *p = &st->predicted[st->npredicted++];
		p->relation = effs[i].schema ? xasprintf("%s.%s", effs[i].schema, effs[i].name) : xstrdup(effs[i].name);
		p->on_index_table = effs[i].role == EFFECT_ROLE_INDEX_TABLE;
		p->referenced = effs[i].role == EFFECT_ROLE_REFERENCED;
		p->lock = effs[i].lock;
		p->flags = effs[i].flags;
	}
}

/* The table (schema, name) that a prediction's lock lands on, from the observed locks: the
 * relation itself, or for on_index_table the table of the index. NULL when not observed. */
static const char *prediction_target(const struct trace_stmt *st, const struct trace_prediction *p, char **owned)
{
	*owned = NULL;
	for (size_t i = 0; i < st->obs.nlocks; i++) {
		const struct obs_rel *r = &st->obs.locks[i].rel;
		if (!rel_matches(p->relation, r->schema, r->name))
			continue;
		if (!p->on_index_table)
			return *owned = xasprintf("%s.%s", r->schema, r->name);
		if (r->table)
			return *owned = xstrdup(r->table);
	}
	return NULL;
}

/* Whether the statement empties the relation (TRUNCATE, REFRESH ... WITH NO DATA: EFFECT_DESTROY):
 * its new relfilenode is an empty file, not a copy of the rows. */
static int emptied(const struct trace_stmt *st, const struct obs_rel *r)
{
	for (size_t k = 0; k < st->npredicted; k++)
		if ((st->predicted[k].flags & EFFECT_DESTROY) && rel_matches(st->predicted[k].relation, r->schema, r->name))
			return 1;
	return 0;
}

/* Compares the observation with the predictions; a message naming each difference, or NULL. */
/* Whether the statement says IF EXISTS: when the object is not there, it does nothing. */
static int if_exists(const PgQuery__Node *node)
{
	switch (node->node_case) {
	case PG_QUERY__NODE__NODE_DROP_STMT: return node->drop_stmt->missing_ok;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: return node->alter_table_stmt->missing_ok;
	case PG_QUERY__NODE__NODE_RENAME_STMT: return node->rename_stmt->missing_ok;
	default: return 0;
	}
}

static char *find_mismatch(const struct trace_stmt *st, const PgQuery__Node *node)
{
	struct strbuf m = STRBUF_INIT;
	const struct obs_result *o = &st->obs;
	for (size_t k = 0; k < st->npredicted; k++) {
		const struct trace_prediction *p = &st->predicted[k];
		char *target;
		prediction_target(st, p, &target);
		if (!target) {
			/* no lock on it at all: with IF EXISTS, it was not there and nothing ran */
			if (p->lock != LOCK_NONE && !if_exists(node))
				strbuf_addf(&m, "%slint predicts %s on \"%s\", the server took no lock on it", m.len ? "; " : "",
					    lock_mode_name(p->lock), p->relation);
			continue;
		}
		enum lock_mode got = LOCK_NONE;
		int held = 0;
		char kind = 0;
		for (size_t i = 0; i < o->nlocks; i++) {
			const struct obs_lock *l = &o->locks[i];
			if (!qualified_is(target, l->rel.schema, l->rel.name))
				continue;
			kind = l->rel.kind;
			if (l->held_before) {
				held |= l->mode >= p->lock;
			} else if (l->granted && l->mode > got) {
				got = l->mode;
			}
		}
		if (p->lock != LOCK_NONE && got != p->lock && !(held && got < p->lock))
			strbuf_addf(&m, "%slint predicts %s on \"%s\", the server took %s", m.len ? "; " : "",
				    lock_mode_name(p->lock), target, got ? lock_mode_name(got) : "no new lock");
		if (!is_table_kind(kind) || (p->flags & EFFECT_MAYBE)) {
			free(target);
			continue;
		}
		int rewritten = 0, scanned = 0;
		for (size_t i = 0; i < o->nrewrites; i++)
			rewritten |= qualified_is(target, o->rewrites[i].schema, o->rewrites[i].name);
		for (size_t i = 0; i < o->nscans; i++)
			scanned |= o->scans[i].seq > 0 && qualified_is(target, o->scans[i].rel.schema, o->scans[i].rel.name);
		if ((p->flags & EFFECT_REWRITE) && !rewritten)
			strbuf_addf(&m, "%slint predicts a rewrite of \"%s\", the server did not rewrite it",
				    m.len ? "; " : "", target);
		/* a referenced table is probed through its key's index, not read whole */
		if ((p->flags & (EFFECT_SCAN | EFFECT_VALIDATE)) && !(p->flags & EFFECT_REWRITE) && !p->referenced &&
		    !scanned)
			strbuf_addf(&m, "%slint predicts a full scan of \"%s\", the server did not scan it",
				    m.len ? "; " : "", target);
		free(target);
	}
	/* what the server did that no prediction names: a lock that blocks writes on an existing
	 * table, a rewrite (TRUNCATE's new files are not: it empties every table it reaches,
	 * CASCADE's too) */
	int truncate = node->node_case == PG_QUERY__NODE__NODE_TRUNCATE_STMT;
	/* ALTER DOMAIN checks the rows of every table with a column of the domain under SHARE (seen
	 * on PostgreSQL 15): the lock table names the domain, domain-constraint-blocking the tables
	 * (from the schema), so SHARE on a table is what lint predicts for it */
	int domain_check = node->node_case == PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT;
	const struct obs_rel *said = NULL; /* the strongest mode of each relation only */
	for (size_t i = 0; i < o->nlocks; i++) {
		const struct obs_lock *l = &o->locks[i];
		if (l->held_before || !l->granted || l->rel.created || !is_table_kind(l->rel.kind) ||
		    !lock_blocks_writes(l->mode))
			continue;
		if (said && !strcmp(said->schema, l->rel.schema) && !strcmp(said->name, l->rel.name))
			continue;
		int named = domain_check && l->mode == LOCK_SHARE;
		for (size_t k = 0; k < st->npredicted && !named; k++) {
			char *target;
			prediction_target(st, &st->predicted[k], &target);
			named = target && qualified_is(target, l->rel.schema, l->rel.name);
			free(target);
		}
		if (!named)
			strbuf_addf(&m, "%sthe server took %s on \"%s.%s\", which lint does not predict", m.len ? "; " : "",
				    lock_mode_name(l->mode), l->rel.schema, l->rel.name);
		said = &l->rel;
	}
	for (size_t i = 0; i < o->nrewrites && !truncate; i++) {
		const struct obs_rel *r = &o->rewrites[i];
		if (!is_table_kind(r->kind) || emptied(st, r))
			continue;
		int named = 0;
		for (size_t k = 0; k < st->npredicted && !named; k++) {
			const struct trace_prediction *p = &st->predicted[k];
			named = (p->flags & (EFFECT_REWRITE | EFFECT_MAYBE)) && rel_matches(p->relation, r->schema, r->name);
		}
		if (!named)
			strbuf_addf(&m, "%sthe server rewrote \"%s.%s\", which lint does not predict", m.len ? "; " : "",
				    r->schema, r->name);
	}
	return m.len ? strbuf_detach(&m) : (strbuf_release(&m), NULL);
}

/* The byte offset in the file of the server's error position (1-based characters in sql). */
static uint32_t error_offset(const struct trace_stmt *st, const char *sql)
{
	if (st->obs.error_position <= 0)
		return st->offset;
	size_t len = strlen(sql);
	return st->offset + (uint32_t)srcmap_advance_chars(sql, len, 0, (size_t)(st->obs.error_position - 1));
}

static void observation_findings(struct trace_ctx *c, struct trace_stmt *st, const PgQuery__Node *node)
{
	const struct obs_result *o = &st->obs;
	char *msg;
	if (o->failed) {
		msg = xasprintf("the statement fails on PostgreSQL %d%s: %s", c->res->server_version,
				!strcmp(c->phase, "up") ? "" : !strcmp(c->phase, "down") ? " (in the down migration, after the up)"
											      : " (running the up again after its down)",
				o->error);
		report(c, &rule_migration_fails, error_offset(st, st->sql), msg,
		       "the runner stops at this statement and the migration is not applied; fix the statement, or "
		       "what it expects of the schema or the rows");
		free(msg);
		return;
	}
	int truncate = node && node->node_case == PG_QUERY__NODE__NODE_TRUNCATE_STMT;
	for (size_t i = 0; i < o->nrewrites && !truncate; i++) {
		const struct obs_rel *r = &o->rewrites[i];
		if (!is_table_kind(r->kind) || created_here(c, r) || emptied(st, r))
			continue;
		enum lock_mode mode = LOCK_NONE;
		for (size_t k = 0; k < o->nlocks; k++)
			if (!strcmp(o->locks[k].rel.schema, r->schema) && !strcmp(o->locks[k].rel.name, r->name) &&
			    o->locks[k].mode > mode)
				mode = o->locks[k].mode;
		char *name = rel_name(r);
		msg = xasprintf("the server rewrote \"%s\" (a new data file, every row copied)%s%s, which "
				"%s while it lasts",
				name, mode ? " under " : "", mode ? lock_mode_name(mode) : "",
				mode ? lock_mode_blocks(mode) : "blocks its users");
		report(c, &rule_trace_rewrite, st->offset, msg,
		       "on a large table this takes as long as copying it; see the statement's rule for the safe way "
		       "(pgsieve lint names it)");
		free(msg);
		free(name);
	}
	for (size_t i = 0; i < o->nscans; i++) {
		const struct obs_scan *s = &o->scans[i];
		if (s->seq <= 0 || created_here(c, &s->rel))
			continue;
		enum lock_mode mode = LOCK_NONE;
		for (size_t k = 0; k < o->nlocks; k++)
			if (!strcmp(o->locks[k].rel.schema, s->rel.schema) && !strcmp(o->locks[k].rel.name, s->rel.name) &&
			    o->locks[k].granted && o->locks[k].mode > mode)
				mode = o->locks[k].mode;
		if (!lock_blocks_writes(mode))
			continue;
		int rewritten = 0;
		for (size_t k = 0; k < o->nrewrites; k++)
			rewritten |= !strcmp(o->rewrites[k].schema, s->rel.schema) && !strcmp(o->rewrites[k].name, s->rel.name);
		if (rewritten)
			continue; /* said as a rewrite */
		char *name = rel_name(&s->rel);
		msg = xasprintf("the server read every row of \"%s\" under %s, which %s while the scan lasts", name,
				lock_mode_name(mode), lock_mode_blocks(mode));
		report(c, &rule_trace_scan_under_lock, st->offset, msg,
		       "validate separately: add the constraint NOT VALID and VALIDATE it in a later transaction, or "
		       "build indexes CONCURRENTLY (pgsieve lint names the statement's rule)");
		free(msg);
		free(name);
	}
	if (c->nheld && o->ms >= c->opts->slow_ms) {
		const struct held_lock *h = &c->held[0];
		msg = xasprintf("this statement ran longer than %g ms while %s on \"%s\", taken at line %u in the same "
				"transaction, was held: it %s until the transaction ends",
				c->opts->slow_ms, lock_mode_name(h->mode), h->relation, h->line, lock_mode_blocks(h->mode));
		report(c, &rule_trace_lock_held, st->offset, msg,
		       "take the blocking lock last, just before COMMIT, or move the slow statement into a transaction "
		       "of its own");
		free(msg);
	}
	if (st->mismatch)
		report(c, &rule_trace_mismatch, st->offset, st->mismatch,
		       "pgsieve's lock table (src/effects/) or the rule is wrong for this statement on this server "
		       "version: please report it with the statement");
}

/* Remembers the statement's blocking locks on existing tables while its transaction is open,
 * and the relations it created. */
static void track(struct trace_ctx *c, const struct trace_stmt *st)
{
	for (size_t i = 0; i < st->obs.nlocks; i++) {
		const struct obs_lock *l = &st->obs.locks[i];
		if (l->rel.created) {
			if (!c->created.len)
				strbuf_addf(&c->created, "\n");
			strbuf_addf(&c->created, "%s.%s\n", l->rel.schema, l->rel.name);
		}
	}
	if (!observer_in_transaction(c->obs)) {
		held_clear(c);
		return;
	}
	for (size_t i = 0; i < st->obs.nlocks; i++) {
		const struct obs_lock *l = &st->obs.locks[i];
		if (l->held_before || !l->granted || l->rel.created || created_here(c, &l->rel) ||
		    !is_table_kind(l->rel.kind) || !lock_blocks_writes(l->mode))
			continue;
		XGROW(c->held, c->nheld + 1, c->held_cap);
		c->held[c->nheld].relation = rel_name(&l->rel);
		c->held[c->nheld].mode = l->mode;
		c->held[c->nheld].line = st->line;
		c->nheld++;
	}
}

/* The data lines psql sends for a COPY ... FROM STDIN ending at byte `end`: from the line
 * after its ';' to the line "\." (not sent), or the end of the text. NULL when the statement
 * is no such COPY. */
static const char *copy_data_of(const PgQuery__Node *node, const char *text, size_t len, uint32_t end,
				size_t *n)
{
	if (!node || node->node_case != PG_QUERY__NODE__NODE_COPY_STMT || !node->copy_stmt->is_from ||
	    node->copy_stmt->is_program || (node->copy_stmt->filename && *node->copy_stmt->filename))
		return NULL;
	const char *semi = memchr(text + end, ';', len - end);
	const char *nl = semi ? memchr(semi, '\n', len - (size_t)(semi - text)) : NULL;
	const char *from = nl ? nl + 1 : text + len, *at = from;
	while (at < text + len && !(at[0] == '\\' && at + 1 < text + len && at[1] == '.')) {
		const char *next = memchr(at, '\n', len - (size_t)(at - text));
		at = next ? next + 1 : text + len;
	}
	*n = (size_t)(at - from);
	return from;
}

static int on_statement(void *ud, const struct sql_stmt *s)
{
	struct trace_ctx *c = ud;
	if (c->fatal)
		return 0; /* the rest is skipped; sql_parse() must not replace the error */
	if (c->stop)
		return 1;
	const char *text = c->src->text;
	c->stmt_index++;
	for (size_t i = 0; i < c->ndirectives; i++)
		if (!c->directives[i].whole_file && c->directives[i].stmt_index < 0)
			c->directives[i].stmt_index = c->stmt_index;
	XGROW(c->res->stmts, c->res->n + 1, c->res->cap);
	struct trace_stmt *st = &c->res->stmts[c->res->n++];
	memset(st, 0, sizeof(*st));
	st->path = c->src->path;
	st->phase = c->phase;
	st->offset = s->start;
	st->sql = xstrndup(text + s->start, s->end - s->start);
	st->command = xstrdup(s->node ? effects_command(s->node) : "statement");
	struct srcpos pos = srcmap_pos(&c->map, report_offset(c, s->start));
	st->line = pos.line;
	st->column = pos.column;
	int version = c->res->server_version;
	if (s->node && s->node->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT) {
		/* BEGIN, COMMIT, SAVEPOINT: run as written, nothing to observe */
		if (observer_exec(c->obs, st->sql) != 0) {
			st->obs.failed = 1;
			st->obs.error = xstrdup(error_message());
		}
	} else {
		int notx = s->node && notx_check(s->node, version, NULL);
		/* a statement the runner takes out of its transaction (the Supabase CLI's CREATE
		 * INDEX CONCURRENTLY, Alembic's autocommit_block): the runner commits what came
		 * before, runs it on its own and opens a new transaction for what follows */
		int alone = c->wrapped && lint_source_runs_alone(c->src, s) && observer_in_transaction(c->obs);
		if (alone && observer_exec(c->obs, "COMMIT") != 0) {
			c->fatal = 1;
			return 0;
		}
		size_t ncopy = 0;
		const char *copy = copy_data_of(s->node, text, c->src->len, s->end, &ncopy);
		observer_copy_data(c->obs, copy, ncopy);
		if (observer_run(c->obs, st->sql, notx || alone, &st->obs) != 0) {
			c->fatal = 1;
			return 0; /* so that sql_parse() records no error over the observation's */
		}
		if (alone && !st->obs.failed && observer_exec(c->obs, "BEGIN") != 0) {
			c->fatal = 1;
			return 0;
		}
		st->observed = 1;
		c->res->total_ms += st->obs.ms;
		if (s->node && !st->obs.failed) {
			predict(st, s->node, version);
			/* outside a transaction the locks are gone when the statement ends: only the
			 * samples taken while it ran were seen, which is no proof of absence. A DO
			 * block's statements are predicted one by one where they stand, not as the
			 * block. */
			if (st->obs.in_transaction && s->node->node_case != PG_QUERY__NODE__NODE_DO_STMT)
				st->mismatch = find_mismatch(st, s->node);
		}
	}
	observation_findings(c, st, s->node);
	if (st->obs.failed) {
		c->stop = 1;
		if (observer_in_transaction(c->obs) && observer_exec(c->obs, "ROLLBACK") != 0)
			c->fatal = 1;
		return 1;
	}
	track(c, st);
	return 0;
}

/* The lint source of a planned part, as `lint` builds it (framework, transaction, region). */
static void source_for(const struct plan_item *it, const struct lint_options *lo, const char *text, size_t len,
		       struct lint_source *src)
{
	*src = lint_source_for(it, lo, NULL, text, len);
	plan_item_source(it, lo, src);
}

/* Runs one part: its statements in order under its framework's transaction. Returns 0 (a
 * failing statement included: res->stopped says so), or -1 when the trace cannot go on. */
static int trace_part(struct lint_run *run, struct trace_result *res, const struct trace_options *opts,
		      struct observer *obs, const struct plan_item *it, const char *phase)
{
	size_t flen = 0;
	char *file = file_read(it->path, &flen);
	if (!file)
		return -1;
	struct lint_source src;
	if (it->part && it->part->text)
		source_for(it, run->opts, it->part->text, it->part->text_len, &src);
	else
		source_for(it, run->opts, file, flen, &src);
	struct trace_ctx c = { .run = run, .res = res, .opts = opts, .obs = obs, .src = &src, .phase = phase,
			       .report_text = file, .report_len = flen, .created = STRBUF_INIT, .stmt_index = -1 };
	srcmap_init(&c.map, file, flen);
	/* the run lists the files traced, with their statements, unless lint did (pgsieve check) or
	 * they are run again (the round trip's second up) */
	size_t listed = run->nfiles, fi = lint_run_file(run, it->path, src.framework);
	int count = fi >= listed && strcmp(phase, "up again") != 0;
	size_t first_stmt = res->n;
	int wrap = src.tx == LINT_TX_WRAPPED || src.tx == LINT_TX_IMPLICIT;
	c.wrapped = wrap;
	int rc = 0;
	if (wrap && observer_exec(obs, "BEGIN") != 0)
		rc = -1;
	struct sql_callbacks cb = { .ud = &c, .comment = on_comment, .statement = on_statement };
	if (rc == 0) {
		if (src.has_region)
			sql_parse_region(src.text, src.len, src.region_offset, src.region_len, &cb);
		else
			sql_parse(src.text, src.len, &cb);
		if (c.fatal) {
			rc = -1; /* the observation's error() is the message */
		} else {
			error_clear(); /* sql_parse()'s "stopped" */
		}
	}
	/* the runner commits its transaction; a BEGIN of the file left open is rolled back, as
	 * closing the connection does */
	if (rc == 0 && !c.stop && observer_in_transaction(obs) &&
	    observer_exec(obs, wrap ? "COMMIT" : "ROLLBACK") != 0) {
		/* a deferred constraint fails at COMMIT */
		char *msg = xasprintf("the migration fails at COMMIT on PostgreSQL %d: %s", res->server_version,
				      error_message());
		error_clear();
		report_on(&c, &rule_migration_fails, -1, src.has_region ? src.region_offset : 0, msg,
			  "a deferred constraint or trigger refused the rows at the end of the transaction");
		free(msg);
		c.stop = 1;
	}
	if (c.stop)
		res->stopped = 1;
	if (count)
		run->files[fi].nstatements += res->n - first_stmt;
	held_clear(&c);
	free(c.held);
	for (size_t i = 0; i < c.ndirectives; i++)
		directive_release(&c.directives[i]);
	free(c.directives);
	strbuf_release(&c.created);
	srcmap_release(&c.map);
	free(file);
	return rc;
}

/* A part run for context (an earlier migration), or a schema file: as one query. */
static int run_quietly(struct observer *obs, const char *text, size_t len, const char *what)
{
	/* psql's meta-commands (pg_dump's \restrict, \connect) are not SQL */
	struct strbuf sql = STRBUF_INIT;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		if (text[i] != '\\')
			strbuf_add(&sql, text + i, e - i);
		strbuf_add(&sql, "\n", 1);
		i = e + 1;
	}
	int rc = observer_exec(obs, sql.buf ? sql.buf : "");
	strbuf_release(&sql);
	if (rc != 0) {
		char *why = xstrdup(error_message()); /* error() overwrites the message it formats */
		error("%s fails on the server: %s", what, why);
		free(why);
	}
	return rc;
}

static int run_context(struct observer *obs, const struct lint_options *lo, const struct plan_item *it)
{
	size_t len = 0;
	char *file = it->part && it->part->text ? NULL : file_read(it->path, &len);
	if (!file && !(it->part && it->part->text))
		return -1;
	struct lint_source src;
	source_for(it, lo, file ? file : it->part->text, file ? len : it->part->text_len, &src);
	const char *text = src.text;
	size_t n = src.len;
	if (src.has_region) {
		text += src.region_offset;
		n = src.region_len;
	}
	char *what = xasprintf("the earlier migration '%s' (run to build the schema the traced ones start from)", it->path);
	char *copy = xstrndup(text, n);
	int rc = run_quietly(obs, copy, n, what);
	free(copy);
	free(what);
	free(file);
	return rc;
}

/* The schema as the database has it now (committed), for the round trip. */
static int load_model(const char *dsn, struct schema_model *m)
{
	schema_model_init(m);
	struct catalog_info info;
	if (catalog_load(m, dsn, NULL, &info) == 0)
		return 0;
	schema_model_release(m);
	return -1;
}

static const struct plan_item *down_of(const struct plan *plan, const struct plan_item *up)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].is_down && plan->items[i].migration == up->migration)
			return &plan->items[i];
	return NULL;
}

static int round_trip(struct lint_run *run, struct trace_result *res, const struct trace_options *opts,
		      struct observer *obs, const struct plan *plan, const struct plan_item *it, const char *dsn)
{
	const struct plan_item *down = it->migration ? down_of(plan, it) : NULL;
	if (!down)
		return trace_part(run, res, opts, obs, it, "up");
	struct schema_model before, after;
	if (load_model(dsn, &before) != 0)
		return -1;
	int rc = trace_part(run, res, opts, obs, it, "up");
	if (rc == 0 && !res->stopped)
		rc = trace_part(run, res, opts, obs, down, "down");
	if (rc == 0 && !res->stopped) {
		if (load_model(dsn, &after) != 0) {
			schema_model_release(&before);
			return -1;
		}
		struct diff d;
		diff_models(&d, &before, &after);
		if (d.n) {
			struct strbuf m = STRBUF_INIT;
			strbuf_addf(&m, "after the down migration the schema is not the one before the up: %zu difference%s (",
				    d.n, d.n == 1 ? "" : "s");
			for (size_t i = 0; i < d.n && i < 4; i++)
				strbuf_addf(&m, "%s%s %s %s%s%s", i ? ", " : "", diff_item_kind_name(&d.items[i]), d.items[i].key,
					    diff_change_name(d.items[i].change), d.items[i].attribute ? " " : "",
					    d.items[i].attribute ? d.items[i].attribute : "");
			strbuf_addf(&m, "%s)", d.n > 4 ? ", ..." : "");
			size_t len = 0;
			char *text = file_read(down->path, &len);
			lint_run_report_file(run, &rule_round_trip_differs, down->path, framework_name(down->fw), text, len,
					     down->part && down->part->has_region ? down->part->marker_offset : 0, m.buf,
					     "make the down undo exactly what the up does (pgsieve diff shows the difference "
					     "between two schemas)");
			free(text);
			strbuf_release(&m);
		}
		diff_release(&d);
		schema_model_release(&after);
		rc = trace_part(run, res, opts, obs, it, "up again");
	}
	schema_model_release(&before);
	return rc;
}

int trace_plan(struct lint_run *run, const struct plan *plan, const struct trace_options *opts,
	       struct trace_result *res)
{
	memset(res, 0, sizeof(*res));
	struct cluster cl;
	int have_cluster = 0;
	const char *dsn = opts->db;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].part && plan->items[i].part->text && plan->items[i].report && !plan->items[i].is_down &&
		    plan->items[i].part->note_static)
			return error("'%s' could only be read statically (%s): trace runs what Alembic renders",
				     plan->items[i].path, plan->items[i].part->note);
	if (!dsn) {
		if (cluster_start(&cl, opts->pg_bin) != 0) {
			cluster_stop(&cl);
			return -1;
		}
		have_cluster = 1;
		dsn = cl.dsn;
		res->start_seconds = cl.seconds;
	}
	int rc = -1;
	struct observer *obs = observer_open(dsn, opts->timeout);
	if (!obs)
		goto out;
	res->server_version = observer_server_version(obs);
	if (opts->db && !opts->scratch_ok) {
		char *names[3] = { 0 };
		long n = observer_foreign_tables(obs, names, 3);
		if (n != 0) {
			if (n > 0)
				error("the database given to --db holds %ld table%s pgsieve did not create (%s%s%s%s%s%s): "
				      "trace runs migrations and writes rows, so it takes only a scratch database; give "
				      "--i-know-this-is-scratch if this one is",
				      n, n == 1 ? "" : "s", names[0], names[1] ? ", " : "", names[1] ? names[1] : "",
				      names[2] ? ", " : "", names[2] ? names[2] : "", n > 3 ? ", ..." : "");
			for (int i = 0; i < 3; i++)
				free(names[i]);
			goto out;
		}
	}
	if (opts->schema_file) {
		size_t len = 0;
		char *text = file_read(opts->schema_file, &len);
		if (!text)
			goto out;
		char *what = xasprintf("the schema file '%s'", opts->schema_file);
		int failed = run_quietly(obs, text, len, what) != 0;
		free(what);
		free(text);
		/* pg_dump's file sets search_path to '' for the session */
		if (failed || observer_exec(obs, "RESET ALL; SET client_min_messages = warning; SET jit = off") != 0)
			goto out;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (!plan->items[i].report && !plan->items[i].is_down && run_context(obs, run->opts, &plan->items[i]) != 0)
			goto out;
	long filled = observer_fill(obs, opts->rows, &res->not_filled);
	if (filled < 0)
		goto out;
	res->filled = filled;
	rc = 0;
	for (size_t i = 0; i < plan->n && rc == 0; i++) {
		const struct plan_item *it = &plan->items[i];
		if (!it->report || it->is_down)
			continue;
		if (res->stopped) {
			res->not_run++;
			continue;
		}
		if (opts->round_trip)
			rc = round_trip(run, res, opts, obs, plan, it, dsn);
		else
			rc = trace_part(run, res, opts, obs, it, "up");
	}
	if (rc == 0 && opts->db && observer_mark_created(obs) != 0)
		rc = -1;
out:
	observer_close(obs);
	if (have_cluster)
		cluster_stop(&cl);
	return rc;
}

void trace_result_release(struct trace_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		struct trace_stmt *st = &res->stmts[i];
		free(st->sql);
		free(st->command);
		obs_result_release(&st->obs);
		for (size_t k = 0; k < st->npredicted; k++)
			free(st->predicted[k].relation);
		free(st->predicted);
		free(st->mismatch);
	}
	free(res->stmts);
	free(res->not_filled);
	memset(res, 0, sizeof(*res));
}
