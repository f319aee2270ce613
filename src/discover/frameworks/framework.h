/* One migration runner, described in one place: how pgsieve recognises its layout, reads its
 * migrations (order, up and down parts, the transaction each part runs in and the per-file
 * directives that change it), which statements the runner treats specially, and where it
 * records what it applied. Each runner is src/discover/frameworks/<id>.c defining
 * `const struct framework_desc framework_<id>`, listed once in frameworks.def; docs/frameworks.md
 * has the facts and their sources. Adding a runner is one file, one line there, fixtures
 * (fixtures/frameworks/<name>/ and tests/frameworks.py) and its docs.
 *
 * The second half of this header is what the descriptions share for reading directories. */
#ifndef PGSIEVE_FRAMEWORK_H
#define PGSIEVE_FRAMEWORK_H

#include <stddef.h>
#include <stdint.h>

#include "discover/set.h"

/* How `status` matches the rows of a history table with the migrations (catalog/history.c). */
enum framework_history_kind {
	HISTORY_KIND_ROWS = 0,     /* a row per applied migration, keyed (see key) */
	HISTORY_KIND_CURRENT,      /* one row: the version last migrated to (golang-migrate) */
	HISTORY_KIND_HEADS,        /* the heads of a revision graph (Alembic) */
	HISTORY_KIND_RUNS,         /* a row per run, the last one of a version decides (Flyway) */
};

/* What a history row is keyed by, on the migration's side. */
enum framework_history_key {
	HISTORY_KEY_VERSION = 0,   /* the version as the file names write it */
	HISTORY_KEY_DOTTED,        /* the version with '_' written '.' (Flyway) */
	HISTORY_KEY_DIRECTORY,     /* the name of the migration's directory (Prisma) */
	HISTORY_KEY_NAME,          /* the migration's name (Sqitch's change) */
	HISTORY_KEY_NUMBER,        /* the version as a number, without leading zeros (a bigint column) */
	HISTORY_KEY_FILE,          /* the up file's name (sql-migrate's id) */
	HISTORY_KEY_STEM,          /* the up file's name without .sql (node-pg-migrate) */
};

/* The checksum a runner stores of a migration's up file. */
enum framework_checksum {
	CHECKSUM_NONE = 0,
	CHECKSUM_FLYWAY_CRC32,     /* CRC-32 of the lines without terminators, signed */
	CHECKSUM_PRISMA_SHA256,    /* hex; either line ending matches, old rows unpadded (history.c) */
	CHECKSUM_SHA1,             /* hex (Sqitch's script_hash) */
	CHECKSUM_SQLX_SHA384,      /* bytes, read as hex (sqlx's checksum) */
};

/* Several rows of one key (on top of one row per applied migration). */
enum framework_history_repeats {
	HISTORY_REPEATS_NONE = 0,    /* the first row of a key counts */
	HISTORY_REPEATS_ATTEMPTS,    /* a row per attempt: a finished one wins over failed and
				      * rolled-back ones (Prisma) */
	HISTORY_REPEATS_OCCURRENCES, /* a row per occurrence of the key in the plan (Sqitch's
				      * reworked changes), matched in order */
};

struct framework_history {
	const char *schema;  /* NULL: the table is resolved along the search_path */
	const char *table;   /* NULL: the runner keeps no history pgsieve reads */
	/* SELECT these columns FROM the table, then `rest`: key, script, checksum, change_id,
	 * type, failed, rolled_back, rank (catalog/history.c reads them in this order) */
	const char *columns;
	const char *rest;
	enum framework_history_kind kind;
	enum framework_history_key key;
	enum framework_checksum checksum;
	enum framework_history_repeats repeats;
	int by_project;      /* the query takes the project as $1 (Sqitch) */
	/* What `status` says of a failed row, a rolled-back row (HISTORY_KIND_ROWS) */
	const char *failed_detail, *rolled_back_detail;
	/* What to do about an applied migration edited since (modified-applied-migration) */
	const char *modified_help;
};

