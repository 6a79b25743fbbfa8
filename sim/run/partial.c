/* partial.c - partial results in files (see partial.h). */
#include "run/partial.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"

/* A temporary file is FILE.tmp-XXXXXX: one left by a process killed while writing is found by
 * its name (tsim_partial_remove_stale). */
#define PARTIAL_TMP ".tmp-"
#define PARTIAL_MAGIC "trialsim partial result 1\n"
/* The largest file read: the scenario (the loader's limit is 16 MiB) and the words of a tally
 * with p-value bins are far below it. */
#define PARTIAL_MAX_BYTES ((size_t)1 << 30)

void tsim_partial_id_init(tsim_partial_id *id, const char *scenario_file, const char *text, size_t len,
                          const char *const *set, int nset, uint64_t seed, long long trials,
                          int p_values, long long from, long long to) {
  memset(id, 0, sizeof *id);
  snprintf(id->version, sizeof id->version, "%s", TSIM_VERSION);
  id->scenario_file = (char *)scenario_file;
  id->scenario_text = (char *)text;
  id->scenario_len = len;
  tsim_sha256_hex(text, len, id->scenario_sha256);
  id->nset = nset < TSIM_PARTIAL_MAX_SET ? nset : TSIM_PARTIAL_MAX_SET;
  for (int i = 0; i < id->nset; i++) id->set[i] = (char *)set[i];
  id->seed = seed;
  id->trials = trials;
  id->p_values = p_values;
  id->from = from;
  id->to = to;
}

static void put_bytes(FILE *f, const char *key, const char *s, size_t n) {
  fprintf(f, "%s %zu ", key, n);
  fwrite(s, 1, n, f);
  fputc('\n', f);
}

/* The file's text into a new buffer (*len bytes); NULL when out of memory. */
static char *partial_text(const tsim_partial_id *id, const tsim_tally *t, long long done, size_t *len) {
  size_t n64 = 0, n128 = 0;
  tsim_tally_words(t, &n64, &n128);
  uint64_t *w64 = malloc((n64 + 1) * sizeof *w64), *w128 = malloc((2 * n128 + 1) * sizeof *w128);
  char *buf = NULL;
  FILE *f = w64 && w128 ? open_memstream(&buf, len) : NULL;
  if (!f) { free(w64); free(w128); return NULL; }
  tsim_tally_pack(t, w64, w128);
  fputs(PARTIAL_MAGIC, f);
  fprintf(f, "version %s\n", id->version);
  put_bytes(f, "scenario_file", id->scenario_file, strlen(id->scenario_file));
  fprintf(f, "scenario_sha256 %s\n", id->scenario_sha256);
  put_bytes(f, "scenario_text", id->scenario_text, id->scenario_len);
  fprintf(f, "sets %d\n", id->nset);
  for (int i = 0; i < id->nset; i++) put_bytes(f, "set", id->set[i], strlen(id->set[i]));
  fprintf(f, "seed %" PRIu64 "\ntrials %lld\np_values %d\n", id->seed, id->trials, id->p_values);
  fprintf(f, "trials_from %lld\ntrials_to %lld\ntrials_done %lld\n", id->from, id->to, done);
  fprintf(f, "words64 %zu\n", n64);
  for (size_t i = 0; i < n64; i++) fprintf(f, "%" PRIu64 "\n", w64[i]);
  fprintf(f, "words128 %zu\n", n128);
  for (size_t i = 0; i < n128; i++) fprintf(f, "%" PRIu64 " %" PRIu64 "\n", w128[2 * i], w128[2 * i + 1]);
  free(w64);
  free(w128);
  if (fflush(f) != 0) { fclose(f); free(buf); return NULL; }
  char digest[65];
  tsim_sha256_hex(buf, *len, digest);
  fprintf(f, "sha256 %s\n", digest);
  if (fclose(f) != 0) { free(buf); return NULL; }
  return buf;
}

