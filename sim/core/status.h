/* status.h - status codes and the diagnostic list every fallible call reports into.
 *
 * Status codes come from one X-macro table so that the code, its exit status and its message
 * cannot drift apart (the libuv way). 0 is success. Library code never prints and never exits:
 * it returns a status and appends human-readable detail ("file: $.json.path: what") to a
 * caller-owned tsim_diag, so that a validator can report every problem, not just the first.
 */
#ifndef TSIM_STATUS_H
#define TSIM_STATUS_H

#include <stddef.h>

/*      name           exit status  message */
#define TSIM_STATUS_MAP(X)                                   \
  X(OK,       0, "success")                                  \
  X(INPUT,    2, "bad input")                                \
  X(NOMEM,    1, "out of memory")                            \
  X(IO,       1, "input/output error")                       \
  X(INTERNAL, 1, "internal failure")

typedef enum {
#define TSIM_STATUS_ENUM(name, code, msg) TSIM_##name,
  TSIM_STATUS_MAP(TSIM_STATUS_ENUM)
#undef TSIM_STATUS_ENUM
} tsim_status;

const char *tsim_status_message(tsim_status s);
int tsim_status_exit_code(tsim_status s);

/* A growing list of messages. At most TSIM_DIAG_MAX are kept; later ones are counted in
 * `dropped` so that a pathological file cannot make the report itself unbounded. */
#define TSIM_DIAG_MAX 200
typedef struct tsim_diag {
  char **msgs;     /* owned, NUL-terminated messages in the order they were found */
  size_t n;        /* messages kept */
  size_t cap;      /* allocated slots */
  size_t dropped;  /* messages not kept beyond TSIM_DIAG_MAX */
  int oom;         /* set when a message could not be stored */
} tsim_diag;

void tsim_diag_init(tsim_diag *d);
/* Frees every message; the struct is left empty and reusable. NULL is a no-op. */
void tsim_diag_clear(tsim_diag *d);
/* s for a one-line message: a new string (malloc) with each control character (below 32, and
 * 127) - a file's or an argument's, quoted in it - written \u00XX; NULL when memory is short. */
char *tsim_escape_controls(const char *s);
/* Appends a printf-formatted message, control characters escaped (tsim_escape_controls); never
 * fails visibly (out of memory sets d->oom). */
void tsim_diag_add(tsim_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t tsim_diag_count(const tsim_diag *d);
/* Writes every message, one per line, each prefixed by `prefix` ("trialsim: error: "). */
void tsim_diag_print(const tsim_diag *d, const char *prefix, void *file);

#endif
