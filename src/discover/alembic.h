/* The Alembic bridge: Alembic migrations are Python, so pgsieve asks Alembic itself what SQL
 * each revision runs. tools/alembic_render.py (run with the user's python3) renders upgrade()
 * and downgrade() with Alembic's offline machinery, or reads them statically when Alembic or
 * the revision's imports are missing, and ties every statement to the line of the op.* call
 * that wrote it. This side runs it, reads its JSON answer, orders the revisions by their
 * graph and checks the graph (migration-graph).
 *
 * Where the helper is: $PGSIEVE_ALEMBIC_HELPER, else the installed copy
 * (<datadir>/pgsieve/alembic_render.py), else the source tree's tools/alembic_render.py.
 * Which Python runs it: the first of $PGSIEVE_PYTHON, python3 from PATH (a virtualenv's, when
 * one is active, which is where the project's Alembic and imports are) and /usr/bin/python3
 * that can import Alembic (the helper runs itself again with the next one when it cannot);
 * the answer says which one rendered. */
#ifndef PGSIEVE_ALEMBIC_H
#define PGSIEVE_ALEMBIC_H

#include "discover/set.h"

/* Whether dir is an Alembic versions directory (named versions, next to an env.py). */
int alembic_versions_dir(const char *dir);

/* The environments of the alembic.ini in dir (or of dir, when it is an ini file): NULL and 0
 * when there is no ini; ["alembic"] for an [alembic] section; else the sections that have a
 * script_location (`alembic -n NAME`). Returns -1 with error() when the file cannot be read. */
int alembic_environments(const char *dir, char ***names, size_t *n);

/* Reads the revisions under dir (a directory holding alembic.ini, or env.py and versions/,
 * or a versions directory; or an ini file) into set, parents before children; set->env names
 * the ini section (NULL: [alembic]); each part holds the rendered
 * SQL and its segments. Problems of the revision graph go to set->problems. Returns -1 with
 * error() when the helper cannot be found or run, or answers something unreadable. */
int alembic_load(const char *dir, struct migration_set *set);

/* The helper script pgsieve runs (malloc'd), or NULL with error() when there is none. */
char *alembic_helper_path(void);

#endif