tsim_status tsim_partial_write(const char *file, const tsim_partial_id *id, const tsim_tally *t,
                               long long done, tsim_diag *d) {
  size_t len = 0;
  char *text = partial_text(id, t, done, &len);
  if (!text) {
    tsim_diag_add(d, "%s: out of memory", file);
    return TSIM_NOMEM;
  }
  /* The temporary file in the same folder (so the rename is atomic), at a name mkstemp makes
   * up and creates exclusively (O_EXCL: no planted link is followed). */
  size_t fl = strlen(file);
  char *tmp = malloc(fl + 16);
  if (!tmp) { free(text); tsim_diag_add(d, "%s: out of memory", file); return TSIM_NOMEM; }
  snprintf(tmp, fl + 16, "%s" PARTIAL_TMP "XXXXXX", file);
  int fd = mkstemp(tmp);
  if (fd >= 0) { /* mkstemp's 0600 made the mode a new file gets */
    mode_t um = umask(0);
    umask(um);
    (void)fchmod(fd, 0666 & ~um);
  }
  const char *what = "cannot create a temporary file beside it";
  int err = 0;
  if (fd < 0) {
    err = errno;
  } else {
    size_t off = 0;
    while (off < len) {
      ssize_t w = write(fd, text + off, len - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        break;
      }
      off += (size_t)w;
    }
    if (off < len) { err = errno; what = "writing it failed"; }
    else if (fsync(fd) != 0) { err = errno; what = "writing it to disk failed"; }
    if (close(fd) != 0 && !err) { err = errno; what = "writing it failed"; }
    if (!err && rename(tmp, file) != 0) { err = errno; what = "cannot rename the temporary file to it"; }
    if (err) unlink(tmp);
  }
  free(tmp);
  free(text);
  if (err) {
    tsim_diag_add(d, "%s: %s: %s", file, what, strerror(err));
    return TSIM_IO;
  }
  return TSIM_OK;
}

/* A cursor over the file's bytes; parse errors set `why`. */
typedef struct cursor {
  const char *p, *end;
  const char *why;
} cursor;

/* "key " at the cursor. */
static int expect_key(cursor *c, const char *key) {
  size_t n = strlen(key);
  if (c->why) return -1;
  if ((size_t)(c->end - c->p) <= n || memcmp(c->p, key, n) != 0 || c->p[n] != ' ') {
    c->why = key;
    return -1;
  }
  c->p += n + 1;
  return 0;
}

/* A decimal number ending the line (or followed by a space when `space`). */
static int read_u64(cursor *c, uint64_t *v, int space) {
  if (c->why) return -1;
  uint64_t x = 0;
  const char *s = c->p;
  while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
    unsigned dgt = (unsigned)(*c->p - '0');
    if (x > (UINT64_MAX - dgt) / 10) break;
    x = x * 10 + dgt;
    c->p++;
  }
  if (c->p == s || c->p >= c->end || *c->p != (space ? ' ' : '\n') || c->p - s > 20) {
    c->why = "a number";
    return -1;
  }
  c->p++;
  *v = x;
  return 0;
}

static int key_u64(cursor *c, const char *key, uint64_t *v) {
  if (expect_key(c, key)) return -1;
  if (read_u64(c, v, 0)) { c->why = key; return -1; }
  return 0;
}

/* "key LEN BYTES\n" into a new NUL-terminated string. */
static char *key_bytes(cursor *c, const char *key, size_t *len) {
  uint64_t n;
  if (expect_key(c, key) || read_u64(c, &n, 1)) { c->why = key; return NULL; }
  if (n >= (uint64_t)(c->end - c->p) || c->p[n] != '\n') { c->why = key; return NULL; }
  char *s = malloc((size_t)n + 1);
  if (!s) { c->why = "memory"; return NULL; }
  memcpy(s, c->p, (size_t)n);
  s[n] = '\0';
  c->p += n + 1;
  if (len) *len = (size_t)n;
  return s;
}

/* A line "key WORD\n" with WORD into out[n]. */
static int key_word(cursor *c, const char *key, char *out, size_t n) {
  if (expect_key(c, key)) return -1;
  const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
  if (!nl || (size_t)(nl - c->p) >= n) { c->why = key; return -1; }
  memcpy(out, c->p, (size_t)(nl - c->p));
  out[nl - c->p] = '\0';
  c->p = nl + 1;
  return 0;
}

void tsim_partial_free(tsim_partial *p) {
  if (!p) return;
  free(p->id.scenario_file);
  free(p->id.scenario_text);
  for (int i = 0; i < p->id.nset; i++) free(p->id.set[i]);
  free(p->w64);
  free(p->w128);
  memset(p, 0, sizeof *p);
}

