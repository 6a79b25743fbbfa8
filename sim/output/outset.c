/* outset.c - result sets written whole or not at all, and the temporary files of every
 * writer (see outset.h). */
#define _DEFAULT_SOURCE /* syscall(SYS_getdents64): emptying a stage in a signal handler */
#include "output/outset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int tsim_mkdirs(const char *dir) {
  char buf[4096];
  size_t len = strlen(dir);
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, dir, len + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
  struct stat st;
  return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* 16 hex digits nobody can guess (getrandom; a mix of time and address if it fails). */
static void random_hex(char out[17]) {
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    static uint64_t counter;
    r = ((uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15u) ^ ((uint64_t)ts.tv_sec << 20) ^
        (uint64_t)(uintptr_t)&r ^ (++counter * 0xBF58476D1CE4E5B9u);
  }
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 16; i++) out[i] = hex[(r >> (4 * i)) & 15];
  out[16] = '\0';
}

/* This host's name as it appears in temporary names: letters, digits, '.' and '-' only. */
static void host_name(char out[65]) {
  if (gethostname(out, 65) != 0) out[0] = '\0';
  out[64] = '\0';
  for (char *c = out; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '-'))
      *c = '_';
  if (!out[0]) snprintf(out, 65, "localhost");
}

#define TMP_PREFIX ".trialsim-tmp-"

/* dir/.trialsim-tmp-<pid>-<random>-<host> into path[n]; -1 when it does not fit. */
static int tmp_path(const char *dir, char *path, size_t n) {
  char rnd[17], host[65];
  random_hex(rnd);
  host_name(host);
  int w = snprintf(path, n, "%s/" TMP_PREFIX "%ld-%s-%s", dir, (long)getpid(), rnd, host);
  if (w < 0 || (size_t)w >= n) { errno = ENAMETOOLONG; return -1; }
  return 0;
}

FILE *tsim__tmp_create(const char *dir, char *path, size_t n) {
  for (int tries = 0; tries < 100; tries++) {
    if (tmp_path(dir, path, n) != 0) return NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
      int e = errno;
      close(fd);
      unlink(path);
      errno = e;
    }
    return f;
  }
  errno = EEXIST;
  return NULL;
}

int tsim__tmp_close(FILE *f) {
  int ok = fflush(f) == 0 && !ferror(f);
  int e = errno;
  if (fclose(f) != 0) return -1;
  if (!ok) errno = e ? e : EIO;
  return ok ? 0 : -1;
}

int tsim__tmp_write(const char *dir, const char *text, char *path, size_t n) {
  FILE *f = tsim__tmp_create(dir, path, n);
  if (!f) return -1;
  fputs(text, f);
  if (tsim__tmp_close(f) == 0) return 0;
  int e = errno;
  unlink(path);
  errno = e;
  return -1;
}

/* ---- result sets ------------------------------------------------------------ */

/* Removes every entry of the folder open as dfd (files; a stage holds no folders) with
 * getdents64 and unlinkat only, so that it is async-signal-safe (opendir allocates). */
static void empty_folder(int dfd) {
  char buf[4096] __attribute__((aligned(8)));
  for (;;) {
    long got = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (got <= 0) return;
    int removed = 0;
    for (long off = 0; off < got;) {
      struct linux_dirent64 {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[];
      } *e = (struct linux_dirent64 *)(buf + off);
      off += e->reclen;
      if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0) continue;
      if (unlinkat(dfd, e->name, 0) == 0) removed = 1;
    }
    if (removed) lseek(dfd, 0, SEEK_SET); /* removing entries may move the others */
  }
}

/* Removes the folder path and the files in it; async-signal-safe. */
static void remove_folder(const char *path) {
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd >= 0) {
    empty_folder(dfd);
    close(dfd);
  }
  rmdir(path);
}

