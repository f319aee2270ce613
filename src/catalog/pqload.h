/* libpq loaded when a database is first read, not linked: the portable release binary
 * (meson option -Dportable=true, ci/release.sh) lints files on a machine without libpq and says
 * what to install when --db is used there. A normal build links libpq and pqload_ready() does
 * nothing. */
#ifndef PGSIEVE_CATALOG_PQLOAD_H
#define PGSIEVE_CATALOG_PQLOAD_H

#ifdef PGSIEVE_LIBPQ_DLOPEN
/* Loads libpq.so.5 once. Returns 0, or -1 with error() naming the library and how to install it. */
int pqload_ready(void);
#else
static inline int pqload_ready(void)
{
	return 0;
}
#endif

#endif
