/*
 * JSON-lines plumbing shared by the C adapters (nng/adapter.c and
 * nanomsg/adapter.c): one answer per line on stdout under out_lock, base64
 * for message bodies, and a reader for the flat request objects the suite
 * writes (ADAPTER.md). Header-only: each adapter is a single translation
 * unit, and build.ts puts this folder on the include path.
 */
#ifndef SP_ADAPTER_IO_H
#define SP_ADAPTER_IO_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------- answers ---------- */

/* Writes `s` as a JSON string; control characters become blanks. */
static void json_put_string(const char *s) {
  putchar('"');
  for (const char *c = s; *c; c++) {
    if (*c == '"' || *c == '\\') putchar('\\');
    putchar((unsigned char)*c < 0x20 ? ' ' : *c);
  }
  putchar('"');
}

/* {"id":N,"ok":true,<extra>} — `extra` is a list of already encoded fields, or NULL. */
static void answer_ok(long long id, const char *extra) {
  pthread_mutex_lock(&out_lock);
  printf("{\"id\":%lld,\"ok\":true%s%s}\n", id, extra ? "," : "", extra ? extra : "");
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

/* {"id":N,"ok":false,"error":{"code":C,"message":M}} */
static void answer_err(long long id, const char *code, const char *msg) {
  pthread_mutex_lock(&out_lock);
  printf("{\"id\":%lld,\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":", id, code);
  json_put_string(msg);
  printf("}}\n");
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

/* ---------- base64 ---------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encodes into a fresh NUL-terminated buffer. */
static char *b64_encode(const unsigned char *in, size_t len) {
  char *out = malloc(((len + 2) / 3) * 4 + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    unsigned long v = (unsigned long)in[i] << 16;
    if (i + 1 < len) v |= (unsigned long)in[i + 1] << 8;
    if (i + 2 < len) v |= in[i + 2];
    out[o++] = b64chars[(v >> 18) & 63];
    out[o++] = b64chars[(v >> 12) & 63];
    out[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? b64chars[v & 63] : '=';
  }
  out[o] = '\0';
  return out;
}

/* Decodes into a fresh buffer (*out); returns its length, or -1 on bad input. */
static long b64_decode(const char *in, unsigned char **out) {
  size_t len = strlen(in);
  unsigned char *buf = malloc(len / 4 * 3 + 4);
  unsigned long v = 0;
  int bits = 0;
  long o = 0;
  for (size_t i = 0; i < len && in[i] != '='; i++) {
    const char *hit = strchr(b64chars, in[i]);
    if (hit == NULL) {
      free(buf);
      return -1;
    }
    v = (v << 6) | (unsigned long)(hit - b64chars);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[o++] = (unsigned char)((v >> bits) & 0xff);
    }
  }
  *out = buf;
  return o;
}

/* ---------- flat JSON reading ---------- */

/* Points just past `"key":` (and blanks), or NULL when the key is absent. */
static const char *json_field(const char *line, const char *key) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\"", key);
  const char *p = strstr(line, pat);
  if (p == NULL) return NULL;
  p += strlen(pat);
  while (*p == ' ') p++;
  if (*p != ':') return NULL;
  p++;
  while (*p == ' ') p++;
  return p;
}

/* Copies a string field into a malloc'd buffer, or returns NULL. */
static char *json_str(const char *line, const char *key) {
  const char *p = json_field(line, key);
  if (p == NULL || *p != '"') return NULL;
  const char *end = strchr(p + 1, '"');
  if (end == NULL) return NULL;
  size_t n = (size_t)(end - p - 1);
  char *s = malloc(n + 1);
  memcpy(s, p + 1, n);
  s[n] = '\0';
  return s;
}

/* Reads an integer field; 1 when present and valid. */
static int json_num(const char *line, const char *key, long long *out) {
  const char *p = json_field(line, key);
  if (p == NULL) return 0;
  char *end;
  errno = 0;
  long long v = strtoll(p, &end, 10);
  if (end == p || errno != 0) return 0;
  *out = v;
  return 1;
}

#endif