static char *read_all(const char *file, size_t *len, tsim_diag *d, tsim_status *st) {
  FILE *f = fopen(file, "rb");
  if (!f) {
    tsim_diag_add(d, "%s: cannot read it: %s", file, strerror(errno));
    *st = errno == ENOENT ? TSIM_INPUT : TSIM_IO;
    return NULL;
  }
  struct stat sb; /* a folder opens, and then fails to read: bad input, said so (a pipe reads) */
  if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    tsim_diag_add(d, "%s: not a file (a folder): expected a shard or checkpoint file", file);
    *st = TSIM_INPUT;
    fclose(f);
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n == cap) {
      if (cap >= PARTIAL_MAX_BYTES) {
        tsim_diag_add(d, "%s: not a partial result of trialsim (larger than %zu bytes)", file, PARTIAL_MAX_BYTES);
        *st = TSIM_INPUT;
        free(buf);
        fclose(f);
        return NULL;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) { free(buf); buf = NULL; break; }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  if (!buf) {
    fclose(f);
    tsim_diag_add(d, "%s: out of memory", file);
    *st = TSIM_NOMEM;
    return NULL;
  }
  if (ferror(f)) {
    tsim_diag_add(d, "%s: reading it failed", file);
    fclose(f);
    free(buf);
    *st = TSIM_IO;
    return NULL;
  }
  fclose(f);
  *len = n;
  return buf;
}

tsim_status tsim_partial_read(const char *file, tsim_partial *p, tsim_diag *d) {
  memset(p, 0, sizeof *p);
  size_t len = 0;
  tsim_status st = TSIM_OK;
  char *buf = read_all(file, &len, d, &st);
  if (!buf) return st;
  size_t ml = strlen(PARTIAL_MAGIC);
  if (len < ml || memcmp(buf, PARTIAL_MAGIC, ml) != 0) {
    tsim_diag_add(d, "%s: not a partial result of trialsim (a shard or checkpoint file)", file);
    free(buf);
    return TSIM_INPUT;
  }
  /* The digest line ends the file: "sha256 " + 64 hex digits + '\n'. */
  const size_t tail = 7 + 64 + 1;
  char digest[65];
  if (len < ml + tail || memcmp(buf + len - tail, "sha256 ", 7) != 0 || buf[len - 1] != '\n' ||
      buf[len - tail - 1] != '\n' ||
      (tsim_sha256_hex(buf, len - tail, digest), memcmp(digest, buf + len - tail + 7, 64) != 0)) {
    tsim_diag_add(d, "%s: incomplete or damaged (its SHA-256 line does not match its contents)", file);
    free(buf);
    return TSIM_INPUT;
  }
  cursor c = {buf + ml, buf + len - tail, NULL};
  tsim_partial_id *id = &p->id;
  uint64_t nset = 0, from = 0, to = 0, done = 0, trials = 0, pv = 0, n64 = 0, n128 = 0;
  key_word(&c, "version", id->version, sizeof id->version);
  if (!c.why) id->scenario_file = key_bytes(&c, "scenario_file", NULL);
  key_word(&c, "scenario_sha256", id->scenario_sha256, sizeof id->scenario_sha256);
  if (!c.why) id->scenario_text = key_bytes(&c, "scenario_text", &id->scenario_len);
  if (!c.why && id->scenario_text) { /* the text the merge uses is the one the digest names */
    char text_digest[65];
    tsim_sha256_hex(id->scenario_text, id->scenario_len, text_digest);
    if (strcmp(text_digest, id->scenario_sha256) != 0) c.why = "scenario_text (it does not match scenario_sha256)";
  }
  if (!key_u64(&c, "sets", &nset) && nset > TSIM_PARTIAL_MAX_SET) c.why = "sets";
  for (uint64_t i = 0; i < nset && !c.why; i++)
    if ((id->set[i] = key_bytes(&c, "set", NULL))) id->nset++;
  key_u64(&c, "seed", &id->seed);
  key_u64(&c, "trials", &trials);
  key_u64(&c, "p_values", &pv);
  key_u64(&c, "trials_from", &from);
  key_u64(&c, "trials_to", &to);
  key_u64(&c, "trials_done", &done);
  if (!c.why && !(trials >= 1 && trials <= TSIM_MAX_TRIALS && from <= done && done <= to && to <= trials && pv <= 1))
    c.why = "the trial range";
  if (!key_u64(&c, "words64", &n64) && (n64 == 0 || n64 > (uint64_t)(c.end - c.p) / 2)) c.why = "words64";
  if (!c.why && !(p->w64 = malloc(n64 * sizeof *p->w64))) c.why = "memory";
  for (uint64_t i = 0; i < n64 && !c.why; i++) read_u64(&c, &p->w64[i], 0);
  if (!key_u64(&c, "words128", &n128) && n128 > (uint64_t)(c.end - c.p) / 4) c.why = "words128";
  if (!c.why && !(p->w128 = malloc((2 * n128 + 1) * sizeof *p->w128))) c.why = "memory";
  for (uint64_t i = 0; i < n128 && !c.why; i++) {
    read_u64(&c, &p->w128[2 * i], 1);
    read_u64(&c, &p->w128[2 * i + 1], 0);
  }
  if (!c.why && c.p != c.end) c.why = "the end of the words";
  free(buf);
  if (c.why) {
    int oom = strcmp(c.why, "memory") == 0;
    if (oom) tsim_diag_add(d, "%s: out of memory", file);
    else tsim_diag_add(d, "%s: not a valid partial result: bad or missing '%s'", file, c.why);
    tsim_partial_free(p);
    return oom ? TSIM_NOMEM : TSIM_INPUT;
  }
  id->trials = (long long)trials;
  id->p_values = (int)pv;
  id->from = (long long)from;
  id->to = (long long)to;
  p->done = (long long)done;
  p->n64 = (size_t)n64;
  p->n128 = (size_t)n128;
  return TSIM_OK;
}

