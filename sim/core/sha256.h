/* sha256.h - SHA-256 (FIPS 180-4), to name a scenario file by its contents in a report.
 *
 * A reviewer reproducing a run checks that their scenario file is the one that was simulated:
 * `sha256sum FILE` must print the digest the report gives. Incremental: init, update any number
 * of times, final.
 */
#ifndef TSIM_SHA256_H
#define TSIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct tsim_sha256 {
  uint32_t h[8];        /* the chaining state */
  uint64_t bytes;       /* message length so far */
  unsigned char buf[64]; /* the incomplete block */
  size_t nbuf;          /* bytes in buf */
} tsim_sha256;

void tsim_sha256_init(tsim_sha256 *s);
void tsim_sha256_update(tsim_sha256 *s, const void *data, size_t n);
/* The 32-byte digest; s is spent afterwards (init it again to reuse). */
void tsim_sha256_final(tsim_sha256 *s, unsigned char out[32]);
/* The digest of n bytes as 64 lower-case hex digits and a NUL, as sha256sum prints it. */
void tsim_sha256_hex(const void *data, size_t n, char out[65]);

#endif
