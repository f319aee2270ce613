/* A lint run: the files linted, in order, and everything found in them. Migrations are linted
 * one after another against one model of the database, so a later migration knows the tables
 * and column types an earlier one created. */
#ifndef PGSIEVE_RUN_H
#define PGSIEVE_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "lint/finding.h"
#include "lint/options.h"
#include "schema/model.h"
#include "util/arena.h"

struct dispatch;
struct sql_ahead;

/* How the migration runner sends a migration to PostgreSQL. */
enum lint_tx {
	LINT_TX_UNKNOWN = 0, /* plain SQL: whatever the file says (BEGIN ...) */
	LINT_TX_WRAPPED,     /* the runner wraps it in BEGIN ... COMMIT: a BEGIN in it nests */
	LINT_TX_IMPLICIT,    /* sent as one multi-statement query: PostgreSQL runs it in an implicit
			      * transaction when it holds more than one statement; an explicit BEGIN
			      * in it is allowed (golang-migrate, Prisma) */
	LINT_TX_NONE,        /* run statement by statement in autocommit (known non-transactional) */
};

/* How a part written in another language became the SQL linted (Alembic's revisions): mode
 * "alembic" (Alembic's own offline rendering) or "static" (pgsieve read the source), and the
 * Python interpreter that did it. mode NULL: the text is the user's own SQL. */
struct lint_renderer {
	const char *mode;
	const char *python, *python_version; /* the interpreter's path and version */
	const char *alembic, *sqlalchemy;    /* their versions in it; NULL: not imported there */
};

/* A file of a new migration that a fix writes. */
struct lint_new_file {
	char *path, *content;
};
enum { LINT_NEW_FILES_MAX = 4 };
/* The files of a new migration that runs right after the one whose part is the file at path:
 * named after `name` ("validate_orders_user_fk"), its up part `up`, its down part `down` where
 * the runner's migrations have one (a file with a down, a directory whose migrations have
 * undo scripts), and the runner's no-transaction marker when no_tx. Written malloc'd into out
 * (at most LINT_NEW_FILES_MAX); returns how many, 0 when no version is free right after the
 * migration (the new one would not run next) or its file name is not the runner's. */
typedef size_t (*lint_new_migration_fn)(const char *path, const char *name, const char *up, const char *down,
					int no_tx, struct lint_new_file *out);

/* What is known about how a migration will be run. */
struct lint_source {
	const char *path;     /* as given by the user; reports print it as it is */
	const char *text;     /* the whole file; must be followed by a NUL byte: text[len] == 0 */
	size_t len;
	/* The part of the file that is this migration (a dbmate section), when has_region. */
	int has_region;
	uint32_t region_offset, region_len;
	enum lint_tx tx;
	const char *framework; /* "golang-migrate", ...; NULL for plain SQL */
	int has_down;          /* 1 yes, 0 no, -1 the framework has no down migrations */
	/* From the framework's description: how to add a missing down part, and what the runner
	 * does without one (missing-downgrade); NULL when it has nothing to say. */
	const char *down_help, *down_consequence;
	/* Read only to advance the model (an earlier migration of a set whose later files are
	 * being linted): no rule runs, nothing is reported, the file is not listed. */
	int context_only;
	/* Lint against a model of its own that starts empty (a down migration: it runs after
	 * its up, not in sequence with the others). */
	int separate_model;
	/* A down migration: undoing what its up did is its purpose, so the rules of the
	 * "destructive" and "compatibility" categories (dropping what the up added, renaming
	 * back) stay quiet; locks, rewrites and failures are still reported. */
	int is_down;
	/* Where the part starts, for findings about the part as a whole (missing-downgrade): the
	 * offset of dbmate's `-- migrate:down` line when has_region; otherwise the text's start. */
	uint32_t marker_offset;
	/* The down part says on purpose that the up cannot be undone (Alembic: a downgrade()
	 * that only raises NotImplementedError). */
	int irreversible;
	/* A down part whose up runs no SQL (an Alembic merge revision): nothing to undo. */
	int nothing_to_undo;
	/* The migration this part belongs to (any pointer that is the same for its up and its
	 * down; NULL: unknown): how a down finds the model from before its up
	 * (downgrade-not-inverse). */
	const void *migration;
	/* SQL rendered from a migration written in another language (Alembic's upgrade() and
	 * downgrade()): text is that SQL, path the user's file, and each segment says where a
	 * piece of the text comes from in it. Findings are placed there. NULL: text is the
	 * user's file. */
	const struct lint_segment *segments;
	size_t nsegments;
	/* Statements the runner takes out of the migration's transaction and runs on their
	 * own, in autocommit (the Supabase CLI's pipeline-incompatible statements): returns 1 for
	 * such a statement (node is its PgQuery__Node). NULL: none. */
	int (*runs_alone)(const void *node);
	/* Something the runner's bridge wants said about how the part was read, reported by the
	 * alembic-static-analysis rule; NULL: none. note_static: the part was read statically
	 * (note says why); else it was rendered and note says what was unknown while rendering
	 * (modules replaced by stand-ins, Python run against the database). */
	const char *note;
	int note_static;
	struct lint_renderer renderer;
	/* From the framework's description: how the part says it runs without the runner's
	 * transaction (framework_desc.no_tx_marker_suffix, no_tx_first_line, or the setting
	 * no_tx_line in the file no_tx_file beside it); NULL: no way. */
	const char *no_tx_marker_suffix, *no_tx_first_line;
	const char *no_tx_file, *no_tx_key, *no_tx_line;
	/* How the framework writes a new migration right after this one (fixes that move a
	 * statement out of the migration); NULL: pgsieve does not write the runner's migrations. */
	lint_new_migration_fn new_migration;
	/* The part's region (lint_source_region()) was queued there to be parsed ahead, the
	 * oldest region queued and not delivered when lint_run_source() is called, which takes it
	 * from there instead of parsing it (src/sql/sql.h, sql_ahead_*). NULL: parsed then. */
	struct sql_ahead *ahead;
	/* The part runs on in the transaction of the part linted just before it, which the runner
	 * does not commit in between (Drizzle's migrator and Atlas's --tx-mode all run every
	 * pending migration in one transaction): the locks that part took are still held here
	 * (lint_transaction_data()). Has no effect after a context-only part or a part run
	 * outside a transaction. */
	int continues_tx;
};

