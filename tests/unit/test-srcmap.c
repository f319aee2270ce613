/* srcmap: byte offsets to 1-based line:column, columns in characters. */
#include "util/srcmap.h"

#include "check.h"

/* Line and column of `offset` in `text` (a C string). */
static struct srcpos pos_in(const char *text, size_t offset)
{
	struct srcmap map;
	srcmap_init(&map, text, strlen(text));
	struct srcpos p = srcmap_pos(&map, offset);
	srcmap_release(&map);
	return p;
}

#define CHECK_POS(text, offset, want_line, want_col)                                          \
	do {                                                                                   \
		struct srcpos p_ = pos_in((text), (offset));                                   \
		CHECK_INT(p_.line, want_line);                                                 \
		CHECK_INT(p_.column, want_col);                                                \
	} while (0)

static void test_empty(void)
{
	struct srcmap map;
	srcmap_init(&map, "", 0);
	CHECK_INT(map.nlines, 1);
	struct srcpos p = srcmap_pos(&map, 0);
	CHECK_INT(p.line, 1);
	CHECK_INT(p.column, 1);
	p = srcmap_pos(&map, 10); /* past the end: clamped */
	CHECK_INT(p.line, 1);
	CHECK_INT(p.column, 1);
	srcmap_release(&map);
	CHECK(map.line_starts == NULL);
}

static void test_ascii_lines(void)
{
	const char *t = "select 1;\nselect 2;\n\nx";
	CHECK_POS(t, 0, 1, 1);
	CHECK_POS(t, 7, 1, 8);
	CHECK_POS(t, 9, 1, 10);  /* the newline itself belongs to line 1 */
	CHECK_POS(t, 10, 2, 1);
	CHECK_POS(t, 19, 2, 10);
	CHECK_POS(t, 20, 3, 1);  /* the empty line */
	CHECK_POS(t, 21, 4, 1);
	CHECK_POS(t, 22, 4, 2);  /* the end of the text */
	CHECK_POS(t, 500, 4, 2); /* clamped to the end */
}

static void test_trailing_newline(void)
{
	const char *t = "a;\n";
	CHECK_POS(t, 2, 1, 3);
	CHECK_POS(t, 3, 2, 1); /* end of text after the last newline: a new line */
}

static void test_multibyte(void)
{
	/* é is 2 bytes, € 3, 😀 4: each one column */
	const char *t = "a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80" "d";
	CHECK_POS(t, 0, 1, 1);  /* a */
	CHECK_POS(t, 1, 1, 2);  /* é */
	CHECK_POS(t, 3, 1, 3);  /* b */
	CHECK_POS(t, 4, 1, 4);  /* € */
	CHECK_POS(t, 7, 1, 5);  /* c */
	CHECK_POS(t, 8, 1, 6);  /* 😀 */
	CHECK_POS(t, 12, 1, 7); /* d */
	CHECK_POS(t, 13, 1, 8); /* end */
	/* an offset inside a character counts it as started */
	CHECK_POS(t, 2, 1, 3);

	const char *u = "-- \xc3\xbc\xc3\xbc\n\xe6\x97\xa5\xe6\x9c\xac x";
	CHECK_POS(u, 8, 2, 1);
	CHECK_POS(u, 15, 2, 4); /* after two 3-byte characters and a space */
}

static void test_crlf(void)
{
	const char *t = "a;\r\nbc;\r\n\r\nd";
	CHECK_POS(t, 2, 1, 3);  /* the CR */
	CHECK_POS(t, 3, 1, 3);  /* the LF: the CR before it is no column */
	CHECK_POS(t, 4, 2, 1);
	CHECK_POS(t, 6, 2, 3);
	CHECK_POS(t, 9, 3, 1);  /* the empty CRLF line */
	CHECK_POS(t, 11, 4, 1);
	CHECK_POS(t, 12, 4, 2); /* end */

	/* a CR not followed by LF ends a line too (old Mac files), at the end of the text as well */
	const char *u = "a\rb\r";
	CHECK_POS(u, 1, 1, 2);
	CHECK_POS(u, 2, 2, 1);
	CHECK_POS(u, 4, 3, 1);

	/* multibyte after CRLF */
	const char *v = "x\r\n\xc3\xa9y";
	CHECK_POS(v, 5, 2, 2);
}

static void test_advance_chars(void)
{
	const char *t = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "b";
	size_t len = strlen(t);
	CHECK_INT(srcmap_advance_chars(t, len, 0, 0), 0);
	CHECK_INT(srcmap_advance_chars(t, len, 0, 1), 1);
	CHECK_INT(srcmap_advance_chars(t, len, 0, 2), 3);
	CHECK_INT(srcmap_advance_chars(t, len, 0, 3), 6);
	CHECK_INT(srcmap_advance_chars(t, len, 0, 4), 10);
	CHECK_INT(srcmap_advance_chars(t, len, 1, 3), 10);
	CHECK_INT(srcmap_advance_chars(t, len, 0, 5), len);
	CHECK_INT(srcmap_advance_chars(t, len, 0, 99), len); /* stops at the end */
	CHECK_INT(srcmap_advance_chars("", 0, 0, 3), 0);
}

static void test_many_lines(void)
{
	/* enough lines for the binary search to matter */
	char text[3000];
	size_t n = 0;
	for (int i = 0; i < 1000; i++) {
		text[n++] = 'x';
		text[n++] = i % 2 ? '\n' : 'y';
		if (i % 2 == 0)
			text[n++] = '\n';
	}
	text[n] = '\0';
	struct srcmap map;
	srcmap_init(&map, text, n);
	/* every line is "x\n" or "xy\n"; find each line start and check it */
	uint32_t line = 1;
	for (size_t i = 0; i < n; i++) {
		struct srcpos p = srcmap_pos(&map, i);
		if (i == 0 || text[i - 1] == '\n') {
			if (!check_record(p.line == line && p.column == 1, __FILE__, __LINE__,
					  "line start"))
				break;
			line++;
		}
	}
	CHECK_INT(srcmap_pos(&map, n).line, line);
	srcmap_release(&map);
}

int main(void)
{
	test_empty();
	test_ascii_lines();
	test_trailing_newline();
	test_multibyte();
	test_crlf();
	test_advance_chars();
	test_many_lines();
	return check_finish();
}