const char *tsim_partial_differs(const tsim_partial_id *a, const tsim_partial_id *b) {
  if (strcmp(a->version, b->version) != 0) return "trialsim version";
  if (strcmp(a->scenario_sha256, b->scenario_sha256) != 0) return "scenario file (SHA-256)";
  if (a->nset != b->nset) return "--set options";
  for (int i = 0; i < a->nset; i++)
    if (strcmp(a->set[i], b->set[i]) != 0) return "--set options";
  if (a->seed != b->seed) return "seed";
  if (a->trials != b->trials) return "trials";
  if (a->p_values != b->p_values) return "--p-values";
  return NULL;
}

tsim_status tsim_partial_tally(const tsim_partial *p, tsim_tally *t, const char **why) {
  size_t n64 = 0, n128 = 0;
  if (why) *why = "shape";
  tsim_tally_words(t, &n64, &n128);
  if (n64 != p->n64 || n128 != p->n128) return TSIM_INPUT;
  tsim_tally_set_words(t, p->w64, p->w128);
  /* The count of trials is the first word: it must be the range's. */
  if (t->trials != p->done - p->id.from) return TSIM_INPUT;
  if (why) *why = "counts";
  if (!tsim_tally_plausible(t)) return TSIM_INPUT;
  if (why) *why = NULL;
  return TSIM_OK;
}

void tsim_partial_remove_stale(const char *file) {
  const char *slash = strrchr(file, '/');
  const char *base = slash ? slash + 1 : file;
  size_t dirlen = slash ? (size_t)(slash - file) : 0, blen = strlen(base), tl = strlen(PARTIAL_TMP);
  char *dir = malloc(dirlen + 2);
  if (!dir) return;
  if (slash) { memcpy(dir, file, dirlen ? dirlen : 1); dir[dirlen ? dirlen : 1] = '\0'; }
  else snprintf(dir, 2, ".");
  DIR *dp = opendir(dir);
  struct dirent *e;
  while (dp && (e = readdir(dp)))
    if (strlen(e->d_name) == blen + tl + 6 && strncmp(e->d_name, base, blen) == 0 &&
        strncmp(e->d_name + blen, PARTIAL_TMP, tl) == 0) {
      size_t n = strlen(dir) + strlen(e->d_name) + 2;
      char *path = malloc(n);
      if (path) {
        snprintf(path, n, "%s/%s", dir, e->d_name);
        unlink(path);
        free(path);
      }
    }
  if (dp) closedir(dp);
  free(dir);
}
