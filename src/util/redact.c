#include "util/redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"
#include "util/xalloc.h"

/* Characters that end the user:password part of a URI walking back from its '@': a password
 * with one of these would have to be percent-encoded in a URI. */
static int ends_userinfo(char c)
{
	return c == '/' || c == '@' || c == '\'' || c == '"' || c == '(' || c == '<' || c == '`' ||
	       isspace((unsigned char)c);
}

/* For the '@' at s[at]: where the password of user:password@ starts, or -1 when the text
 * before the '@' holds no ':'. */
static long password_start(const char *s, size_t at)
{
	size_t b = at;
	while (b > 0 && !ends_userinfo(s[b - 1]))
		b--;
	const char *colon = memchr(s + b, ':', at - b);
	return colon && colon > s + b ? (long)(colon - s) + 1 : -1;
}

/* At s: "password" followed by optional blanks and '=': the offset of the value, else 0. */
static size_t password_key(const char *s)
{
	if (strncasecmp(s, "password", 8) != 0)
		return 0;
	size_t i = 8;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] != '=')
		return 0;
	i++;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	return i;
}

/* The length of a conninfo or query value at s: quoted '...' (with \' inside), else up to a
 * blank, '&' or a quote closing what the value sits in. */
static size_t value_length(const char *s)
{
	size_t i = 0;
	if (s[0] == '\'') {
		for (i = 1; s[i] && s[i] != '\''; i++)
			if (s[i] == '\\' && s[i + 1])
				i++;
		return s[i] ? i + 1 : i;
	}
	while (s[i] && !isspace((unsigned char)s[i]) && s[i] != '&' && s[i] != '"' && s[i] != ')')
		i++;
	return i;
}

char *redact_secrets(const char *s)
{
	if (!s)
		return xstrdup("");
	struct strbuf out = STRBUF_INIT;
	size_t n = strlen(s), done = 0;
	for (size_t i = 0; i < n; i++) {
		size_t v;
		if (s[i] == '@') {
			long p = password_start(s, i);
			if (p >= (long)done && (size_t)p < i) {
				strbuf_add(&out, s + done, (size_t)p - done);
				strbuf_addstr(&out, "***");
				done = i;
			}
		} else if ((i == 0 || !isalnum((unsigned char)s[i - 1])) && (v = password_key(s + i)) != 0) {
			size_t len = value_length(s + i + v);
			strbuf_add(&out, s + done, i + v - done);
			strbuf_addstr(&out, "***");
			done = i + v + len;
			i = done - 1;
		}
	}
	strbuf_add(&out, s + done, n - done);
	return strbuf_detach(&out);
}

int redact_has_userinfo(const char *s)
{
	for (const char *at = strchr(s, '@'); at; at = strchr(at + 1, '@'))
		if (password_start(s, (size_t)(at - s)) >= 0)
			return 1;
	return 0;
}
