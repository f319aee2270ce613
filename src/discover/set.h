/* A migration set: the migrations of one directory, in the order their runner applies them,
 * each with its up and down parts and the way the runner sends them to PostgreSQL (in a
 * transaction, as one multi-statement query, or statement by statement), and the problems of
 * the set as a whole. discover/migrations.h reads a set with a framework's description
 * (discover/frameworks/); this header is what the descriptions and their readers share. */
#ifndef PGSIEVE_SET_H
#define PGSIEVE_SET_H

#include <stddef.h>
#include <stdint.h>

#include "lint/run.h"

enum framework {
#define FRAMEWORK(id, sym) FW_##sym,
#include "discover/frameworks/frameworks.def"
#undef FRAMEWORK
	FW_COUNT
};

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
	/* text is the file itself with some bytes replaced in place (goose's ENVSUB lines): the
	 * same length and line structure, so the part's region and every position still apply */
	int text_in_place;
	int irreversible; /* the part only raises (NotImplementedError): undoing is refused */
	int nothing_to_undo; /* a down whose up runs no SQL (an Alembic merge revision) */
	char *note;       /* how the part was read, when that deserves a note */
	int note_static;  /* note: read statically, and why; else what rendering could not know */
	struct lint_renderer renderer; /* who made text (its strings malloc'd); mode NULL: none */
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

/* Appends a migration (version and name copied) of the set's framework; its parts are empty. */
struct migration *migration_set_add(struct migration_set *set, const char *version, const char *name);

/* The versioned (not repeatable) migration whose version compares equal to version, or NULL. */
struct migration *migration_set_find(struct migration_set *set, const char *version);

/* Sorts the set by version (repeatable migrations last, then by name). */
void migration_set_sort(struct migration_set *set);

/* Sets a part's file (path is taken over) and transaction mode. */
void migration_part_set(struct migration_part *p, char *path, enum lint_tx tx);
/* The part's text is a copy of `text`, len bytes that are the file with some bytes replaced in
 * place (text_in_place). */
void migration_part_text_in_place(struct migration_part *p, const char *text, size_t len);

/* Compares versions the way runners order them: runs of digits by value, other characters
 * by byte ("9" < "10", "1.2" < "1.10", "2_1" after "2"). */
int migration_version_cmp(const char *a, const char *b);

void migration_set_release(struct migration_set *set);

#endif
