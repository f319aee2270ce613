/* utf8_valid: what counts as text, and where the first bad byte is. */
#include "util/utf8.h"

#include "check.h"

static void valid(const char *bytes, size_t len, int line)
{
	size_t bad = 12345;
	int ok = utf8_valid(bytes, len, &bad);
	check_record(ok == 1, __FILE__, line, "valid UTF-8 accepted");
}

static void invalid(const char *bytes, size_t len, size_t want_bad, int line)
{
	size_t bad = 12345;
	int ok = utf8_valid(bytes, len, &bad);
	if (!check_record(ok == 0, __FILE__, line, "invalid UTF-8 rejected"))
		return;
	if (!check_record(bad == want_bad, __FILE__, line, "offset of the first bad byte"))
		fprintf(stderr, "    got %zu, want %zu\n", bad, want_bad);
}

#define VALID(s) valid((s), sizeof(s) - 1, __LINE__)
#define INVALID(s, at) invalid((s), sizeof(s) - 1, (at), __LINE__)

int main(void)
{
	VALID("");
	VALID("select 1;");
	VALID("\xc3\xa9");                 /* é */
	VALID("\xe2\x82\xac");             /* € */
	VALID("\xf0\x9f\x98\x80");         /* 😀 */
	VALID("\xc2\x80");                 /* U+0080, the smallest two-byte */
	VALID("\xdf\xbf");                 /* U+07FF */
	VALID("\xe0\xa0\x80");             /* U+0800, the smallest three-byte */
	VALID("\xed\x9f\xbf");             /* U+D7FF, just below the surrogates */
	VALID("\xee\x80\x80");             /* U+E000, just above them */
	VALID("\xef\xbf\xbf");             /* U+FFFF */
	VALID("\xf0\x90\x80\x80");         /* U+10000, the smallest four-byte */
	VALID("\xf4\x8f\xbf\xbf");         /* U+10FFFF, the largest */
	VALID("a\0b");                     /* NUL is valid UTF-8 (the engine reports it elsewhere) */
	VALID("x \xc3\xa9");               /* a character ending exactly at the end */

	/* overlong forms */
	INVALID("\xc0\x80", 0);            /* NUL in two bytes */
	INVALID("\xc1\xbf", 0);
	INVALID("ab\xe0\x80\xaf", 2);      /* '/' in three bytes */
	INVALID("\xe0\x9f\xbf", 0);        /* U+07FF in three bytes */
	INVALID("\xf0\x8f\xbf\xbf", 0);    /* U+FFFF in four bytes */
	/* surrogates */
	INVALID("\xed\xa0\x80", 0);        /* U+D800 */
	INVALID("ok \xed\xbf\xbf", 3);     /* U+DFFF */
	/* beyond U+10FFFF, and bytes that never start a character */
	INVALID("\xf4\x90\x80\x80", 0);
	INVALID("\xf5\x80\x80\x80", 0);
	INVALID("\xf8\x88\x80\x80\x80", 0);
	INVALID("\xff", 0);
	INVALID("a\xfe", 1);
	/* a continuation byte with no lead */
	INVALID("\x80", 0);
	INVALID("abc\xbf", 3);
	/* truncated sequences: by the end of the text, and by an ASCII byte */
	INVALID("\xc3", 0);
	INVALID("xy\xe2\x82", 2);
	INVALID("\xf0\x9f\x98", 0);
	INVALID("\xc3" "a", 0);
	INVALID("\xe2\x82" "a", 0);
	INVALID("\xf0\x9f\x98" "a", 0);
	/* the first bad byte is reported, after good multibyte text */
	INVALID("\xc3\xa9\xe2\x82\xac\xff\xc3", 5);
	return check_finish();
}
