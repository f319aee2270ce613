/* The one header a rule includes.
 *
 * A rule is a `const struct rule` in rules/<id>.c, listed once in rules/rules.def. The engine
 * walks each statement's tree once and calls a rule's visit() for every node whose kind the
 * rule asked for (or once per statement with LINT_ANY_STATEMENT), with the model of the
 * database as it stands before the statement. Rules never print, exit, keep globals or
 * allocate outside the run: they call lint_report(). Facts about PostgreSQL live in
 * effects/ and sql/tree.h, not in the rules. */
#ifndef PGSIEVE_RULE_H
#define PGSIEVE_RULE_H

#include <stddef.h>
#include <stdint.h>

#include <pg_query/pg_query.pb-c.h>

#include "effects/effects.h"
#include "effects/locks.h"
#include "lint/finding.h"
#include "lint/options.h"
#include "schema/model.h"
#include "sql/tree.h"

/* In a rule's kinds list: call visit() once per statement with its top node. */
#define LINT_ANY_STATEMENT ((PgQuery__Node__NodeCase)-1)
#define LINT_KINDS_END PG_QUERY__NODE__NODE__NOT_SET

struct lint_ctx;

/* What a rule is about: `pgsieve rules`, JSON, SARIF tags and GitLab categories print the name,
 * and the engine decides by it which rules run on down migrations (not destructive nor
 * compatibility) and which findings get a size note (locking, rewrite). An enum, so that a
 * misspelt category fails the build instead of silently changing which rules run. */
enum rule_category {
#define CATEGORY(id, name) CATEGORY_##id,
#include "lint/categories.def"
#undef CATEGORY
};
/* "locking", "rewrite", ... */
const char *rule_category_name(enum rule_category c);

struct rule {
	const char *id;        /* kebab-case, stable forever */
	enum severity severity; /* default */
	enum rule_category category;
	const char *summary;   /* one line, no final full stop */
	/* Node kinds visit() wants, ended by LINT_KINDS_END; NULL for rules the engine reports
	 * itself (syntax-error, unused-suppression). */
	const PgQuery__Node__NodeCase *kinds;
	void (*visit)(struct lint_ctx *ctx, const PgQuery__Node *node);
	/* Called at the end of each migration; may be NULL. */
	void (*finish)(struct lint_ctx *ctx);
	/* What the rule's fix does, one line, where it has one (lint_fix_attach()); NULL: none.
	 * `pgsieve rules` and docs/rules/README.md show it. */
	const char *fix;
	/* Reported by `pgsieve trace` from what the server did, never by lint's walk: lint cannot
	 * tell whether a `pgsieve-ignore` naming it silences anything. */
	int observed;
};

/* What every rule can read about the run and the migration. */
int lint_pg_version(const struct lint_ctx *ctx);           /* major version, e.g. 15 */
int lint_in_transaction(const struct lint_ctx *ctx);       /* BEGIN open or framework wraps */
int lint_explicit_transaction(const struct lint_ctx *ctx); /* a BEGIN of the file is open */
int lint_framework_transaction(const struct lint_ctx *ctx); /* the runner's transaction is open */
/* Whether this is a down migration (rules of the destructive and compatibility categories are
 * not called for those). */
int lint_is_down(const struct lint_ctx *ctx);
/* Whether the statement is one a DO block runs (so it is inside that statement's transaction). */
int lint_in_do_block(const struct lint_ctx *ctx);
/* How the runner sends this migration (enum lint_tx in lint/run.h: wrapped, implicit, none). */
int lint_framework_tx_kind(const struct lint_ctx *ctx);
/* The migration's framework ("dbmate", "alembic", ...: framework_name() in
 * discover/migrations.h), or NULL for plain SQL. */
const char *lint_framework(const struct lint_ctx *ctx);
/* Whether the migration has a down part: 1 yes, 0 no, -1 its framework has none. */
int lint_has_down(const struct lint_ctx *ctx);
/* The framework's advice for a migration without a down part (how to add one, what its runner
 * does without one): 0 with both set, -1 when the framework has none. */
int lint_down_advice(const struct lint_ctx *ctx, const char **help, const char **consequence);
/* Whether this down part says on purpose that the up cannot be undone (lint_source.irreversible). */
int lint_irreversible(const struct lint_ctx *ctx);
/* Whether this down part's up runs no SQL, so an empty down is right (lint_source.nothing_to_undo). */
int lint_nothing_to_undo(const struct lint_ctx *ctx);
/* How many statements of the migration were seen so far (in finish(): all of them). */
size_t lint_statement_count(const struct lint_ctx *ctx);
/* The table of the index the current statement drops, as the runner's bridge knows it
 * (lint_segment.index_table), or NULL. */
