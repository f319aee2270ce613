#include "util/ident.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* reserved words need quotes too; the ones that occur as names in schemas */
static const char *const reserved[] = { "all", "and", "any", "array", "as", "asc", "case",
	"check", "column", "constraint", "create", "default", "desc", "distinct", "do", "else",
	"end", "false", "for", "foreign", "from", "grant", "group", "having", "in", "into",
	"limit", "not", "null", "offset", "on", "only", "or", "order", "primary", "references",
	"select", "table", "then", "to", "true", "union", "unique", "user", "using", "when",
	"where", "with" };

static int ident_is_plain(const char *name)
{
	if (!(name[0] && (islower((unsigned char)name[0]) || name[0] == '_')))
		return 0;
	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '$'))
			return 0;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			return 0;
	return 1;
}

const char *ident_quote_always(const char *name, char *buf, size_t size)
{
	size_t o = 0;
	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return size ? buf : "";
	}
	buf[o++] = '"';
	for (const char *p = name; *p && o + 3 < size; p++) {
		if (*p == '"')
			buf[o++] = '"';
		buf[o++] = *p;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

const char *ident_quote(const char *name, char *buf, size_t size)
{
	if (ident_is_plain(name)) {
		snprintf(buf, size, "%s", name);
		return buf;
	}
	return ident_quote_always(name, buf, size);
}
