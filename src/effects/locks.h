/* PostgreSQL's table-level lock modes and what each one blocks, from the "Explicit Locking"
 * chapter of the PostgreSQL documentation. Rules and messages read these instead of repeating
 * the facts. */
#ifndef PGSIEVE_LOCKS_H
#define PGSIEVE_LOCKS_H

enum lock_mode {
	LOCK_NONE = 0,
	LOCK_ACCESS_SHARE,
	LOCK_ROW_SHARE,
	LOCK_ROW_EXCLUSIVE,
	LOCK_SHARE_UPDATE_EXCLUSIVE,
	LOCK_SHARE,
	LOCK_SHARE_ROW_EXCLUSIVE,
	LOCK_EXCLUSIVE,
	LOCK_ACCESS_EXCLUSIVE,
};

/* "ACCESS EXCLUSIVE" */
const char *lock_mode_name(enum lock_mode mode);
/* The mode pg_locks names "AccessExclusiveLock", ...; LOCK_NONE for a name it is not. */
enum lock_mode lock_mode_from_server(const char *name);
/* What other sessions cannot do while the lock is held, for messages: "blocks reads and
 * writes", "blocks writes (INSERT, UPDATE, DELETE)", ... */
const char *lock_mode_blocks(enum lock_mode mode);
/* Whether a lock in mode a conflicts with one in mode b (the conflict table). */
int lock_conflicts(enum lock_mode a, enum lock_mode b);
/* Whether the mode stops plain SELECTs, or INSERT/UPDATE/DELETE. */
int lock_blocks_reads(enum lock_mode mode);
int lock_blocks_writes(enum lock_mode mode);

#endif
