#include "effects/locks.h"

#include <string.h>

static const struct {
	const char *name;
	const char *server; /* pg_locks.mode: the server's name of the mode */
	const char *blocks;
	unsigned conflicts; /* bit i set: conflicts with lock mode i */
} lock_modes[] = {
#define BIT(m) (1u << (m))
	[LOCK_NONE] = { "no", "", "blocks nothing", 0 },
	[LOCK_ACCESS_SHARE] = { "ACCESS SHARE", "AccessShareLock", "blocks only ACCESS EXCLUSIVE (DDL that rewrites or drops)",
				BIT(LOCK_ACCESS_EXCLUSIVE) },
	[LOCK_ROW_SHARE] = { "ROW SHARE", "RowShareLock", "blocks EXCLUSIVE and ACCESS EXCLUSIVE",
			     BIT(LOCK_EXCLUSIVE) | BIT(LOCK_ACCESS_EXCLUSIVE) },
	[LOCK_ROW_EXCLUSIVE] = { "ROW EXCLUSIVE", "RowExclusiveLock", "blocks SHARE and stronger locks (index builds, most DDL)",
				 BIT(LOCK_SHARE) | BIT(LOCK_SHARE_ROW_EXCLUSIVE) | BIT(LOCK_EXCLUSIVE) |
					 BIT(LOCK_ACCESS_EXCLUSIVE) },
	[LOCK_SHARE_UPDATE_EXCLUSIVE] = { "SHARE UPDATE EXCLUSIVE", "ShareUpdateExclusiveLock",
					  "blocks other DDL, VACUUM and concurrent index builds; reads and writes go on",
					  BIT(LOCK_SHARE_UPDATE_EXCLUSIVE) | BIT(LOCK_SHARE) |
						  BIT(LOCK_SHARE_ROW_EXCLUSIVE) | BIT(LOCK_EXCLUSIVE) |
						  BIT(LOCK_ACCESS_EXCLUSIVE) },
	[LOCK_SHARE] = { "SHARE", "ShareLock", "blocks writes (INSERT, UPDATE, DELETE); reads go on",
			 BIT(LOCK_ROW_EXCLUSIVE) | BIT(LOCK_SHARE_UPDATE_EXCLUSIVE) |
				 BIT(LOCK_SHARE_ROW_EXCLUSIVE) | BIT(LOCK_EXCLUSIVE) | BIT(LOCK_ACCESS_EXCLUSIVE) },
	[LOCK_SHARE_ROW_EXCLUSIVE] = { "SHARE ROW EXCLUSIVE", "ShareRowExclusiveLock", "blocks writes (INSERT, UPDATE, DELETE); reads go on",
				       BIT(LOCK_ROW_EXCLUSIVE) | BIT(LOCK_SHARE_UPDATE_EXCLUSIVE) | BIT(LOCK_SHARE) |
					       BIT(LOCK_SHARE_ROW_EXCLUSIVE) | BIT(LOCK_EXCLUSIVE) |
					       BIT(LOCK_ACCESS_EXCLUSIVE) },
	[LOCK_EXCLUSIVE] = { "EXCLUSIVE", "ExclusiveLock", "blocks writes and SELECT ... FOR UPDATE; plain reads go on",
			     BIT(LOCK_ROW_SHARE) | BIT(LOCK_ROW_EXCLUSIVE) | BIT(LOCK_SHARE_UPDATE_EXCLUSIVE) |
				     BIT(LOCK_SHARE) | BIT(LOCK_SHARE_ROW_EXCLUSIVE) | BIT(LOCK_EXCLUSIVE) |
				     BIT(LOCK_ACCESS_EXCLUSIVE) },
	[LOCK_ACCESS_EXCLUSIVE] = { "ACCESS EXCLUSIVE", "AccessExclusiveLock", "blocks every read and write",
				    0xFFFFFFFFu & ~BIT(LOCK_NONE) },
#undef BIT
};

const char *lock_mode_name(enum lock_mode mode)
{
	return lock_modes[mode].name;
}

enum lock_mode lock_mode_from_server(const char *name)
{
	for (int m = LOCK_ACCESS_SHARE; m <= LOCK_ACCESS_EXCLUSIVE; m++)
		if (!strcmp(lock_modes[m].server, name))
			return (enum lock_mode)m;
	return LOCK_NONE;
}

const char *lock_mode_blocks(enum lock_mode mode)
{
	return lock_modes[mode].blocks;
}

int lock_conflicts(enum lock_mode a, enum lock_mode b)
{
	return (lock_modes[a].conflicts >> b) & 1u;
}

int lock_blocks_reads(enum lock_mode mode)
{
	return lock_conflicts(mode, LOCK_ACCESS_SHARE);
}

int lock_blocks_writes(enum lock_mode mode)
{
	return lock_conflicts(mode, LOCK_ROW_EXCLUSIVE);
}
