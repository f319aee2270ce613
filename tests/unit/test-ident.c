/* ident_quote and ident_quote_always: which names need quotes, doubling, truncation. */
#include "util/ident.h"

#include "check.h"

int main(void)
{
	char buf[64], tiny[6];
	/* quote_ident() leaves lowercase identifiers alone */
	CHECK_STR(ident_quote("orders", buf, sizeof(buf)), "orders");
	CHECK_STR(ident_quote("_x1$", buf, sizeof(buf)), "_x1$");
	/* and quotes capitals, a leading digit or $, other characters, reserved words, "" */
	CHECK_STR(ident_quote("Orders", buf, sizeof(buf)), "\"Orders\"");
	CHECK_STR(ident_quote("1st", buf, sizeof(buf)), "\"1st\"");
	CHECK_STR(ident_quote("$x", buf, sizeof(buf)), "\"$x\"");
	CHECK_STR(ident_quote("order items", buf, sizeof(buf)), "\"order items\"");
	CHECK_STR(ident_quote("user", buf, sizeof(buf)), "\"user\"");
	CHECK_STR(ident_quote("users", buf, sizeof(buf)), "users");
	CHECK_STR(ident_quote("", buf, sizeof(buf)), "\"\"");
	CHECK_STR(ident_quote("a\"b", buf, sizeof(buf)), "\"a\"\"b\"");
	/* messages quote always */
	CHECK_STR(ident_quote_always("orders", buf, sizeof(buf)), "\"orders\"");
	CHECK_STR(ident_quote_always("a\"b", buf, sizeof(buf)), "\"a\"\"b\"");
	/* a short buffer truncates inside the quotes (leaving room for a doubled quote) and closes them */
	CHECK_STR(ident_quote_always("abcdefgh", tiny, sizeof(tiny)), "\"ab\"");
	CHECK_STR(ident_quote("Abcdefgh", tiny, sizeof(tiny)), "\"Ab\"");
	CHECK_STR(ident_quote("abcdefgh", tiny, sizeof(tiny)), "abcde");
	CHECK_STR(ident_quote_always("abc", tiny, 2), "");
	return check_finish();
}