tsim_status tsim_outset_begin(tsim_outset *o, const char *dir, tsim_diag *d) {
  memset(o, 0, sizeof *o);
  atomic_init(&o->state, 0);
  if (snprintf(o->dir, sizeof o->dir, "%s", dir) >= (int)sizeof o->dir || tsim_mkdirs(dir) != 0) {
    tsim_diag_add(d, "%s: cannot create output directory: %s", dir, strerror(errno));
    return TSIM_IO;
  }
  char stage[sizeof o->stage];
  for (int tries = 0; tries < 100; tries++) {
    if (tmp_path(dir, stage, sizeof stage) != 0) break;
    if (mkdir(stage, 0700) == 0) {
      memcpy(o->stage, stage, sizeof stage);
      return TSIM_OK;
    }
    if (errno != EEXIST) break;
  }
  tsim_diag_add(d, "%s: cannot write results: %s", dir, strerror(errno));
  return TSIM_IO;
}

int tsim_outset_abort(tsim_outset *o) {
  int idle = 0;
  if (!o->stage[0]) return 0;
  if (!atomic_compare_exchange_strong(&o->state, &idle, 2)) return atomic_load(&o->state) == 1;
  remove_folder(o->stage);
  return 0;
}

/* Is name one of this host's temporaries (a stage or a file) whose process is gone? */
static int dead_litter(const char *name, const char *host) {
  size_t lp = strlen(TMP_PREFIX);
  if (strncmp(name, TMP_PREFIX, lp) != 0) return 0;
  char *end;
  errno = 0;
  long pid = strtol(name + lp, &end, 10);
  if (errno || end == name + lp || pid <= 0 || *end != '-' || strlen(end) < 18 || end[17] != '-') return 0;
  if (strspn(end + 1, "0123456789abcdef") < 16 || strcmp(end + 18, host) != 0) return 0;
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes the litter of dead writers from dir (under the lock). */
static void remove_litter(const char *dir) {
  char host[65], path[8400];
  host_name(host);
  DIR *dp = opendir(dir);
  if (!dp) return;
  struct dirent *e;
  while ((e = readdir(dp))) {
    if (!dead_litter(e->d_name, host)) continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) remove_folder(path);
    else unlink(path);
  }
  closedir(dp);
}

/* The names of the files in the stage (not its own temporaries), sorted; NULL on failure. */
static char **stage_files(const char *stage, int *n) {
  DIR *dp = opendir(stage);
  if (!dp) return NULL;
  char **names = NULL;
  int cap = 0;
  *n = 0;
  struct dirent *e;
  int ok = 1;
  while (ok && (e = readdir(dp))) {
    if (e->d_name[0] == '.' && (!e->d_name[1] || strcmp(e->d_name, "..") == 0)) continue;
    if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) continue;
    if (*n == cap) {
      char **grown = realloc(names, (size_t)(cap = cap ? 2 * cap : 32) * sizeof *names);
      if (!grown) { ok = 0; break; }
      names = grown;
    }
    if (!(names[*n] = strdup(e->d_name))) ok = 0;
    else (*n)++;
  }
  closedir(dp);
  if (!ok) {
    for (int i = 0; i < *n; i++) free(names[i]);
    free(names);
    return NULL;
  }
  if (!names) names = malloc(sizeof *names);
  return names;
}