const char *lint_statement_index_table(const struct lint_ctx *ctx);
/* What the runner's bridge said about how the part was read (lint_source.note), or NULL. */
const char *lint_source_note(const struct lint_ctx *ctx);
/* Whether that note says the part was read statically (lint_source.note_static). */
int lint_source_note_static(const struct lint_ctx *ctx);
struct schema_model *lint_model(struct lint_ctx *ctx);
/* In a down part: the model just before its up migration ran (*before), that model advanced by
 * the up (*up), and advanced by the up and then by this down's statements so far (*after; in
 * finish(): all of them). Returns 0 when they are not known (the up was not read in this run,
 * or the down belongs to no migration). */
int lint_undo_models(const struct lint_ctx *ctx, const struct schema_model **before,
		     const struct schema_model **up, const struct schema_model **after);
/* The table the RangeVar names, as the model knows it before this statement, or NULL. */
struct schema_table *lint_table(struct lint_ctx *ctx, const PgQuery__RangeVar *rv);
/* "schema.name" of the relation the RangeVar names, as PostgreSQL resolves it before this
 * statement, whether or not the model knows it yet: a key that stays the same for one table
 * across statements (an ALTER of a table the model has not seen adds it to the model). */
const char *lint_relation_key(struct lint_ctx *ctx, const PgQuery__RangeVar *rv);
/* Whether the table was created earlier in this migration (so nobody else can be using it). */
int lint_table_is_new(struct lint_ctx *ctx, const PgQuery__RangeVar *rv);
/* The effects (effects/effects.h) of the statement being visited on the target version. */
size_t lint_effects(const struct lint_ctx *ctx, struct effect *out, size_t max);
/* Whether the relation an effect touches was created earlier in this migration: a table (as
 * lint_table_is_new), or an index built in it or on a table created in it. 0 for
 * EFFECT_OBJ_ALL (every table of the database). */
int lint_effect_is_new(struct lint_ctx *ctx, const struct effect *e);
/* The top node of the statement being visited, and its text. */
const PgQuery__Node *lint_statement(const struct lint_ctx *ctx);
const char *lint_statement_text(const struct lint_ctx *ctx, size_t *len);
/* An identifier of the statement as written, before PostgreSQL's scanner cuts it to 63 bytes
 * (the tree holds the cut name): folded as the scanner folds it (unquoted: ASCII lower case;
 * quoted: without the quotes, "" as "), its length in bytes, and its `location` for
 * lint_report(). */
struct lint_ident_token {
	const char *name;
	size_t bytes;
	int location;
};
/* The statement's identifiers longer than `min_bytes`, in order, at most max written to out;
 * returns how many were written. */
size_t lint_statement_long_identifiers(struct lint_ctx *ctx, size_t min_bytes, struct lint_ident_token *out,
				       size_t max);
/* The line of the statement's first token, as a finding there would report it (1-based). */
uint32_t lint_statement_line(struct lint_ctx *ctx);
/* Ancestors of the node being visited: 0 is its parent, NULL past the statement. */
const PgQuery__Node *lint_parent(const struct lint_ctx *ctx, int up);
/* A value of a `SET` seen earlier in the migration ("lock_timeout"), or NULL. */
const char *lint_setting(const struct lint_ctx *ctx, const char *name);
/* The rule's per-migration scratch flag (for once-per-migration rules); reset each migration. */
int *lint_rule_state(struct lint_ctx *ctx, const struct rule *rule);
/* A per-migration pointer for the rule's own state (NULL at the start of each migration); put
 * memory from lint_alloc() there. */
void **lint_rule_data(struct lint_ctx *ctx, const struct rule *rule);
/* Like lint_rule_data(), for state of the open transaction: a part that continues the previous
 * part's transaction (Drizzle, Atlas's --tx-mode all) gets that part's pointer back. */
void **lint_transaction_data(struct lint_ctx *ctx, const struct rule *rule);
/* Zeroed memory that lives as long as the run. */
void *lint_alloc(struct lint_ctx *ctx, size_t size);

/* ---- remembering across statements (lint/remember.c) ---- */

/* A copy of s ("" for NULL) in the run's memory: the parse tree, and every string in it, is
 * freed before finish() runs (and, in large files, before later statements are read). */