enum {
	FRAMEWORK_DOWNS = 1 << 0,     /* every migration is expected to have a down */
	FRAMEWORK_OWN_ORDER = 1 << 1, /* load() leaves the set in its final order (a plan, a graph) */
	FRAMEWORK_SUBPROJECTS = 1 << 2, /* a project's subdirectory may hold another project (Sqitch) */
	/* every pending migration runs in one transaction, committed after the last (Drizzle):
	 * a migration continues the transaction of the one before it (lint_source.continues_tx) */
	FRAMEWORK_ONE_TRANSACTION = 1 << 3,
};

struct layout_sections;
struct layout_split;

struct framework_desc {
	const char *name; /* --framework, `framework:` in .pgsieve.yml, "framework" in reports */
	/* Detection tries the descriptions by increasing rank (more specific layouts first);
	 * 0: never detected (plain SQL, what is left when nothing matches). */
	int detect_rank;
	/* Whether dir holds this layout; *why says what gave it away ("a sqitch.plan file"). */
	int (*detect)(const char *dir, const char **why);
	/* The name of a layout this one is a special case of (pop's files are golang-migrate's with
	 * more to say): when both match, detection takes this one without a note. */
	const char *refines;
	/* Reads the migrations of dir into set (set->fw and set->dir are set, the rest empty).
	 * Unreadable files are printed on stderr and counted in *errors; returns -1 with error()
	 * when the set cannot be read at all. */
	int (*load)(const char *dir, struct migration_set *set, int *errors);
	unsigned flags;
	/* Whether subdir, a directory of setdir, holds one migration or one kind of script of the
	 * set (Diesel's <ts>_x/up.sql, Sqitch's deploy/): a file named inside it is linted as part
	 * of the set. NULL: the set's files are all directly in setdir. */
	int (*owns_subdir)(const char *setdir, const char *subdir);
	/* Files ending so in the set's directory are the runner's but not SQL (Alembic's .py): a
	 * named one that is no migration is not linted alone. NULL: none. */
	const char *not_sql;
	/* What happens when two migrations share a version, for runners that key what they
	 * applied by version (a migration-graph problem); NULL: nothing to check, or checked by
	 * load(). */
	const char *duplicate_versions;
	/* Statements the runner takes out of the migration's transaction and runs on their own
	 * (lint_source.runs_alone; node is a PgQuery__Node); NULL: none. */
	int (*runs_alone)(const void *node);
	/* For parts with tx_detect: the runner chooses the transaction from the statements of
	 * src's text (region included). Returns the mode; when the runner refuses the part, a
	 * problem is added to set (when set is not NULL). */
	enum lint_tx (*statement_tx)(const struct lint_source *src, int pg_version, struct migration_set *set);
	/* The part as the runner is configured to run it, where that is set outside the files
	 * (Atlas's --tx-mode, which .pgsieve.yml says as atlas-tx-mode): may change src->tx, set
	 * src->continues_tx (the part runs on in the transaction of the migration before it) and
	 * add problems to set (when set is not NULL). src->text is the part's file. NULL: nothing
	 * to configure. */
	void (*configure)(struct lint_source *src, const struct lint_options *o, struct migration_set *set);
	/* Problems the runner has with a part that only its statements show (goose and
	 * sql-migrate cut statements at lines ending in ';'), added to set; NULL: none. Called
	 * for the parts being reported, with src's text as the runner reads it. */
	void (*check_part)(const struct lint_source *src, struct migration_set *set);
	/* Runners whose migration files hold marked up and down sections: how layout_load_sections
	 * reads them and layout_check_split checks their statements, for load and check_part set
	 * to layout_sections_load and layout_sections_check. NULL: none. */
	const struct layout_sections *sections;
	const struct layout_split *split;
	/* How a migration says it runs without the runner's transaction, for fixes that need it
	 * (CREATE INDEX CONCURRENTLY alone in its migration): text appended to the line that
	 * starts the part (dbmate's `-- migrate:up`), or a line the file must start with (sqlx).
	 * NULL: none that pgsieve writes. */
	const char *no_tx_marker_suffix, *no_tx_first_line;
	/* ... or a setting in a file beside the migration: no_tx_file is that file (starting with
	 * '.': the part's path with it appended, Flyway's <script>.sql.conf; else a name in the
	 * part's directory, Diesel's metadata.toml), no_tx_key the setting's key, no_tx_line the
	 * line that says "no transaction". NULL: none. */
	const char *no_tx_file, *no_tx_key, *no_tx_line;
	/* For fixes that move a statement into a new migration right after the one linted (a
	 * concurrent build sharing its migration with other statements, a VALIDATE that the
	 * runner would run in the transaction of its ADD): the files of that migration in the
	 * runner's layout and naming. NULL: pgsieve does not write this runner's migrations. */
	lint_new_migration_fn new_migration;
	/* For missing-downgrade: how to add a down part, and what the runner does without one. */
	const char *down_help, *down_consequence;
	struct framework_history history;
};