tsim_status tsim_outset_commit(tsim_outset *o, const char *const stale[], tsim_diag *d) {
  char path[8400], dst[8400];
  snprintf(path, sizeof path, "%s/.trialsim.lock", o->dir);
  /* flock on a file of its own: held by this open file only, and taken on a read-only open too
   * (a lock file another user created). A folder whose file system has no locks (some network
   * mounts: ENOLCK, EOPNOTSUPP) is committed without: each set still whole, not serialised. */
  int lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (lock < 0 && errno == EACCES) lock = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  int r = -1;
  if (lock >= 0)
    while ((r = flock(lock, LOCK_EX)) != 0 && errno == EINTR) {}
  if (r != 0 && lock >= 0 && (errno == ENOLCK || errno == EOPNOTSUPP || errno == EINVAL)) r = 0;
  if (r != 0) {
    tsim_diag_add(d, "%s: cannot lock the folder to write results: %s", path, strerror(errno));
    if (lock >= 0) close(lock);
    tsim_outset_abort(o);
    return TSIM_IO;
  }
  int idle = 0;
  if (!atomic_compare_exchange_strong(&o->state, &idle, 1)) { /* aborted by a signal meanwhile */
    close(lock);
    tsim_diag_add(d, "%s: interrupted: nothing written", o->dir);
    return TSIM_IO;
  }
  remove_litter(o->dir);
  int n = 0, ok = 1;
  char **names = stage_files(o->stage, &n);
  if (!names) {
    tsim_diag_add(d, "%s: cannot list the results to write: %s", o->stage, strerror(errno));
    ok = 0;
  }
  for (int i = 0; ok && i < n; i++) { /* everything checked before anything is replaced */
    struct stat st;
    snprintf(dst, sizeof dst, "%s/%s", o->dir, names[i]);
    if (lstat(dst, &st) == 0 && !S_ISREG(st.st_mode)) {
      tsim_diag_add(d, "%s: cannot write results: exists and is not a regular file", dst);
      ok = 0;
    }
  }
  for (int i = 0; ok && stale && stale[i]; i++) {
    int in_set = 0;
    for (int j = 0; j < n; j++) in_set |= strcmp(names[j], stale[i]) == 0;
    struct stat st;
    snprintf(dst, sizeof dst, "%s/%s", o->dir, stale[i]);
    if (!in_set && lstat(dst, &st) == 0 && S_ISREG(st.st_mode) && unlink(dst) != 0) {
      tsim_diag_add(d, "%s: cannot remove the earlier result: %s", dst, strerror(errno));
      ok = 0;
    }
  }
  for (int i = 0; ok && i < n; i++) {
    snprintf(path, sizeof path, "%s/%s", o->stage, names[i]);
    snprintf(dst, sizeof dst, "%s/%s", o->dir, names[i]);
    if (rename(path, dst) != 0) {
      tsim_diag_add(d, "%s: cannot write results: %s", dst, strerror(errno));
      ok = 0;
    }
  }
  for (int i = 0; i < n; i++) free(names[i]);
  free(names);
  remove_folder(o->stage);
  atomic_store(&o->state, 3); /* done: the name is kept for tsim_outset_print */
  close(lock); /* releases the lock */
  return ok ? TSIM_OK : TSIM_IO;
}

/* text with every mention of the stage replaced by DIR, into f (or, f NULL, nowhere) - and the
 * length of the result. */
static size_t unstage(const tsim_outset *o, const char *text, char *out, size_t n) {
  size_t ls = strlen(o->stage), ld = strlen(o->dir), used = 0;
  for (const char *s = text; *s;) {
    if (ls && strncmp(s, o->stage, ls) == 0) {
      for (size_t i = 0; i < ld; i++, used++)
        if (used + 1 < n) out[used] = o->dir[i];
      s += ls;
    } else {
      if (used + 1 < n) out[used] = *s;
      used++;
      s++;
    }
  }
  if (n) out[used < n ? used : n - 1] = '\0';
  return used;
}

void tsim_outset_print(const tsim_outset *o, const char *text, FILE *f) {
  size_t len = unstage(o, text, NULL, 0);
  char *s = malloc(len + 1);
  if (!s) { fputs(text, f); return; }
  unstage(o, text, s, len + 1);
  fputs(s, f);
  free(s);
}

void tsim_outset_unstage(const tsim_outset *o, tsim_diag *d) {
  for (size_t i = 0; i < d->n; i++) {
    size_t len = unstage(o, d->msgs[i], NULL, 0);
    char *s = malloc(len + 1);
    if (!s) continue;
    unstage(o, d->msgs[i], s, len + 1);
    free(d->msgs[i]);
    d->msgs[i] = s;
  }
}

