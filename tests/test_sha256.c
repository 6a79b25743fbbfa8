/* test_sha256.c - SHA-256 (sim/core/sha256.h) against the FIPS 180 test vectors and sha256sum.
 *
 * Not statistical. The vectors: "abc", the empty message, the 448- and 896-bit messages and one
 * million 'a' (FIPS 180-2 appendix B and the NIST examples); a message fed in pieces of every
 * size from 1 to 130 bytes gives the one-shot digest (the padding's two cases, 55/56/63/64
 * bytes, are among the lengths); and every file named on the command line (the shipped
 * scenarios) hashes to what `sha256sum FILE` prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/sha256.h"

static void hex_of(tsim_sha256 *s, char out[65]) {
  unsigned char d[32];
  tsim_sha256_final(s, d);
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void fips_vectors(void) {
  static const struct { const char *msg, *digest; } v[] = {
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
  };
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    char hex[65];
    tsim_sha256_hex(v[i].msg, strlen(v[i].msg), hex);
    CHECK(strcmp(hex, v[i].digest) == 0, "\"%s\": got %s, FIPS 180 gives %s", v[i].msg, hex, v[i].digest);
  }
  /* One million 'a', fed 1000 at a time. */
  char block[1000];
  memset(block, 'a', sizeof block);
  tsim_sha256 s;
  tsim_sha256_init(&s);
  for (int i = 0; i < 1000; i++) tsim_sha256_update(&s, block, sizeof block);
  char hex[65];
  hex_of(&s, hex);
  CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
        "a million 'a': got %s", hex);
}

/* Every message length up to 130 bytes, fed in pieces of every size, equals the one-shot digest. */
static void pieces(void) {
  unsigned char msg[130];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (unsigned char)(i * 37 + 11);
  int bad = 0;
  for (size_t len = 0; len <= sizeof msg; len++) {
    char whole[65];
    tsim_sha256_hex(msg, len, whole);
    for (size_t piece = 1; piece <= 65; piece++) {
      tsim_sha256 s;
      tsim_sha256_init(&s);
      for (size_t at = 0; at < len; at += piece)
        tsim_sha256_update(&s, msg + at, len - at < piece ? len - at : piece);
      char hex[65];
      hex_of(&s, hex);
      if (strcmp(hex, whole) != 0 && bad++ < 5)
        CHECK(0, "length %zu in pieces of %zu: %s, one-shot %s", len, piece, hex, whole);
    }
  }
  CHECK(bad == 0, "%d lengths and piece sizes differ from the one-shot digest", bad);
}

/* The file's digest equals the first word sha256sum prints for it. */
static void against_sha256sum(const char *path) {
  char *text = check_slurp(path);
  CHECK(text != NULL, "%s: cannot read", path);
  if (!text) return;
  char hex[65], cmd[4200], want[80] = "";
  tsim_sha256_hex(text, strlen(text), hex);
  snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
  FILE *p = popen(cmd, "r");
  CHECK(p != NULL, "cannot run %s", cmd);
  if (!p) return;
  int got = fscanf(p, "%64s", want);
  pclose(p);
  CHECK(got == 1 && strcmp(hex, want) == 0, "%s: %s, sha256sum gives %s", path, hex, want);
}

int main(int argc, char **argv) {
  fips_vectors();
  pieces();
  for (int i = 1; i < argc; i++) against_sha256sum(argv[i]);
  CHECK(argc > 1, "no files given to compare with sha256sum");
  return tsim_check_done();
}