#define FRAMEWORK(id, sym) extern const struct framework_desc framework_##id;
#include "discover/frameworks/frameworks.def"
#undef FRAMEWORK

/* ---- for the descriptions: reading directories ---- */

int layout_is_dir(const char *path);
int layout_is_file(const char *path);
/* Whether dir/name is a regular file (dir/sub/name when sub is not NULL). */
int layout_has_file(const char *dir, const char *sub, const char *name);
/* Whether dir/name exists as a file or a directory. */
int layout_exists_in(const char *dir, const char *name);
int layout_ends_with(const char *s, const char *suffix);
/* Leading digits of name (the version of most runners' file names). */
size_t layout_digits(const char *name);

/* The entries of dir without hidden ones, sorted bytewise; NULL-terminated. */
char **layout_list(const char *dir, size_t *count);
void layout_list_free(char **names);
/* Whether an entry of dir satisfies pred. */
int layout_any(const char *dir, int (*pred)(const char *dir, const char *name));

/* A line `key = value` (TOML or Java properties style, or `key: value`) in a small file;
 * 1 when found with that value. */
int layout_file_has_setting(const char *path, const char *key, const char *value);

/* The end of the line that starts at text[at] (the offset of its '\n', or len); *n is its length
 * without the line end ("\n" or "\r\n"). Loops over lines: i = end + 1. */
size_t layout_line_end(const char *text, size_t len, size_t at, size_t *n);

/* The first line of text[0..len) that starts with marker: its offset, or -1. *line_end is
 * the offset after the line's newline; rest/rest_len the rest of the line after the marker. */
long layout_find_marker(const char *text, size_t len, const char *marker, size_t *line_end,
			const char **rest, size_t *rest_len);

/* file_read() of a migration file; when it cannot be read, NULL after printing the error on
 * stderr and counting it in *errors (what load() does with an unreadable file). */
char *layout_read_migration(const char *path, size_t *len, int *errors);
/* <digits>[_]<name>.sql: *version the leading digits, *name the rest without the '_' and the
 * ".sql" (both allocated). */
void layout_version_name(const char *file, char **version, char **name);
/* Part p is text[from, to) of its file, its marker line at `marker` (-1: none, from). */
void layout_part_region(struct migration_part *p, size_t from, size_t to, long marker);

/* Runners with a directory per migration, <version>_<name>/ holding the up file (Diesel's
 * up.sql, Prisma's migration.sql) and maybe the down file (down.sql): the version is what comes
 * before the first '_' (all of it without one), rewritten by version() when not NULL; tx(sub)
 * is the mode of the migration in directory sub, both parts alike. */
void layout_load_dirs(const char *dir, struct migration_set *set, const char *up_file, const char *down_file,
		      enum lint_tx (*tx)(const char *sub), void (*version)(char *version));

/* golang-migrate and pop: N_name[.dialect][.autocommit].{up,down}.sql, paired by version. */
/* runner: its name for messages; pop: the pop variant (.postgres. files win, .autocommit.) */
void layout_load_up_down(const char *dir, struct migration_set *set, const char *runner, int pop);
int layout_is_up_down_file(const char *dir, const char *name);
/* Whether name is a variant of another database (.mysql., .sqlite3., .cockroach., ...). */
int layout_foreign_dialect(const char *name);

/* Runners that keep a migration's up and down parts as sections of one file, marked by
 * comment lines (goose, sql-migrate, tern, node-pg-migrate). */
