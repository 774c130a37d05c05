/*
 * Shared helpers of the nng adapter: error names, base64, the flat JSON
 * reader and answer writing. Included by adapter.c (single translation
 * unit; build.ts compiles adapter.c only), not compiled on its own.
 */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int in_flight = 0; /* requests not yet answered; guarded by out_lock */

/* ---------- error names ---------- */

static const char *err_name(int rv) {
  switch (rv) {
#define E(x) \
  case NNG_##x: \
    return #x;
    E(EINTR) E(ENOMEM) E(EINVAL) E(EBUSY) E(ETIMEDOUT) E(ECONNREFUSED)
    E(ECLOSED) E(EAGAIN) E(ENOTSUP) E(EADDRINUSE) E(ESTATE) E(ENOENT)
    E(EPROTO) E(EUNREACHABLE) E(EADDRINVAL) E(EPERM) E(EMSGSIZE)
    E(ECONNABORTED) E(ECONNRESET) E(ECANCELED) E(ENOFILES) E(ENOSPC)
    E(EEXIST) E(EREADONLY) E(EWRITEONLY) E(ECRYPTO) E(EPEERAUTH) E(ENOARG)
    E(EAMBIGUOUS) E(EBADTYPE) E(ECONNSHUT) E(EINTERNAL)
#undef E
  default:
    return "EINTERNAL";
  }
}

/* ---------- base64 ---------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *in, size_t len) {
  char *out = malloc(((len + 2) / 3) * 4 + 1);
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    unsigned v = in[i] << 16;
    if (i + 1 < len) v |= in[i + 1] << 8;
    if (i + 2 < len) v |= in[i + 2];
    out[o++] = b64chars[(v >> 18) & 63];
    out[o++] = b64chars[(v >> 12) & 63];
    out[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? b64chars[v & 63] : '=';
  }
  out[o] = '\0';
  return out;
}

static int b64_value(char c) {
  const char *p = strchr(b64chars, c);
  return (c != '\0' && p != NULL) ? (int)(p - b64chars) : -1;
}

/* Decodes into a fresh buffer; returns its length, or -1 on bad input. */
static long b64_decode(const char *in, unsigned char **out) {
  size_t len = strlen(in);
  unsigned char *buf = malloc(len / 4 * 3 + 3);
  long o = 0;
  unsigned v = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    if (in[i] == '=') break;
    int d = b64_value(in[i]);
    if (d < 0) {
      free(buf);
      return -1;
    }
    v = (v << 6) | (unsigned)d;
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

/* True when the field is the literal `true`. */
static int json_true(const char *line, const char *key) {
  const char *p = json_field(line, key);
  return p != NULL && strncmp(p, "true", 4) == 0;
}

/* True when the field is the literal `false` (absent is not false). */
static int json_false(const char *line, const char *key) {
  const char *p = json_field(line, key);
  return p != NULL && strncmp(p, "false", 5) == 0;
}

/* Decodes a base64 string field; returns its length, 0 with *out NULL when the field is
   absent, or -1 when it is not base64. */
static long json_bytes(const char *line, const char *key, unsigned char **out) {
  *out = NULL;
  if (json_field(line, key) == NULL) return 0;
  char *b64 = json_str(line, key);
  long len = b64 ? b64_decode(b64, out) : -1;
  free(b64);
  return len;
}

/* ---------- answers ---------- */

static void answer_ok(long long id, const char *extra) {
  pthread_mutex_lock(&out_lock);
  printf("{\"id\":%lld,\"ok\":true%s%s}\n", id, extra ? "," : "", extra ? extra : "");
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

static void answer_err(long long id, const char *code, const char *msg) {
  pthread_mutex_lock(&out_lock);
  printf("{\"id\":%lld,\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":\"", id, code);
  for (const char *c = msg; *c; c++) {
    if (*c == '"' || *c == '\\') putchar('\\');
    putchar((unsigned char)*c < 0x20 ? ' ' : *c);
  }
  printf("\"}}\n");
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

static void answer_nng(long long id, int rv) { answer_err(id, err_name(rv), nng_strerror(rv)); }

/* Answers {} or the nng error. */
static void answer_rv(long long id, int rv) {
  if (rv != 0)
    answer_nng(id, rv);
  else
    answer_ok(id, NULL);
}