/* The part of a source that is parsed: its region, without a byte order mark. */
void lint_source_region(const struct lint_source *src, uint32_t *from, size_t *n);

/* A piece of a rendered text (lint_source.segments), in text order: text[start..] up to the
 * next segment's start comes from the user's file at line:column..end_line:end_column (1-based,
 * columns in characters), bytes offset..end_offset. */
struct lint_segment {
	uint32_t start;
	uint32_t line, column, end_line, end_column;
	uint32_t offset, end_offset;
	int alone; /* runs outside the runner's transaction (Alembic's autocommit_block()) */
	/* pgsieve wrote this SQL from a call's arguments (Alembic's static reading), the user did
	 * not: if it does not parse, that is pgsieve's failure to read the call
	 * (alembic-static-analysis), not a statement that fails (syntax-error) */
	int assembled;
	/* The table of the index a DROP INDEX here drops, as the bridge knows it (Alembic's
	 * op.drop_index(..., table_name=...)): the SQL does not say it. NULL: not known. */
	const char *index_table;
};

/* "in a transaction", "implicit transaction", "no transaction", "unknown" */
const char *lint_tx_name(enum lint_tx tx);

struct lint_file {
	const char *path;
	size_t nstatements;
	const char *framework; /* NULL for plain SQL */
	enum lint_tx tx;
	int has_down;          /* 1 yes, 0 no, -1 the framework has no down migrations */
	int is_down;
	/* Where each statement's first token is, by statement index (finding.stmt_index): a
	 * comment directive above it applies to it (pgsieve lsp's "ignore" action). NULL for a
	 * file with no statement, a file listed outside the statement walk, and rendered SQL
	 * (lint_source.segments: its offsets are not the user's file's). */
	const uint32_t *stmt_offsets;
	size_t nstmt_offsets;
	struct lint_renderer renderer; /* copied into the run's arena */
};

struct lint_run {
	const struct lint_options *opts;
	struct arena arena; /* paths, messages, help texts */
	struct schema_model model;
	struct lint_file *files;
	size_t nfiles, files_cap;
	struct finding *findings;
	size_t nfindings, findings_cap;
	struct dispatch *dispatch; /* which enabled rules want which node kinds */
	/* lint --db read the migration history tables: skipped_applied migrations were not linted,
	 * being applied in the database already (the reporters say so) */
	int history_checked;
	size_t skipped_applied;
	/* the history tables found ("schema.name"): the tool's, not the migrations' (--drift
	 * leaves them out) */
	struct schema_strlist history_tables;
	/* downgrade-not-inverse: a copy of the model taken before the latest up part that has a
	 * down, and the migration it belongs to (lint_source.migration) */
	struct schema_model *undo_base;
	const void *undo_of;
	/* what undo_base holds of the tables and indexes: those these names name (what the up
	 * and the down can touch, schema_model_copy_named()), or all of them when undo_whole */
	struct strmap undo_names;
	int undo_whole;
	/* the rules' state of the transaction the last linted part left open, for a part that
	 * continues it (lint_source.continues_tx); NULL: none open */
	void **tx_data;
};

void lint_run_init(struct lint_run *run, const struct lint_options *opts);
void lint_run_release(struct lint_run *run);

/* Lints one migration. Problems with the input itself (not UTF-8, NUL bytes, syntax errors)
 * become findings; returns -1 with error() only for failures of the tool. */
int lint_run_source(struct lint_run *run, const struct lint_source *src);

/* Whether the runner takes the statement out of the migration's transaction and runs it on
 * its own (lint_source.runs_alone, or a rendered segment marked alone: Alembic's
 * autocommit_block). */
struct sql_stmt;
int lint_source_runs_alone(const struct lint_source *src, const struct sql_stmt *st);

/* Counts of findings by severity; the highest severity found (SEVERITY_OFF for none). */
enum severity lint_run_max_severity(const struct lint_run *run, size_t counts[4]);

/* The index of path in run->files, listed there (as a file of `framework`, NULL: plain SQL)
 * when it is not yet: pgsieve trace lists the files it ran. */
size_t lint_run_file(struct lint_run *run, const char *path, const char *framework);

/* Records a finding about a file as a whole or a set of migrations (a revision graph, a Sqitch
 * plan), found outside the statement walk: at byte `offset` of path, whose text (len bytes)
 * gives the line and column (text may be NULL: line 1). The file is listed in the run, as a file
 * of `framework` (NULL: plain SQL), if it is not yet. Nothing is recorded when the rule is off. */
void lint_run_report_file(struct lint_run *run, const struct rule *rule, const char *path,
			  const char *framework, const char *text, size_t len, uint32_t offset,
			  const char *message, const char *help);

#endif
