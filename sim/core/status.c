/* status.c - status messages and the diagnostic list (see status.h). */
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tsim_status_message(tsim_status s) {
  switch (s) {
#define TSIM_STATUS_MSG(name, code, msg) case TSIM_##name: return msg;
    TSIM_STATUS_MAP(TSIM_STATUS_MSG)
#undef TSIM_STATUS_MSG
  }
  return "unknown status";
}

int tsim_status_exit_code(tsim_status s) {
  switch (s) {
#define TSIM_STATUS_CODE(name, code, msg) case TSIM_##name: return code;
    TSIM_STATUS_MAP(TSIM_STATUS_CODE)
#undef TSIM_STATUS_CODE
  }
  return 1;
}

void tsim_diag_init(tsim_diag *d) { memset(d, 0, sizeof *d); }

void tsim_diag_clear(tsim_diag *d) {
  if (!d) return;
  for (size_t i = 0; i < d->n; i++) free(d->msgs[i]);
  free(d->msgs);
  tsim_diag_init(d);
}

void tsim_diag_add(tsim_diag *d, const char *fmt, ...) {
  if (d->n >= TSIM_DIAG_MAX) { d->dropped++; return; }
  if (d->n == d->cap) {
    size_t cap = d->cap ? 2 * d->cap : 8;
    char **m = realloc(d->msgs, cap * sizeof *m);
    if (!m) { d->oom = 1; d->dropped++; return; }
    d->msgs = m;
    d->cap = cap;
  }
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
  if (!s) { d->oom = 1; d->dropped++; va_end(ap2); return; }
  vsnprintf(s, (size_t)len + 1, fmt, ap2);
  va_end(ap2);
  /* A message is one line of text: a control character is shown, not sent to the terminal. */
  char *e = tsim_escape_controls(s);
  free(s);
  if (!e) { d->oom = 1; d->dropped++; return; }
  d->msgs[d->n++] = e;
}

static int is_control(unsigned char ch) { return ch < 32 || ch == 127; }

char *tsim_escape_controls(const char *s) {
  size_t n = 0, nctl = 0;
  for (const char *p = s; *p; p++, n++) nctl += (size_t)is_control((unsigned char)*p);
  char *e = malloc(n + 5 * nctl + 1), *q = e;
  if (!e) return NULL;
  for (const char *p = s; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    if (is_control(ch)) q += sprintf(q, "\\u%04x", ch);
    else *q++ = (char)ch;
  }
  *q = '\0';
  return e;
}

size_t tsim_diag_count(const tsim_diag *d) { return d->n + d->dropped; }

void tsim_diag_print(const tsim_diag *d, const char *prefix, void *file) {
  FILE *f = file;
  for (size_t i = 0; i < d->n; i++) fprintf(f, "%s%s\n", prefix, d->msgs[i]);
  if (d->dropped) fprintf(f, "%s... and %zu more problems\n", prefix, d->dropped);
}
