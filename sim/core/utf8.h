/* utf8.h - the one UTF-8 rule the loaders and the JSON printer share. */
#ifndef TSIM_UTF8_H
#define TSIM_UTF8_H

/* The length of the valid UTF-8 sequence at s (1 to 4; 1 for ASCII, including NUL), or 0 when
 * it is not one (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF, cut
 * short by the end of the string). */
static inline int tsim_utf8_len(const unsigned char *s) {
  unsigned c = s[0];
  if (c < 0x80) return 1;
  int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c <= 0xEF ? 3 : 0) : c >= 0xC2 ? (c <= 0xDF ? 2 : 0) : 0;
  if (n == 0) return 0;
  for (int i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if (n == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))) return 0;
  if (n == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))) return 0;
  return n;
}

/* The offset of the first byte of s that does not start a valid UTF-8 sequence, or -1 when
 * all of s is UTF-8. */
static inline long tsim_utf8_invalid_at(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    int n = tsim_utf8_len(p);
    if (n == 0) return (long)(p - (const unsigned char *)s);
    p += n;
  }
  return -1;
}

#endif
