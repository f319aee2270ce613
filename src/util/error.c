#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/redact.h"

static char last_error[1024];

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	/* a connection string, a path or a server's message may hold a password */
	char *clean = redact_secrets(last_error);
	snprintf(last_error, sizeof(last_error), "%s", clean);
	free(clean);
	return -1;
}

const char *error_message(void)
{
	return last_error;
}

void error_clear(void)
{
	last_error[0] = '\0';
}
