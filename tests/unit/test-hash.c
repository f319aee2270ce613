/* util/hash: CRC-32, SHA-256, SHA-1 and SHA-384 against the published test vectors (FIPS 180-4's
 * examples, the CRC-32 check value), and the incremental forms against the one-call ones
 * across block boundaries. */
#include "util/hash.h"

#include <stdlib.h>

#include "check.h"

static void test_crc32(void)
{
	CHECK_INT(hash_crc32("", 0), 0);
	CHECK_INT(hash_crc32("123456789", 9), 0xCBF43926u); /* the check value of CRC-32/ISO-HDLC */
	const char *fox = "The quick brown fox jumps over the lazy dog";
	CHECK_INT(hash_crc32(fox, strlen(fox)), 0x414FA339u);
	uint32_t c = hash_crc32_update(0, fox, 10);
	c = hash_crc32_update(c, fox + 10, strlen(fox) - 10);
	CHECK_INT(c, 0x414FA339u);
}

static void test_sha256(void)
{
	char hex[65];
	hash_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash_sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes */
	hash_sha256_hex(two, strlen(two), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	hash_sha256_hex("hello", 5, hex); /* Prisma's own test of its checksum */
	CHECK_STR(hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	/* a million 'a', fed in uneven pieces */
	struct hash_sha256 c;
	unsigned char d[32];
	char piece[997];
	memset(piece, 'a', sizeof(piece));
	hash_sha256_init(&c);
	size_t left = 1000000;
	while (left > 0) {
		size_t n = left < sizeof(piece) ? left : sizeof(piece);
		hash_sha256_update(&c, piece, n);
		left -= n;
	}
	hash_sha256_final(&c, d);
	hash_to_hex(d, 32, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha1(void)
{
	char hex[41];
	hash_sha1_hex("", 0, hex);
	CHECK_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	hash_sha1_hex("abc", 3, hex);
	CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hash_sha1_hex(two, strlen(two), hex);
	CHECK_STR(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	char *million = malloc(1000000);
	memset(million, 'a', 1000000);
	hash_sha1_hex(million, 1000000, hex);
	CHECK_STR(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(million);
}

static void test_sha384(void)
{
	char hex[97];
	hash_sha384_hex("", 0, hex);
	CHECK_STR(hex, "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b");
	hash_sha384_hex("abc", 3, hex);
	CHECK_STR(hex, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	/* FIPS 180-4's two-block example: 112 bytes, so the padding needs a block of its own */
	const char *two = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
			  "lmnopqrsmnopqrstnopqrstu";
	hash_sha384_hex(two, strlen(two), hex);
	CHECK_STR(hex, "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039");
	struct hash_sha384 c;
	unsigned char d[48];
	char piece[997];
	memset(piece, 'a', sizeof(piece));
	hash_sha384_init(&c);
	for (size_t left = 1000000; left > 0;) {
		size_t n = left < sizeof(piece) ? left : sizeof(piece);
		hash_sha384_update(&c, piece, n);
		left -= n;
	}
	hash_sha384_final(&c, d);
	hash_to_hex(d, 48, hex);
	CHECK_STR(hex, "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985");
	/* around SHA-384's own padding boundaries (111, 112, 127, 128, 129 bytes): byte by byte and
	 * at once agree */
	unsigned char text[260];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (unsigned char)(i * 13 + 5);
	for (size_t len = 100; len <= sizeof(text); len++) {
		char one[97], inc[97];
		hash_sha384_hex(text, len, one);
		hash_sha384_init(&c);
		for (size_t i = 0; i < len; i++)
			hash_sha384_update(&c, text + i, 1);
		hash_sha384_final(&c, d);
		hash_to_hex(d, 48, inc);
		CHECK_STR(inc, one);
	}
}

/* Lengths around the padding boundaries (55, 56, 63, 64, 65 ...): byte by byte and at once
 * agree. */
static void test_boundaries(void)
{
	unsigned char text[130];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (unsigned char)(i * 7 + 1);
	for (size_t len = 0; len <= sizeof(text); len++) {
		char one[65], inc[65], one1[41], inc1[41];
		unsigned char d[32];
		hash_sha256_hex(text, len, one);
		struct hash_sha256 c;
		hash_sha256_init(&c);
		for (size_t i = 0; i < len; i++)
			hash_sha256_update(&c, text + i, 1);
		hash_sha256_final(&c, d);
		hash_to_hex(d, 32, inc);
		CHECK_STR(inc, one);
		hash_sha1_hex(text, len, one1);
		struct hash_sha1 s;
		hash_sha1_init(&s);
		for (size_t i = 0; i < len; i++)
			hash_sha1_update(&s, text + i, 1);
		hash_sha1_final(&s, d);
		hash_to_hex(d, 20, inc1);
		CHECK_STR(inc1, one1);
	}
}

int main(void)
{
	test_crc32();
	test_sha256();
	test_sha1();
	test_sha384();
	test_boundaries();
	return check_finish();
}
