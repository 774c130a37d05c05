/*
 * Conformance adapter for libnng (see conformance/ADAPTER.md).
 *
 * Reads one JSON request per line on stdin and writes one JSON answer per
 * line on stdout. Every request runs on its own detached thread, so a
 * blocked recv never holds up other requests; nng itself is thread-safe and
 * a mutex keeps answer lines whole. The JSON reader only understands the
 * flat objects the suite's client writes (JSON.stringify output, no nesting,
 * no escapes inside the strings we read): it is not a general JSON parser.
 *
 * Build: cc -O2 -o nng-adapter adapter.c -lnng -lpthread
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/bus0/bus.h>
#include <nng/protocol/pair0/pair.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/protocol/survey0/respond.h>
#include <nng/protocol/survey0/survey.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

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

/* ---------- options ---------- */

enum opt_kind { OPT_MS, OPT_INT, OPT_SIZE };
static const struct {
  const char *name;
  enum opt_kind kind;
} options[] = {
    {NNG_OPT_RECVMAXSZ, OPT_SIZE},    {NNG_OPT_MAXTTL, OPT_INT},
    {NNG_OPT_REQ_RESENDTIME, OPT_MS}, {NNG_OPT_RECVTIMEO, OPT_MS},
    {NNG_OPT_SENDTIMEO, OPT_MS},      {NNG_OPT_RECONNMINT, OPT_MS},
    {NNG_OPT_RECONNMAXT, OPT_MS},     {NNG_OPT_SURVEYOR_SURVEYTIME, OPT_MS},
    {NNG_OPT_SENDBUF, OPT_INT},       {NNG_OPT_RECVBUF, OPT_INT},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static int set_option(nng_socket s, const char *name, long long value) {
  for (size_t i = 0; i < NOPTIONS; i++) {
    if (strcmp(options[i].name, name) != 0) continue;
    switch (options[i].kind) {
    case OPT_MS:
      return nng_socket_set_ms(s, name, (nng_duration)value);
    case OPT_INT:
      return nng_socket_set_int(s, name, (int)value);
    case OPT_SIZE:
      return value < 0 ? NNG_EINVAL : nng_socket_set_size(s, name, (size_t)value);
    }
  }
  return NNG_ENOTSUP;
}

/* ---------- operations ---------- */

/* Protocols by the names the adapter contract uses. */
static const struct {
  const char *name;
  int (*open)(nng_socket *);
} protocols[] = {
    {"req0", nng_req0_open},         {"rep0", nng_rep0_open},
    {"pub0", nng_pub0_open},         {"sub0", nng_sub0_open},
    {"push0", nng_push0_open},       {"pull0", nng_pull0_open},
    {"pair0", nng_pair0_open},       {"pair1", nng_pair1_open},
    {"pair1poly", nng_pair1_open_poly}, {"bus0", nng_bus0_open},
    {"surveyor0", nng_surveyor0_open}, {"respondent0", nng_respondent0_open},
};
#define NPROTOCOLS (sizeof protocols / sizeof protocols[0])

static void op_open(long long id, const char *line) {
  char *proto = json_str(line, "protocol");
  int (*open)(nng_socket *) = NULL;
  for (size_t i = 0; proto != NULL && i < NPROTOCOLS; i++)
    if (strcmp(protocols[i].name, proto) == 0) open = protocols[i].open;
  free(proto);
  if (open == NULL) {
    answer_err(id, "ENOTSUP", "unknown protocol");
    return;
  }
  nng_socket s;
  int rv = open(&s);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  char extra[64];
  snprintf(extra, sizeof extra, "\"socket\":%u", (unsigned)nng_socket_id(s));
  answer_ok(id, extra);
}

static void op_hello(long long id) {
  char extra[1024];
  size_t n = (size_t)snprintf(extra, sizeof extra,
                              "\"name\":\"nng\",\"version\":\"%s\",\"capabilities\":{\"protocols\":[",
                              nng_version());
  for (size_t i = 0; i < NPROTOCOLS; i++)
    n += (size_t)snprintf(extra + n, sizeof extra - n, "%s\"%s\"", i ? "," : "", protocols[i].name);
  n += (size_t)snprintf(extra + n, sizeof extra - n,
                        "],\"transports\":[\"tcp\",\"ipc\",\"ws\",\"wss\",\"tls+tcp\"],\"options\":[");
  for (size_t i = 0; i < NOPTIONS; i++)
    n += (size_t)snprintf(extra + n, sizeof extra - n, "%s\"%s\"", i ? "," : "", options[i].name);
  n += (size_t)snprintf(extra + n, sizeof extra - n, ",\"%s\",\"%s\"]}", NNG_OPT_SUB_SUBSCRIBE,
                        NNG_OPT_SUB_UNSUBSCRIBE);
  answer_ok(id, extra);
}


/* ---------- TLS (ADAPTER.md §2: the optional "tls" object of listen/dial) ---------- */

/* Copies a JSON string field found after `from`, undoing \n, \" and \\ escapes (PEM texts). */
static char *json_str_esc(const char *from, const char *key) {
  const char *p = json_field(from, key);
  if (p == NULL || *p != '"') return NULL;
  p++;
  char *s = malloc(strlen(p) + 1);
  size_t n = 0;
  while (*p && *p != '"') {
    if (*p == '\\' && p[1]) {
      p++;
      s[n++] = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p;
      p++;
    } else {
      s[n++] = *p++;
    }
  }
  s[n] = '\0';
  return s;
}

/* Builds a TLS configuration from the request's "tls" object; *out stays NULL when absent. */
static int tls_config(const char *line, int server, nng_tls_config **out) {
  *out = NULL;
  const char *t = json_field(line, "tls");
  if (t == NULL || *t != '{') return 0;
  nng_tls_config *cfg;
  int rv = nng_tls_config_alloc(&cfg, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT);
  if (rv != 0) return rv;
  char *cert = json_str_esc(t, "cert");
  char *key = json_str_esc(t, "key");
  char *ca = json_str_esc(t, "ca");
  char *sn = json_str_esc(t, "servername");
  int insecure = strstr(t, "\"insecure\":true") != NULL;
  int require_cert = strstr(t, "\"requireClientCert\":true") != NULL;
  if (rv == 0 && cert && key) rv = nng_tls_config_own_cert(cfg, cert, key, NULL);
  if (rv == 0 && ca) rv = nng_tls_config_ca_chain(cfg, ca, NULL);
  if (rv == 0 && sn) rv = nng_tls_config_server_name(cfg, sn);
  /* SP-TLS-7/-9: a dialer verifies unless "insecure" is set; SP-TLS-10: a listener asks for
     and verifies client certificates only when "requireClientCert" is set. */
  int verify = server ? require_cert : !insecure;
  if (rv == 0)
    rv = nng_tls_config_auth_mode(cfg, verify ? NNG_TLS_AUTH_MODE_REQUIRED : NNG_TLS_AUTH_MODE_NONE);
  free(cert);
  free(key);
  free(ca);
  free(sn);
  if (rv != 0) {
    nng_tls_config_free(cfg);
    return rv;
  }
  *out = cfg;
  return 0;
}

static void op_dial(long long id, nng_socket s, const char *url, const char *line) {
  nng_tls_config *cfg;
  int rv = tls_config(line, 0, &cfg);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  nng_dialer d;
  rv = nng_dialer_create(&d, s, url);
  if (rv == 0 && cfg) rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg);
  if (rv == 0) rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK);
  if (cfg) nng_tls_config_free(cfg); /* the dialer holds its own reference */
  rv ? answer_nng(id, rv) : answer_ok(id, NULL);
}

