/* rename_slow.c - an LD_PRELOAD shim for tests only (tests/atomic.sh): makes one rename() of the
 * process slow, so that another process can be started while this one is between its renames.
 *
 * TSIM_SHIM_RENAME_SUFFIX  the rename whose new name ends with this is slowed (unset: none)
 * TSIM_SHIM_RENAME_IN      ... and whose new name contains this (optional)
 * TSIM_SHIM_MARK           a file created when the slow rename starts (the test waits for it)
 * TSIM_SHIM_SECONDS        how long it sleeps before renaming (default 3)
 * Every other rename() goes straight to libc's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rename(const char *from, const char *to) {
  static int (*real)(const char *, const char *);
  if (!real) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
  const char *suffix = getenv("TSIM_SHIM_RENAME_SUFFIX"), *in = getenv("TSIM_SHIM_RENAME_IN");
  size_t lt = strlen(to), ls = suffix ? strlen(suffix) : 0;
  if (suffix && *suffix && lt >= ls && strcmp(to + lt - ls, suffix) == 0 && (!in || strstr(to, in))) {
    const char *mark = getenv("TSIM_SHIM_MARK"), *secs = getenv("TSIM_SHIM_SECONDS");
    if (mark) {
      int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
      if (fd >= 0) close(fd);
    }
    sleep(secs ? (unsigned)atoi(secs) : 3u);
  }
  return real(from, to);
}
