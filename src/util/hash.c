#include "util/hash.h"

#include <string.h>

/* ---- CRC-32 ---- */

/* The table for the reflected polynomial, built on first use (256 words: cheaper to compute
 * than to carry as a literal, and a literal is where a typo would hide). */
static uint32_t crc_table[256];
static int crc_table_ready;

static void crc_table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
	crc_table_ready = 1;
}

uint32_t hash_crc32_update(uint32_t crc, const void *data, size_t len)
{
	if (!crc_table_ready)
		crc_table_build();
	const unsigned char *p = data;
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

uint32_t hash_crc32(const void *data, size_t len)
{
	return hash_crc32_update(0, data, len);
}

/* ---- the Merkle-Damgard frame SHA-1, SHA-256 and SHA-384 share (FIPS 180-4, 5.1 and 6) ---- */

/* Folds one block into the state (uint32_t[] for SHA-1 and SHA-256, uint64_t[] for SHA-384). */
typedef void (*compress_fn)(void *state, const unsigned char *block);

static uint32_t rotl(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t rotr(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Feeds data into blocks of `size` bytes, compressing each full one. */
static void md_update(void *state, unsigned char *block, size_t size, size_t *used, uint64_t *bytes,
		      const void *data, size_t len, compress_fn compress)
{
	const unsigned char *p = data;
	*bytes += len;
	while (len > 0) {
		size_t take = size - *used < len ? size - *used : len;
		memcpy(block + *used, p, take);
		*used += take;
		p += take;
		len -= take;
		if (*used == size) {
			compress(state, block);
			*used = 0;
		}
	}
}

/* Pads with 0x80, zeros and the message length in bits, big-endian, in the block's last 8 bytes
 * (SHA-384's length field is 16 bytes: its upper 8 stay zero for any file read here), and
 * compresses what is left. */
static void md_pad(void *state, unsigned char *block, size_t size, size_t used, uint64_t bytes, size_t length_field,
		   compress_fn compress)
{
	uint64_t bits = bytes * 8;
	block[used++] = 0x80;
	if (used > size - length_field) {
		memset(block + used, 0, size - used);
		compress(state, block);
		used = 0;
	}
	memset(block + used, 0, size - 8 - used);
	for (int i = 0; i < 8; i++)
		block[size - 8 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(state, block);
}

/* The 32-bit state words, big-endian, into digest. */
static void md_digest32(const uint32_t *h, unsigned char *digest, int nwords)
{
	for (int i = 0; i < nwords; i++)
		store_be32(digest + 4 * i, h[i]);
}

/* ---- SHA-256 ---- */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* The end of a SHA-2 round, for both word widths (FIPS 180-4, 6.2.2 and 6.4.2 step 3): the
 * working variables a..h (v[0..7]) move down one place, e taking d + T1 and a taking T1 + T2. */
#define SHA2_NEXT(v, t1, t2)                                 \
	do {                                                 \
		memmove(&(v)[1], &(v)[0], 7 * sizeof((v)[0])); \
		(v)[4] += (t1);                              \
		(v)[0] = (t1) + (t2);                        \
	} while (0)

static void sha256_compress(void *state, const unsigned char *block)
{
	uint32_t *h = state;
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t v[8]; /* the working variables a..h */
	memcpy(v, h, sizeof(v));
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = v[7] + (rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25)) + ((v[4] & v[5]) ^ (~v[4] & v[6])) +
			      sha256_k[t] + w[t];
		uint32_t t2 = (rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		SHA2_NEXT(v, t1, t2);
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

void hash_sha256_init(struct hash_sha256 *c)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->used = 0;
}

void hash_sha256_update(struct hash_sha256 *c, const void *data, size_t len)
{
	md_update(c->h, c->block, sizeof(c->block), &c->used, &c->bytes, data, len, sha256_compress);
}

void hash_sha256_final(struct hash_sha256 *c, unsigned char digest[32])
{
	md_pad(c->h, c->block, sizeof(c->block), c->used, c->bytes, 8, sha256_compress);
	md_digest32(c->h, digest, 8);
}

/* ---- SHA-1 ---- */

static void sha1_compress(void *state, const unsigned char *block)
{
	uint32_t *h = state;
	uint32_t w[80];
	for (int t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (int t = 16; t < 80; t++)
		w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t tmp = rotl(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rotl(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void hash_sha1_init(struct hash_sha1 *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->used = 0;
}

void hash_sha1_update(struct hash_sha1 *c, const void *data, size_t len)
{
	md_update(c->h, c->block, sizeof(c->block), &c->used, &c->bytes, data, len, sha1_compress);
}

void hash_sha1_final(struct hash_sha1 *c, unsigned char digest[20])
{
	md_pad(c->h, c->block, sizeof(c->block), c->used, c->bytes, 8, sha1_compress);
	md_digest32(c->h, digest, 5);
}

/* ---- SHA-384 (the SHA-512 compression) ---- */

static const uint64_t sha512_k[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
	0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
	0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
	0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
	0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
	0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
	0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
	0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
	0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
	0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
	0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
	0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
	0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
	0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

static uint64_t rotr64(uint64_t x, int n)
{
	return (x >> n) | (x << (64 - n));
}

static void sha512_compress(void *state, const unsigned char *block)
{
	uint64_t *h = state;
	uint64_t w[80];
	for (int t = 0; t < 16; t++) {
		w[t] = 0;
		for (int i = 0; i < 8; i++)
			w[t] = w[t] << 8 | block[8 * t + i];
	}
	for (int t = 16; t < 80; t++) {
		uint64_t s0 = rotr64(w[t - 15], 1) ^ rotr64(w[t - 15], 8) ^ (w[t - 15] >> 7);
		uint64_t s1 = rotr64(w[t - 2], 19) ^ rotr64(w[t - 2], 61) ^ (w[t - 2] >> 6);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint64_t v[8];
	memcpy(v, h, sizeof(v));
	for (int t = 0; t < 80; t++) {
		uint64_t t1 = v[7] + (rotr64(v[4], 14) ^ rotr64(v[4], 18) ^ rotr64(v[4], 41)) +
			      ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha512_k[t] + w[t];
		uint64_t t2 = (rotr64(v[0], 28) ^ rotr64(v[0], 34) ^ rotr64(v[0], 39)) +
			      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		SHA2_NEXT(v, t1, t2);
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

void hash_sha384_init(struct hash_sha384 *c)
{
	static const uint64_t iv[8] = {
		0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL, 0x152fecd8f70e5939ULL,
		0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL, 0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL,
	};
	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->used = 0;
}

void hash_sha384_update(struct hash_sha384 *c, const void *data, size_t len)
{
	md_update(c->h, c->block, sizeof(c->block), &c->used, &c->bytes, data, len, sha512_compress);
}

void hash_sha384_final(struct hash_sha384 *c, unsigned char digest[48])
{
	md_pad(c->h, c->block, sizeof(c->block), c->used, c->bytes, 16, sha512_compress);
	for (int i = 0; i < 6; i++)
		for (int k = 0; k < 8; k++)
			digest[8 * i + k] = (unsigned char)(c->h[i] >> (56 - 8 * k));
}

/* ---- hex ---- */

void hash_to_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

void hash_sha256_hex(const void *data, size_t len, char hex[65])
{
	struct hash_sha256 c;
	unsigned char d[32];
	hash_sha256_init(&c);
	hash_sha256_update(&c, data, len);
	hash_sha256_final(&c, d);
	hash_to_hex(d, sizeof(d), hex);
}

void hash_sha1_hex(const void *data, size_t len, char hex[41])
{
	struct hash_sha1 c;
	unsigned char d[20];
	hash_sha1_init(&c);
	hash_sha1_update(&c, data, len);
	hash_sha1_final(&c, d);
	hash_to_hex(d, sizeof(d), hex);
}

void hash_sha384_hex(const void *data, size_t len, char hex[97])
{
	struct hash_sha384 c;
	unsigned char d[48];
	hash_sha384_init(&c);
	hash_sha384_update(&c, data, len);
	hash_sha384_final(&c, d);
	hash_to_hex(d, sizeof(d), hex);
}