static void op_listen(long long id, nng_socket s, const char *url, const char *line) {
  nng_listener l;
  nng_tls_config *cfg;
  int rv = tls_config(line, 1, &cfg);
  if (rv == 0) rv = nng_listener_create(&l, s, url);
  if (rv == 0 && cfg) rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg);
  if (rv == 0) rv = nng_listener_start(l, 0);
  if (cfg) nng_tls_config_free(cfg); /* the listener holds its own reference */
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  /* Report the bound port for tcp://, tls+tcp://, ws:// and wss:// (the ws listener answers
     NNG_OPT_TCP_BOUND_PORT too), keeping a ws path: scheme://host:PORT/path. */
  int port = 0;
  const char *auth = strstr(url, "://");
  const char *end = auth ? strchr(auth + 3, '/') : NULL;
  if (end == NULL && auth) end = auth + strlen(auth);
  const char *colon = NULL;
  if (auth)
    for (const char *c = auth + 3; c < end; c++)
      if (*c == ':') colon = c;
  int portable = strncmp(url, "tcp", 3) == 0 || strncmp(url, "tls+tcp", 7) == 0 ||
                 strncmp(url, "ws", 2) == 0;
  char extra[600];
  if (!portable || colon == NULL ||
      nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port) != 0) {
    snprintf(extra, sizeof extra, "\"url\":\"%s\"", url);
    answer_ok(id, extra);
    return;
  }
  snprintf(extra, sizeof extra, "\"url\":\"%.*s:%d%s\"", (int)(colon - url), url, port, end);
  answer_ok(id, extra);
}

static void op_send(long long id, nng_socket s, const char *line, nng_duration timeout) {
  char *b64 = json_str(line, "data");
  unsigned char *bytes = NULL;
  long len = b64 ? b64_decode(b64, &bytes) : -1;
  free(b64);
  if (len < 0) {
    answer_err(id, "EINVAL", "data must be base64");
    return;
  }
  nng_msg *msg;
  nng_aio *aio;
  int rv = nng_msg_alloc(&msg, 0);
  if (rv == 0 && (rv = nng_msg_append(msg, bytes, (size_t)len)) != 0) nng_msg_free(msg);
  free(bytes);
  if (rv != 0 || (rv = nng_aio_alloc(&aio, NULL, NULL)) != 0) {
    answer_nng(id, rv);
    return;
  }
  nng_aio_set_timeout(aio, timeout);
  nng_aio_set_msg(aio, msg);
  nng_send_aio(s, aio);
  nng_aio_wait(aio);
  rv = nng_aio_result(aio);
  if (rv != 0) nng_msg_free(nng_aio_get_msg(aio)); /* ownership stays with us on failure */
  nng_aio_free(aio);
  if (rv != 0)
    answer_nng(id, rv);
  else
    answer_ok(id, NULL);
}