const char *lint_keep(struct lint_ctx *ctx, const char *s);
/* The rule's per-migration state of `size` zeroed bytes in lint_rule_data()'s slot, allocated
 * at the migration's first call, which sets *fresh (for the rule to initialise it; fresh may
 * be NULL). */
void *lint_rule_memory(struct lint_ctx *ctx, const struct rule *rule, size_t size, int *fresh);
/* A list the rule keeps for the migration in lint_rule_data()'s slot, newest first: the items
 * are structs whose first member is a struct lint_link. lint_list_push() links a new zeroed item
 * of `size` bytes at the front and returns it; lint_list_head() is the newest (NULL: none). */
struct lint_link {
	const void *next;
};
void *lint_list_push(struct lint_ctx *ctx, const struct rule *rule, size_t size);
const void *lint_list_head(struct lint_ctx *ctx, const struct rule *rule);
/* Names for a message, "a, b, c": the list, the first one and how many (start zeroed). */
struct lint_names {
	const char *list, *first;
	size_t n;
};
void lint_names_add(struct lint_ctx *ctx, struct lint_names *names, const char *name);
/* An option from the configuration ("lock-timeout-set-by-runner"); 0 when unset. */
int lint_config_flag(const struct lint_ctx *ctx, const char *key);
/* All options of the run (vector-dimensions and the like). */
const struct lint_options *lint_options(const struct lint_ctx *ctx);

/* ---- ALTER TABLE ---- */

/* The table an ALTER TABLE changes when other sessions can be using it: as->relation for
 * ALTER TABLE (not ALTER INDEX, VIEW, SEQUENCE ..., which arrive as the same statement) of a
 * table not created earlier in this migration; NULL otherwise. */
const PgQuery__RangeVar *lint_altered_table(struct lint_ctx *ctx,
					     const PgQuery__AlterTableStmt *as);
/* What lint_altered_columns() calls for a subcommand and the column definition it carries. */
typedef void lint_column_cmd_fn(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
				const PgQuery__AlterTableCmd *cmd, const PgQuery__ColumnDef *cd);
/* For an ALTER TABLE of a table other sessions use (lint_altered_table()), fn() for each
 * subcommand of `subtype` with a column definition (ADD COLUMN, ALTER COLUMN ... TYPE). */
void lint_altered_columns(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as,
			  PgQuery__AlterTableType subtype, lint_column_cmd_fn *fn);
/* What lint_altered_old_columns() calls for a subcommand. */
typedef void lint_alter_cmd_fn(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			       const PgQuery__AlterTableCmd *cmd);
/* For an ALTER TABLE of a table other sessions use, fn() for each subcommand of `subtype` on a
 * column that existed before this migration (no deployed code knows one it added). */
void lint_altered_old_columns(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as,
			      PgQuery__AlterTableType subtype, lint_alter_cmd_fn *fn);
/* What lint_added_constraints() calls for a constraint of ADD CONSTRAINT, and for one written
 * on ADD COLUMN (with its column). */
typedef void lint_table_constraint_fn(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
				      const PgQuery__Constraint *con);
typedef void lint_column_constraint_fn(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
				       const PgQuery__ColumnDef *cd, const PgQuery__Constraint *con);
/* Every constraint the ALTER TABLE adds that `wanted` accepts, in the order written: table()
 * for ADD CONSTRAINT, column() for a constraint on ADD COLUMN. */
void lint_added_constraints(struct lint_ctx *ctx, const PgQuery__AlterTableStmt *as,
			    int (*wanted)(const PgQuery__Constraint *con), lint_table_constraint_fn *table,
			    lint_column_constraint_fn *column);
/* "a", "b" from a list of String nodes (column lists), each quoted as lint_ident() does. */
const char *lint_ident_list(struct lint_ctx *ctx, PgQuery__Node *const *items, size_t n);

/* A remembered place, for rules that decide later (in finish(), or at a later statement)
 * whether an earlier statement deserves a finding. */
struct lint_mark {
	uint32_t offset, end;
	int stmt_index;
	uint64_t stmt_hash; /* the statement's tokens, for the finding's fingerprint */
};

/* The place of a node's `location` in the current statement (-1: the whole statement). */
struct lint_mark lint_mark_here(const struct lint_ctx *ctx, int location);
void lint_report_mark(struct lint_ctx *ctx, const struct rule *rule, const struct lint_mark *mark,
		      const char *help, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Reports a finding of `rule` at a node's `location` (as found in the tree; -1 for the start of
 * the statement). The message names the object and the lock; help gives the safe way, as SQL
 * for the user's own statement where that is mechanical. help may be NULL. */
