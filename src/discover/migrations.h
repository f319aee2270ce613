/* Migration frameworks: recognising a framework's layout in a directory and turning it into an
 * ordered list of migrations, each with its up and down parts and the way the framework runs
 * them (in a transaction, as one multi-statement query, or statement by statement).
 *
 * The facts per framework, with their sources, are in docs/frameworks.md. */
#ifndef PGSIEVE_MIGRATIONS_H
#define PGSIEVE_MIGRATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "lint/run.h"

enum framework {
	FW_SQL = 0,     /* plain SQL files, no framework */
	FW_GOLANG_MIGRATE,
	FW_POP,         /* ory/pop (Kratos): fizz-less SQL migrations */
	FW_DIESEL,
	FW_FLYWAY,
	FW_DBMATE,
	FW_SQITCH,
	FW_PRISMA,
	FW_SUPABASE,
	FW_ALEMBIC,
	FW_COUNT
};

const char *framework_name(enum framework fw);
/* Returns -1 for an unknown name. */
int framework_parse(const char *name, enum framework *out);
/* Whether the framework has down migrations at all (Prisma, Supabase and plain SQL do not;
 * Flyway only has them as undo scripts). */
int framework_has_downs(enum framework fw);

/* One part (up or down) of a migration: a file, or a region of one (dbmate sections). */
struct migration_part {
	char *path;             /* NULL: the part does not exist */
	int has_region;         /* only offset..offset+len of the file is this part */
	uint32_t offset, len;
	uint32_t marker_offset; /* where the part's marker stands (dbmate's -- migrate:down) */
	enum lint_tx tx;
	/* Rendered from another language (Alembic's upgrade() or downgrade()): the SQL to lint
	 * instead of the file's text, and where each piece of it comes from in the file. */
	char *text;
	size_t text_len;
	struct lint_segment *segments;
	size_t nsegments;
	int irreversible; /* the part only raises (NotImplementedError): undoing is refused */
	int nothing_to_undo; /* a down whose up runs no SQL (an Alembic merge revision) */
	char *note;       /* how the part was read, when that deserves a note */
	int note_static;  /* note: read statically, and why; else what rendering could not know */
	/* Flyway: no executeInTransaction in a .conf, so Flyway decides from the statements */
	int tx_detect;
};

struct migration {
	enum framework fw;
	char *version;  /* what orders migrations: a number, a timestamp, a Flyway version */
	char *name;
	struct migration_part up, down;
	int repeatable; /* Flyway R__ scripts: run after the versioned ones */
	/* Alembic: the revisions this one follows (down_revision) and needs (depends_on), by id;
	 * what a head in alembic_version implies as applied. NULL for the other frameworks. */
	char **parents;
	size_t nparents;
};

/* Something wrong with a set as a whole, found while reading it (two migrations with one
 * version, a broken revision graph, a Sqitch plan out of step with its scripts): reported after
 * linting, with the rule `rule`, at byte `offset` of `path`. */
struct migration_problem {
	const char *rule;
	char *path;
	uint32_t offset;
	char *message, *help;
};

struct migration_set {
	enum framework fw;
	char *dir;
	struct migration *items;
	size_t n, cap;
	struct migration_problem *problems;
	size_t nproblems, problems_cap;
	int downs_in_use; /* Flyway: the directory has undo scripts, so each migration wants one */
	int partial;      /* only some of its files were named on the command line */
	char *env;        /* Alembic: the ini section of the environment (NULL: [alembic]) */
	/* Alembic: no revision defines a downgrade() that does something, by policy; reported
	 * once for the set (a missing-downgrade problem), not per revision, unless require-down */
	int no_downs;
};

/* Records a problem of the set (the strings are copied). */
void migration_set_problem(struct migration_set *set, const char *rule, const char *path,
			   uint32_t offset, const char *help, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Detects the framework laid out directly in dir; FW_SQL when none is recognised. */
enum framework migrations_detect(const char *dir);

/* Reads the migrations of framework fw in dir, in the order the framework applies them
 * (set->env, when the caller set it, is kept: the Alembic environment to read).
 * Problems (unreadable files) are printed on stderr and counted in *errors. */
int migrations_load(const char *dir, enum framework fw, struct migration_set *set, int *errors);
void migration_set_release(struct migration_set *set);

#endif