static void op_recv(long long id, nng_socket s, nng_duration timeout) {
  nng_aio *aio;
  int rv = nng_aio_alloc(&aio, NULL, NULL);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  nng_aio_set_timeout(aio, timeout);
  nng_recv_aio(s, aio);
  nng_aio_wait(aio);
  rv = nng_aio_result(aio);
  if (rv != 0) {
    nng_aio_free(aio);
    answer_nng(id, rv);
    return;
  }
  nng_msg *msg = nng_aio_get_msg(aio);
  nng_aio_free(aio);
  char *b64 = b64_encode(nng_msg_body(msg), nng_msg_len(msg));
  nng_msg_free(msg);
  char *extra = malloc(strlen(b64) + 16);
  sprintf(extra, "\"data\":\"%s\"", b64);
  answer_ok(id, extra);
  free(extra);
  free(b64);
}

static void *handle(void *arg) {
  char *line = arg;
  long long id, num;
  if (!json_num(line, "id", &id)) {
    fprintf(stderr, "nng-adapter: request without id: %s\n", line);
    free(line);
    pthread_mutex_lock(&out_lock);
    in_flight--;
    pthread_mutex_unlock(&out_lock);
    return NULL;
  }
  char *op = json_str(line, "op");
  char *url = json_str(line, "url");
  char *name = json_str(line, "name");
  nng_socket s = NNG_SOCKET_INITIALIZER;
  if (json_num(line, "socket", &num)) s.id = (uint32_t)num;
  nng_duration timeout = json_num(line, "timeoutMs", &num) ? (nng_duration)num : NNG_DURATION_DEFAULT;
  int rv;

  if (op == NULL) {
    answer_err(id, "EINVAL", "missing op");
  } else if (strcmp(op, "hello") == 0) {
    op_hello(id);
  } else if (strcmp(op, "open") == 0) {
    op_open(id, line);
  } else if (strcmp(op, "listen") == 0 && url) {
    op_listen(id, s, url, line);
  } else if (strcmp(op, "dial") == 0 && url) {
    op_dial(id, s, url, line);
  } else if (strcmp(op, "setopt") == 0 && name && json_field(line, "data") != NULL) {
    /* Byte-valued options (sub:subscribe, sub:unsubscribe) carry base64 in "data". */
    char *b64 = json_str(line, "data");
    unsigned char *bytes = NULL;
    long len = b64 ? b64_decode(b64, &bytes) : -1;
    free(b64);
    rv = len < 0 ? NNG_EINVAL : nng_socket_set(s, name, bytes, (size_t)len);
    free(bytes);
    rv ? answer_nng(id, rv) : answer_ok(id, NULL);
  } else if (strcmp(op, "setopt") == 0 && name && json_num(line, "value", &num)) {
    rv = set_option(s, name, num);
    rv ? answer_nng(id, rv) : answer_ok(id, NULL);
  } else if (strcmp(op, "send") == 0) {
    op_send(id, s, line, timeout);
  } else if (strcmp(op, "recv") == 0) {
    op_recv(id, s, timeout);
  } else if (strcmp(op, "close") == 0) {
    rv = nng_close(s);
    rv ? answer_nng(id, rv) : answer_ok(id, NULL);
  } else if (strcmp(op, "exit") == 0) {
    answer_ok(id, NULL);
    exit(0);
  } else {
    answer_err(id, "ENOTSUP", "unknown op or missing field");
  }
  free(op);
  free(url);
  free(name);
  free(line);
  pthread_mutex_lock(&out_lock);
  in_flight--;
  pthread_mutex_unlock(&out_lock);
  return NULL;
}

int main(void) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (line[n - 1] == '\n') line[--n] = '\0';
    if (n == 0) continue;
    pthread_mutex_lock(&out_lock);
    in_flight++;
    pthread_mutex_unlock(&out_lock);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, handle, strdup(line)) != 0) {
      fprintf(stderr, "nng-adapter: cannot start a thread\n");
      return 1;
    }
    pthread_attr_destroy(&attr);
  }
  free(line);
  /* stdin EOF: the suite is done with us. Give quick requests up to a second
   * to answer; a recv that is still blocked is abandoned. */
  for (int i = 0; i < 100; i++) {
    pthread_mutex_lock(&out_lock);
    int busy = in_flight;
    pthread_mutex_unlock(&out_lock);
    if (busy == 0) break;
    nng_msleep(10);
  }
  return 0;
}
