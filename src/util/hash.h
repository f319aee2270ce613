/* The checksums migration tools store for applied migrations, written from the published
 * algorithms (no library pgsieve links exports them: libpq keeps its own private):
 *
 * - CRC-32 (zlib's and java.util.zip.CRC32's: the reflected polynomial 0xEDB88320, initial
 *   and final XOR 0xFFFFFFFF), which Flyway stores;
 * - SHA-256 (FIPS 180-4), which Prisma stores as lowercase hex;
 * - SHA-1 (FIPS 180-4), which Sqitch stores as lowercase hex;
 * - SHA-384 (FIPS 180-4: SHA-512's compression with its own initial values, the digest cut to
 *   48 bytes), which sqlx stores as bytes.
 *
 * Each has an incremental form (init, update any number of times, final) and a one-call form.
 * Nothing is allocated. */
#ifndef PGSIEVE_HASH_H
#define PGSIEVE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32: start with crc = 0, feed pieces, the result is the CRC of their concatenation. */
uint32_t hash_crc32_update(uint32_t crc, const void *data, size_t len);
uint32_t hash_crc32(const void *data, size_t len);

struct hash_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char block[64];
	size_t used;
};

void hash_sha256_init(struct hash_sha256 *c);
void hash_sha256_update(struct hash_sha256 *c, const void *data, size_t len);
void hash_sha256_final(struct hash_sha256 *c, unsigned char digest[32]);

struct hash_sha1 {
	uint32_t h[5];
	uint64_t bytes;
	unsigned char block[64];
	size_t used;
};

void hash_sha1_init(struct hash_sha1 *c);
void hash_sha1_update(struct hash_sha1 *c, const void *data, size_t len);
void hash_sha1_final(struct hash_sha1 *c, unsigned char digest[20]);

struct hash_sha384 {
	uint64_t h[8];
	uint64_t bytes; /* a message of 2^61 bytes or more is not hashed correctly: none is read */
	unsigned char block[128];
	size_t used;
};

void hash_sha384_init(struct hash_sha384 *c);
void hash_sha384_update(struct hash_sha384 *c, const void *data, size_t len);
void hash_sha384_final(struct hash_sha384 *c, unsigned char digest[48]);

/* The digest of data as lowercase hex, NUL-terminated, into hex (65, 41 and 97 bytes). */
void hash_sha256_hex(const void *data, size_t len, char hex[65]);
void hash_sha1_hex(const void *data, size_t len, char hex[41]);
void hash_sha384_hex(const void *data, size_t len, char hex[97]);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void hash_to_hex(const unsigned char *bytes, size_t n, char *out);

#endif