enum layout_line {
	LAYOUT_LINE_SQL = 0,
	LAYOUT_LINE_UP,          /* starts the up section (*no_tx: the marker says no transaction) */
	LAYOUT_LINE_DOWN,        /* starts the down section (likewise) */
	LAYOUT_LINE_NO_TX,       /* a directive: the whole file runs without a transaction */
	LAYOUT_LINE_NO_TX_PART,  /* a directive: the section it stands in runs without one */
	LAYOUT_LINE_BLOCK_BEGIN, /* the lines up to BLOCK_END are one statement (StatementBegin) */
	LAYOUT_LINE_BLOCK_END,
};
struct layout_sections {
	/* Classifies one line (without its line end). */
	enum layout_line (*line)(const char *line, size_t len, int *no_tx);
	enum lint_tx tx, no_tx;  /* a section's mode, and with a no-transaction directive */
	/* Which files are migrations: NULL for <digits>[_name].sql */
	int (*is_migration)(const char *name);
	/* The runner's own rewriting of a file's text before it splits it (goose's ENVSUB), for
	 * the parts of m just read from text; NULL: none. */
	void (*rewrite)(const char *text, size_t len, struct migration *m);
};
/* How a runner cuts a section into statements: at the end of each line whose last word
 * (before a word starting with "--") ends in ';', except between the block markers, where the
 * block end cuts. The strings name the runner and its markers in findings. */
struct layout_split {
	const char *runner;               /* "goose" */
	const char *block_begin, *block_end; /* "-- +goose StatementBegin", ... */
	const char *unfinished;           /* what the runner says of a statement left without ';' */
};
/* Reports (runner-statement-split) where the runner's cuts disagree with the statements of
 * src's part: a cut inside a statement, a last statement the runner finds unfinished, a block
 * never closed. */
void layout_check_split(const struct lint_source *src, struct migration_set *set, const struct layout_split *r,
			enum layout_line (*line)(const char *line, size_t len, int *no_tx));
/* Reads every migration file of dir with sections; without an up marker the up part starts at
 * the file's start (what tern and node-pg-migrate do; goose and sql-migrate refuse such a
 * file, which is then linted whole). */
void layout_load_sections(const char *dir, struct migration_set *set, const struct layout_sections *r,
			  int *errors);
/* load() and check_part() of a runner with `sections` (and `split`) in its description. */
int layout_sections_load(const char *dir, struct migration_set *set, int *errors);
void layout_sections_check(const struct lint_source *src, struct migration_set *set);
/* Whether a migration file of dir has a line of kind `kind` (for detection). */
int layout_sections_any(const char *dir, const struct layout_sections *r, enum layout_line kind);
/* Whether name is <digits>[_anything].sql */
int layout_is_numbered_sql(const char *name);
/* The comment line at the top of text (before its first statement) that starts with prefix,
 * compared without case: its offset, or -1. *rest is what follows prefix on the line. */
long layout_header_line(const char *text, size_t len, const char *prefix, const char **rest, size_t *rest_len);

/* For new_migration: the version after the one name starts with (its characters up to the
 * first '_'): its last run of digits plus one, as wide. NULL when that would be wider, or an
 * entry of dir (a file or a directory) has a version after name's and up to the new one, as
 * bytes or as numbers (the new migration would not run right after name's). malloc'd. */
char *layout_next_version(const char *dir, const char *name);
/* words made a part of a file name: lowercase ASCII letters, digits and '_' (others become
 * '_'), at most 48 bytes. malloc'd. */
char *layout_slug(const char *words);
/* For new_migration: <path's directory>/<next version>_<words as a slug><suffix>, the file of
 * a migration right after the one of path (a file, or Diesel's directory); NULL when no version
 * is free there (layout_next_version()). malloc'd. */
char *layout_next_path(const char *path, const char *words, const char *suffix);
/* For new_migration: out[*n] set to the file path (malloc'd, taken) with content (copied), *n
 * advanced. */
void layout_new_file(struct lint_new_file *out, size_t *n, char *path, const char *content);

/* *.sql files of dir in name order, each the up part of a migration run in tx (the Supabase CLI,
 * plain SQL). */
void layout_load_sql_files(const char *dir, struct migration_set *set, enum lint_tx tx);

#endif