void lint_report(struct lint_ctx *ctx, const struct rule *rule, int location, const char *help,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Like lint_report(), one severity step above the rule's configured one (info -> warning ->
 * error; off stays off): for the worse form of the hazard a rule reports, such as an UPDATE
 * with no WHERE against one with. */
void lint_report_escalated(struct lint_ctx *ctx, const struct rule *rule, int location,
			   const char *help, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Like lint_report(), one severity step below the rule's configured one (error -> warning ->
 * info; info stays info): for the milder form of the hazard, such as a foreign key that takes
 * its locks but has no row to check. */
void lint_report_lowered(struct lint_ctx *ctx, const struct rule *rule, int location,
			 const char *help, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A finding that only the rest of the run decides: a later statement, in this migration or a
 * later one, takes it back with lint_withdraw() and the same key (a NOT VALID constraint that
 * a later migration validates). The key names the object, as the rule chooses. */
void lint_report_pending(struct lint_ctx *ctx, const struct rule *rule, int location, const char *key,
			 const char *help, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Takes back the rule's pending findings with this key, wherever in the run they are. */
void lint_withdraw(struct lint_ctx *ctx, const struct rule *rule, const char *key);
/* Whether the rule has a pending finding with this key in the run. */
int lint_is_pending(const struct lint_ctx *ctx, const struct rule *rule, const char *key);

/* Reports a finding about the migration part as a whole (no down part, an empty one), placed at
 * the part's start: dbmate's section marker, the `def downgrade` line of an Alembic revision,
 * line 1 of a file. For finish(). */
void lint_report_part(struct lint_ctx *ctx, const struct rule *rule, const char *help,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- fixes (docs/architecture.md, "Fixes are data") ----
 * A rule whose safe form is a mechanical rewrite of the user's text builds a fix and attaches
 * it to the finding it reports next:
 *
 *     struct lint_fix *fix = lint_fix_new(ctx, "use CREATE INDEX CONCURRENTLY");
 *     lint_fix_replace(ctx, fix, at, 0, " CONCURRENTLY");
 *     lint_fix_attach(ctx, fix);
 *     lint_report(ctx, &rule_x, ...);
 *
 * Offsets are absolute byte offsets in the file (lint_mark_here(), lint_find_token()). A fix is
 * dropped where the text linted is not the file (SQL rendered from an Alembic revision) and when
 * its edits overlap. */
struct lint_fix;
struct lint_fix *lint_fix_new(struct lint_ctx *ctx, const char *title);
/* Replaces bytes [offset, offset + length) of the linted file with text (length 0 inserts). */
void lint_fix_replace(struct lint_ctx *ctx, struct lint_fix *fix, uint32_t offset, uint32_t length,
		      const char *text);
/* The same in another file that exists (path as the run names files: lint_fix_sibling()). */
void lint_fix_replace_in(struct lint_ctx *ctx, struct lint_fix *fix, const char *path, uint32_t offset,
			 uint32_t length, const char *text);
/* A new file with that content. */
void lint_fix_create(struct lint_ctx *ctx, struct lint_fix *fix, const char *path, const char *content);
/* The next finding this visit (or finish()) reports carries fix; NULL attaches nothing. */
void lint_fix_attach(struct lint_ctx *ctx, struct lint_fix *fix);
/* Takes back a fix attached earlier in this migration part, when a later statement shows it
 * would be wrong (a type fix of a column the migration then alters): the finding stays, without
 * its fix. */
void lint_fix_void(struct lint_fix *fix);
/* Whether fixes can be made for the statement being visited: the text linted is the file's own
 * and the statement is not one a DO block runs. */
int lint_fix_possible(const struct lint_ctx *ctx);
/* Whether the statement being visited is an ALTER TABLE of exactly one command (so that text
 * added at its end belongs to that command). */
int lint_fix_single_alter(const struct lint_ctx *ctx);
/* The recipe's steps in the statement's place, each a statement of its own: the statement's
 * text (without its ';') replaced by `steps` joined with ";\n" (the statement's own ';' ends the
 * last). For recipes whose steps must commit one by one: only outside a transaction. NULL when
 * fixes are not possible there. */
struct lint_fix *lint_fix_steps(struct lint_ctx *ctx, const char *title, const char *const *steps, size_t n);
/* Whether the statement, rewritten to run outside a transaction block (CONCURRENTLY), can run
 * where it stands: fixes are possible, no transaction is open around it, and it is the only
 * statement of its migration part (a concurrent build commits along the way, so the others
 * would lose their atomicity, and an implicit transaction holds more than one statement). */
int lint_fix_runs_alone(struct lint_ctx *ctx);
/* For lint_fix_runs_alone(): whether the runner's transaction around the part can be turned off
 * by a marker the framework defines (dbmate's `transaction:false`, sqlx's `-- no-transaction`,
 * goose's `-- +goose NO TRANSACTION`; Diesel's `run_in_transaction = false` in metadata.toml and
 * Flyway's `executeInTransaction=false` in the script's .conf, files beside it), and the edit
 * that writes it, added to fix (nothing when no transaction is open): the marker, or the setting
 * written into the file beside it, or that file created. */
int lint_fix_notx_possible(const struct lint_ctx *ctx);
void lint_fix_notx_marker(struct lint_ctx *ctx, struct lint_fix *fix);
/* Whether the statement being visited is the last one of its migration part (nothing but
 * comments after it): moving it into the next migration changes no order within this one. */
int lint_statement_last(const struct lint_ctx *ctx);
/* The edit that takes the statement out of the file: its text, its ';', its line when nothing
 * else stands on it, with the `--` comment lines right above it. Returns where the text taken
 * out starts (the statement's start when there is no fix). */
uint32_t lint_fix_remove_statement(struct lint_ctx *ctx, struct lint_fix *fix);
/* A new migration right after the one linted, in the runner's layout and naming (golang-migrate,
 * goose, dbmate, sqlx, Diesel, Flyway, numbered plain SQL files), added to fix as files to
 * create: `up` its up part, `down` its down part where the runner's migrations have one, and the
 * runner's no-transaction marker when no_tx; name: a few words for its file name. 0 when it
 * cannot be written: another runner, a down part, rendered SQL, an explicit transaction, no free
 * version right after this migration, or no_tx where the runner wraps each migration and has no
 * marker. */
int lint_fix_new_migration(struct lint_ctx *ctx, struct lint_fix *fix, const char *name, const char *up,
			   const char *down, int no_tx);
/* For a constraint added NOT VALID in a migration the runner runs in a transaction (where the
 * ADD's lock is held to its end): `ALTER TABLE rel VALIDATE CONSTRAINT name` as a new migration
 * right after it, in a transaction of its own (lint_fix_new_migration()). */
int lint_fix_validate_next(struct lint_ctx *ctx, struct lint_fix *fix, const char *rel, const char *name);
/* The first token of the current statement of that kind (PG_QUERY__TOKEN__INDEX, ...) that
 * starts at or after the absolute offset `from`: 0 with its span, -1 when there is none. */
int lint_find_token(const struct lint_ctx *ctx, int kind, uint32_t from, uint32_t *start, uint32_t *end);
/* Whether the statement being visited is the only one of its migration part (nothing but
 * comments before or after it). */
int lint_statement_alone(const struct lint_ctx *ctx);
/* The first token of the current statement that starts at or after `from`: its kind with its
 * span, or -1 when there is none. */
int lint_token_after(const struct lint_ctx *ctx, uint32_t from, uint32_t *start, uint32_t *end);
/* Where the migration part's SQL starts in the file (after dbmate's `-- migrate:up` line, a
 * byte order mark), for fixes that add a statement at the top. */
uint32_t lint_part_start(const struct lint_ctx *ctx);
/* The linted file: its path as given and its whole text (len bytes). */
const char *lint_file_path(const struct lint_ctx *ctx);
const char *lint_file_text(const struct lint_ctx *ctx, size_t *len);
/* The path of a file named `name` in the linted file's directory. */
const char *lint_fix_sibling(struct lint_ctx *ctx, const char *name);

/* Formatting helpers that write into the run's memory (valid until the run is freed). */
char *lint_printf(struct lint_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "public"."orders" as written by the user. */
const char *lint_rel(struct lint_ctx *ctx, const PgQuery__RangeVar *rv);
/* "name" with double quotes. */
const char *lint_ident(struct lint_ctx *ctx, const char *name);
/* An expression of the statement as SQL (deparsed, so normalised: "now() + '1 day'::interval"),
 * for help texts; NULL when it cannot be deparsed. */
const char *lint_expr_sql(struct lint_ctx *ctx, const PgQuery__Node *expr);
/* A type as SQL, as the user named it ("bigint", "varchar(20)[]"); NULL when it cannot be
 * deparsed. */
const char *lint_type_sql(struct lint_ctx *ctx, const PgQuery__TypeName *tn);

#endif
