/* What looks like a secret in a string pgsieve did not write itself (a connection string, a
 * path, a message from libpq): user:password@ in a URI or without a scheme, and password=...
 * in a conninfo string or a URI's query. Messages pass through redact_secrets() (error() does
 * it for every recorded message), so a password given in a form pgsieve does not recognise is
 * still never printed. */
#ifndef PGSIEVE_REDACT_H
#define PGSIEVE_REDACT_H

/* s with every password replaced by "***", malloc'd. */
char *redact_secrets(const char *s);
/* Whether s holds user:password@ (with or without a URI scheme). */
int redact_has_userinfo(const char *s);

#endif
