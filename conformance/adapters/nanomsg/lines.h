/*
 * JSON-lines plumbing of the nanomsg conformance adapter: answers on stdout
 * (one whole line per answer, under out_lock), base64, and a reader for the
 * flat request objects the suite writes. Included once, by adapter.c.
 */
#ifndef SP_NANOMSG_ADAPTER_LINES_H
#define SP_NANOMSG_ADAPTER_LINES_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* nanomsg reports errno values; the contract wants nng's names (adapter.c). */
static const char *code_of(int err);

/* ---------- output ---------- */

static void put_json_string(const char *s) {
  putchar('"');
  for (const char *c = s; *c; c++) {
    if (*c == '"' || *c == '\\') putchar('\\');
    putchar((unsigned char)*c < 0x20 ? ' ' : *c);
  }
  putchar('"');
}

static void reply_ok(long long id, const char *fields) {
  pthread_mutex_lock(&out_lock);
  printf("{\"id\":%lld,\"ok\":true%s%s}\n", id, fields ? "," : "", fields ? fields : "");
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

static void reply_err(long long id, const char *code, const char *msg) {
  pthread_mutex_lock(&out_lock);
  printf("{\"id\":%lld,\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":", id, code);
  put_json_string(msg);
  printf("}}\n");
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

static void reply_errno(long long id, int err) { reply_err(id, code_of(err), nn_strerror(err)); }

/* ---------- base64 ---------- */

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *to_base64(const unsigned char *p, size_t n) {
  char *out = malloc((n + 2) / 3 * 4 + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned long w = (unsigned long)p[i] << 16;
    if (i + 1 < n) w |= (unsigned long)p[i + 1] << 8;
    if (i + 2 < n) w |= p[i + 2];
    out[o++] = alphabet[(w >> 18) & 0x3f];
    out[o++] = alphabet[(w >> 12) & 0x3f];
    out[o++] = i + 1 < n ? alphabet[(w >> 6) & 0x3f] : '=';
    out[o++] = i + 2 < n ? alphabet[w & 0x3f] : '=';
  }
  out[o] = '\0';
  return out;
}

/* Decodes base64 into a fresh buffer (*out); returns the length or -1. */
static long from_base64(const char *s, unsigned char **out) {
  size_t n = strlen(s);
  unsigned char *buf = malloc(n / 4 * 3 + 4);
  unsigned long acc = 0;
  int bits = 0;
  long len = 0;
  for (size_t i = 0; i < n && s[i] != '='; i++) {
    const char *hit = strchr(alphabet, s[i]);
    if (hit == NULL || s[i] == '\0') {
      free(buf);
      return -1;
    }
    acc = (acc << 6) | (unsigned long)(hit - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[len++] = (unsigned char)((acc >> bits) & 0xff);
    }
  }
  *out = buf;
  return len;
}

/* ---------- reading the flat request object ---------- */

static const char *field_at(const char *line, const char *key) {
  char quoted[64];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  const char *p = strstr(line, quoted);
  if (p == NULL) return NULL;
  p += strlen(quoted);
  while (*p == ' ') p++;
  if (*p++ != ':') return NULL;
  while (*p == ' ') p++;
  return p;
}

static char *field_str(const char *line, const char *key) {
  const char *p = field_at(line, key);
  if (p == NULL || *p != '"') return NULL;
  const char *end = strchr(p + 1, '"');
  if (end == NULL) return NULL;
  size_t n = (size_t)(end - p - 1);
  char *s = malloc(n + 1);
  memcpy(s, p + 1, n);
  s[n] = '\0';
  return s;
}

static int field_num(const char *line, const char *key, long long *out) {
  const char *p = field_at(line, key);
  if (p == NULL) return 0;
  char *end;
  errno = 0;
  long long v = strtoll(p, &end, 10);
  if (end == p || errno != 0) return 0;
  *out = v;
  return 1;
}

#endif
