/*
 * Helpers of the nng adapter on top of common/adapter-io.h: error names,
 * boolean and base64 fields, and nng error answers. Included by adapter.c (single translation
 * unit; build.ts compiles adapter.c only), not compiled on its own.
 */

#include "adapter-io.h"

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

/* ---------- flat JSON reading (the rest is in common/adapter-io.h) ---------- */

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

static void answer_nng(long long id, int rv) { answer_err(id, err_name(rv), nng_strerror(rv)); }

/* Answers {} or the nng error. */
static void answer_rv(long long id, int rv) {
  if (rv != 0)
    answer_nng(id, rv);
  else
    answer_ok(id, NULL);
}
