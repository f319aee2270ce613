/* Migration frameworks: recognising a runner's layout in a directory and reading it into a
 * migration set (discover/set.h), through the runners' descriptions in discover/frameworks/
 * (one file each, listed in frameworks/frameworks.def).
 *
 * The facts per framework, with their sources, are in docs/frameworks.md. */
#ifndef PGSIEVE_MIGRATIONS_H
#define PGSIEVE_MIGRATIONS_H

#include <stddef.h>

#include "discover/set.h"

struct framework_desc;

/* The description of fw (discover/frameworks/framework.h). */
const struct framework_desc *framework_get(enum framework fw);
const char *framework_name(enum framework fw);
/* Returns -1 for an unknown name. */
int framework_parse(const char *name, enum framework *out);
/* Every framework's name, separated by ", " and the last one by `last` (" or "), malloc'd:
 * for messages that list them. */
char *framework_name_list(const char *last);
/* Whether the framework has down migrations at all (Prisma, Supabase and plain SQL do not;
 * Flyway only has them as undo scripts). */
int framework_has_downs(enum framework fw);

/* Detects the framework laid out directly in dir; FW_SQL when none is recognised. */
enum framework migrations_detect(const char *dir);

/* What detection looks for in a directory, every layout named (malloc'd): for the message
 * when a directory holds no migration. */
char *migrations_looked_for(const char *dir);

/* Reads the migrations of framework fw in dir, in the order the framework applies them
 * (set->env, when the caller set it, is kept: the Alembic environment to read).
 * Problems (unreadable files) are printed on stderr and counted in *errors. Returns -1 with
 * error() when the set cannot be read at all. */
int migrations_load(const char *dir, enum framework fw, struct migration_set *set, int *errors);

#endif
