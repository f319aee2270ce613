/* Migration history tables: which migrations a live database has applied, as the framework
 * recorded it, compared with the migrations on disk.
 *
 * Reading (history_read) uses the catalog's connection discipline (catalog/session.h): one
 * connection, REPEATABLE READ READ ONLY, search_path '', a short lock_timeout,
 * application_name 'pgsieve'; nothing is written. The table is looked up the way the framework
 * finds it: a table name is resolved along the connecting role's default search_path (what the
 * framework's own connection sees), Sqitch's registry is the schema `sqitch`, the Supabase
 * CLI's `supabase_migrations`; `table` overrides that ("schema.name", or a name resolved along
 * the search_path).
 *
 *   framework       table (default)                  what a row says
 *   golang-migrate  schema_migrations(version, dirty) the current version; dirty: it failed
 *   dbmate          schema_migrations(version)        one applied version
 *   pop             schema_migration(version)         one applied version
 *   supabase        supabase_migrations.schema_migrations(version)
 *   diesel          __diesel_schema_migrations(version, run_on)
 *   alembic         alembic_version(version_num)      a head; its ancestors are applied
 *   flyway          flyway_schema_history(...)        a run, with CRC-32 checksum and success
 *   prisma          _prisma_migrations(...)           a run, with SHA-256 checksum, finished_at,
 *                                                     rolled_back_at
 *   sqitch          sqitch.changes(...)               a deployed change, SHA-1 script_hash
 *
 * Comparing (history_compare) needs no database: it matches the rows with the set's
 * migrations and checksums the files where the framework stores a checksum (Flyway, Prisma,
 * Sqitch), the way the framework computes it. */
#ifndef PGSIEVE_HISTORY_H
#define PGSIEVE_HISTORY_H

#include <stddef.h>

#include "discover/migrations.h"

/* One row of the history table, as far as pgsieve needs it. */
struct history_row {
	char *key;      /* the version, revision, migration_name or change; NULL for a Flyway
			 * repeatable (see script) */
	char *script;   /* Flyway: the script's name; NULL for the others */
	char *checksum; /* as stored (Flyway: a signed 32-bit integer in decimal); NULL: none */
	char *change_id; /* Sqitch */
	char *type;     /* Flyway: SQL, BASELINE, UNDO_SQL, DELETE, SCHEMA, ... */
	int failed;     /* golang-migrate dirty, Flyway success = false, Prisma not finished */
	int rolled_back; /* Prisma: rolled_back_at is set (migrate resolve --rolled-back) */
	long long rank;  /* Flyway installed_rank; the row's place otherwise */
};

struct history {
	enum framework fw;
	int found;        /* the table exists */
	char *table;      /* schema.name found, or what was looked for ("schema_migrations on the
			   * search_path public") when not found */
	struct history_row *rows;
	size_t n, cap;
};

/* Whether pgsieve reads the history of fw (every framework but plain SQL). */
int history_supported(enum framework fw);

/* The project a Sqitch plan names (`%project=NAME` in dir/sqitch.plan), malloc'd, or NULL. */
char *history_sqitch_project(const char *dir);

/* Reads fw's history table from the database dsn names into h (h->found = 0 when there is no
 * such table: nothing was applied with that framework there). table: NULL for the default, or
 * "[schema.]name"; project: Sqitch's project, to read only its changes (NULL: all). Returns 0,
 * or -1 with error() (connection failures, a table that is not the framework's, lost
 * connections); the password never appears. history_release() is needed either way. */
int history_read(const char *dsn, enum framework fw, const char *table, const char *project, struct history *h);
void history_release(struct history *h);

enum history_state {
	HISTORY_PENDING,
	HISTORY_APPLIED,
	HISTORY_FAILED,   /* applied half-way or failed: the framework stops there */
	HISTORY_MODIFIED, /* applied, but the file changed since (its checksum differs) */
	HISTORY_MISSING_FILE, /* in the database, not on disk */
	HISTORY_STATE_COUNT
};

/* "pending", "applied", "failed", "modified", "missing-file" */
const char *history_state_name(enum history_state state);

struct history_entry {
	const struct migration *m;     /* NULL for missing-file */
	char *id; /* what the history table keys it by: the version, Alembic's revision, Prisma's
		   * directory name, Sqitch's change; a Flyway repeatable's script name */
	enum history_state state;
	const struct history_row *row; /* the row that decided; NULL when pending without one */
	char *file_checksum; /* the file's checksum as the framework computes it, when it has one */
	char *detail;        /* why, when that needs saying ("below the baseline 3"); or NULL */
};

struct history_status {
	struct history_entry *items; /* the set's order; missing files at the end */
	size_t n, cap;
	size_t counts[HISTORY_STATE_COUNT];
};

/* Matches h with set. Returns 0, or -1 with error() when a file to checksum cannot be read. */
int history_compare(const struct migration_set *set, const struct history *h, struct history_status *st);
void history_status_release(struct history_status *st);

/* The checksums as the frameworks compute them, of a file's bytes: Flyway's CRC-32 of the
 * lines without their terminators and without a leading byte order mark, as a signed 32-bit
 * number; Prisma's SHA-256 and Sqitch's SHA-1 as lowercase hex. Returned malloc'd. */
char *history_flyway_checksum(const char *text, size_t len);
char *history_sha256(const char *text, size_t len);
char *history_sha1(const char *text, size_t len);

#endif
