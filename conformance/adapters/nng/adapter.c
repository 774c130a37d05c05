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
 * The program is one translation unit: this file includes util.c (JSON,
 * base64, answers), tls.c, handles.c (socket and context handles) and
 * features.c (device, contexts, stats, dialers, pair1:polyamorous).
 *
 * Build: cc -O2 -o nng-adapter adapter.c -lnng -lpthread
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

#include "util.c"
#include "tls.c"
#include "handles.c"
#include "features.c"

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

static void copy_options(nng_socket from, nng_socket to) {
  for (size_t i = 0; i < NOPTIONS; i++) {
    const char *name = options[i].name;
    nng_duration ms;
    int v;
    size_t sz;
    switch (options[i].kind) {
    case OPT_MS:
      if (nng_socket_get_ms(from, name, &ms) == 0) nng_socket_set_ms(to, name, ms);
      break;
    case OPT_INT:
      if (nng_socket_get_int(from, name, &v) == 0) nng_socket_set_int(to, name, v);
      break;
    case OPT_SIZE:
      if (nng_socket_get_size(from, name, &sz) == 0) nng_socket_set_size(to, name, sz);
      break;
    }
  }
}

/* ---------- operations ---------- */

/* Protocols by the names the adapter contract uses, cooked and raw (feature "raw"). */
static const struct {
  const char *name;
  int (*open)(nng_socket *);
  int (*open_raw)(nng_socket *);
} protocols[] = {
    {"req0", nng_req0_open, nng_req0_open_raw},
    {"rep0", nng_rep0_open, nng_rep0_open_raw},
    {"pub0", nng_pub0_open, nng_pub0_open_raw},
    {"sub0", nng_sub0_open, nng_sub0_open_raw},
    {"push0", nng_push0_open, nng_push0_open_raw},
    {"pull0", nng_pull0_open, nng_pull0_open_raw},
    {"pair0", nng_pair0_open, nng_pair0_open_raw},
    {"pair1", nng_pair1_open, nng_pair1_open_raw},
    {"pair1poly", nng_pair1_open_poly, NULL}, /* nng 1.5.2 has no raw polyamorous pair1 */
    {"bus0", nng_bus0_open, nng_bus0_open_raw},
    {"surveyor0", nng_surveyor0_open, nng_surveyor0_open_raw},
    {"respondent0", nng_respondent0_open, nng_respondent0_open_raw},
};
#define NPROTOCOLS (sizeof protocols / sizeof protocols[0])

static void op_open(long long id, const char *line) {
  char *proto = json_str(line, "protocol");
  int raw = json_true(line, "raw");
  int known = 0;
  int (*open)(nng_socket *) = NULL;
  for (size_t i = 0; proto != NULL && i < NPROTOCOLS; i++)
    if (strcmp(protocols[i].name, proto) == 0) {
      known = 1;
      open = raw ? protocols[i].open_raw : protocols[i].open;
    }
  free(proto);
  if (open == NULL) {
    answer_err(id, "ENOTSUP", known ? "no raw variant of this protocol" : "unknown protocol");
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
  char extra[1400];
  size_t n = (size_t)snprintf(extra, sizeof extra,
                              "\"name\":\"nng\",\"version\":\"%s\",\"capabilities\":{\"protocols\":[",
                              nng_version());
  for (size_t i = 0; i < NPROTOCOLS; i++)
    n += (size_t)snprintf(extra + n, sizeof extra - n, "%s\"%s\"", i ? "," : "", protocols[i].name);
  n += (size_t)snprintf(extra + n, sizeof extra - n,
                        "],\"transports\":[\"tcp\",\"ipc\",\"inproc\",\"ws\",\"wss\",\"tls+tcp\"],"
                        "\"options\":[");
  for (size_t i = 0; i < NOPTIONS; i++)
    n += (size_t)snprintf(extra + n, sizeof extra - n, "%s\"%s\"", i ? "," : "", options[i].name);
  /* No "send-priority": nng 1.5.2 has no send priorities. */
  n += (size_t)snprintf(extra + n, sizeof extra - n,
                        ",\"%s\",\"%s\",\"%s\"],\"features\":[\"raw\",\"device\",\"contexts\","
                        "\"pipes\",\"stats\",\"dialers\"]}",
                        NNG_OPT_SUB_SUBSCRIBE, NNG_OPT_SUB_UNSUBSCRIBE, NNG_OPT_PAIR1_POLY);
  answer_ok(id, extra);
}

/* Starts a dialer, or with "start":false (feature "dialers") only creates it and answers its
   id as the "dialer" handle; dialer-start and dialer-close (features.c) take it from there. */
static void op_dial(long long id, nng_socket s, const char *url, const char *line) {
  nng_tls_config *cfg;
  int rv = tls_config(line, 0, &cfg);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  int start = !json_false(line, "start");
  nng_dialer d = NNG_DIALER_INITIALIZER;
  rv = nng_dialer_create(&d, s, url);
  if (rv == 0 && cfg) rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg);
  if (rv == 0 && start) rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK);
  if (cfg) nng_tls_config_free(cfg); /* the dialer holds its own reference */
  if (rv != 0 || start) {
    if (rv != 0 && !start && nng_dialer_id(d) > 0) nng_dialer_close(d);
    answer_rv(id, rv);
    return;
  }
  char extra[64];
  snprintf(extra, sizeof extra, "\"dialer\":%d", nng_dialer_id(d));
  answer_ok(id, extra);
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

/* Sends `data`, with `header` (raw sockets) and `pipe` (feature "pipes") when given. */
static void op_send(long long id, struct target t, const char *line, nng_duration timeout) {
  unsigned char *body, *header;
  long len = json_bytes(line, "data", &body);
  long hlen = json_bytes(line, "header", &header);
  long long pipe_id;
  if (len < 0 || hlen < 0 || body == NULL) {
    free(body);
    free(header);
    answer_err(id, "EINVAL", "data and header must be base64");
    return;
  }
  nng_msg *msg = NULL;
  nng_aio *aio = NULL;
  int rv = nng_msg_alloc(&msg, 0);
  if (rv == 0) rv = nng_msg_append(msg, body, (size_t)len);
  if (rv == 0 && hlen > 0) rv = nng_msg_header_append(msg, header, (size_t)hlen);
  if (rv == 0) rv = nng_aio_alloc(&aio, NULL, NULL);
  free(body);
  free(header);
  if (rv != 0) {
    if (msg != NULL) nng_msg_free(msg);
    answer_nng(id, rv);
    return;
  }
  if (json_num(line, "pipe", &pipe_id)) {
    nng_pipe p = NNG_PIPE_INITIALIZER;
    p.id = (uint32_t)pipe_id;
    nng_msg_set_pipe(msg, p);
  }
  nng_aio_set_timeout(aio, timeout);
  nng_aio_set_msg(aio, msg);
  if (t.is_ctx)
    nng_ctx_send(t.ctx, aio);
  else
    nng_send_aio(t.sock, aio);
  nng_aio_wait(aio);
  rv = nng_aio_result(aio);
  if (rv != 0) nng_msg_free(nng_aio_get_msg(aio)); /* ownership stays with us on failure */
  nng_aio_free(aio);
  answer_rv(id, rv);
}

/* Receives one message: `data`, plus `header` on raw sockets and `pipe` (feature "pipes"). */
static void op_recv(long long id, struct target t, nng_duration timeout) {
  nng_aio *aio;
  int rv = nng_aio_alloc(&aio, NULL, NULL);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  nng_aio_set_timeout(aio, timeout);
  if (t.is_ctx)
    nng_ctx_recv(t.ctx, aio);
  else
    nng_recv_aio(t.sock, aio);
  nng_aio_wait(aio);
  rv = nng_aio_result(aio);
  if (rv != 0) {
    nng_aio_free(aio);
    answer_nng(id, rv);
    return;
  }
  nng_msg *msg = nng_aio_get_msg(aio);
  nng_aio_free(aio);
  bool raw = false;
  if (!t.is_ctx) nng_socket_get_bool(t.sock, NNG_OPT_RAW, &raw);
  char *b64 = b64_encode(nng_msg_body(msg), nng_msg_len(msg));
  char *hb64 = raw ? b64_encode(nng_msg_header(msg), nng_msg_header_len(msg)) : NULL;
  uint32_t pipe_id = nng_pipe_id(nng_msg_get_pipe(msg));
  nng_msg_free(msg);
  char *extra = malloc(strlen(b64) + (hb64 ? strlen(hb64) : 0) + 64);
  int n = sprintf(extra, "\"data\":\"%s\"", b64);
  if (hb64) n += sprintf(extra + n, ",\"header\":\"%s\"", hb64);
  if (pipe_id > 0 && pipe_id != (uint32_t)-1) sprintf(extra + n, ",\"pipe\":%u", (unsigned)pipe_id);
  answer_ok(id, extra);
  free(extra);
  free(b64);
  free(hb64);
}

static void op_setopt(long long id, struct target t, long long handle, const char *line,
                      const char *name) {
  long long num;
  if (json_field(line, "data") != NULL) {
    /* Byte-valued options (sub:subscribe, sub:unsubscribe) carry base64 in "data". */
    unsigned char *bytes;
    long len = json_bytes(line, "data", &bytes);
    int rv = len < 0 ? NNG_EINVAL
             : t.is_ctx ? nng_ctx_set(t.ctx, name, bytes, (size_t)len)
                        : nng_socket_set(t.sock, name, bytes, (size_t)len);
    free(bytes);
    answer_rv(id, rv);
  } else if (!json_num(line, "value", &num)) {
    answer_err(id, "EINVAL", "setopt needs value or data");
  } else if (strcmp(name, NNG_OPT_PAIR1_POLY) == 0) {
    answer_rv(id, set_pair1_poly(handle, num));
  } else {
    answer_rv(id, t.is_ctx ? ctx_set_option(t.ctx, name, num) : set_option(t.sock, name, num));
  }
}

/* ---------- close, bounded ---------- */

/* nng 1.5.2 can deadlock inside nng_close (nanomsg/nng#1543, fixed after 1.5.2 by making
   endpoint close synchronous); the suite has seen it on a SURVEYOR closed just after its
   respondents left. An answer that never comes makes the suite restart the adapter and fail
   whatever case was running, so the close runs on a thread of its own and the request is
   answered ETIMEDOUT when it has not returned after CLOSE_WAIT_MS. The stuck thread is left
   as it is; the socket is gone for the suite either way. */
#define CLOSE_WAIT_MS 3000

struct closing {
  nng_socket sock;
  pthread_mutex_t lock;
  pthread_cond_t done_cv;
  int done, rv, refs;
};

static void closing_release(struct closing *c) {
  pthread_mutex_lock(&c->lock);
  int left = --c->refs;
  pthread_mutex_unlock(&c->lock);
  if (left == 0) {
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->done_cv);
    free(c);
  }
}

static void *closer(void *arg) {
  struct closing *c = arg;
  int rv = nng_close(c->sock);
  pthread_mutex_lock(&c->lock);
  c->rv = rv;
  c->done = 1;
  pthread_cond_signal(&c->done_cv);
  pthread_mutex_unlock(&c->lock);
  closing_release(c);
  return NULL;
}

static void op_close(long long id, nng_socket sock) {
  struct closing *c = calloc(1, sizeof *c);
  pthread_mutex_init(&c->lock, NULL);
  pthread_cond_init(&c->done_cv, NULL);
  c->sock = sock;
  c->refs = 2;
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, closer, c) != 0) {
    c->refs = 1;
    closing_release(c);
    pthread_attr_destroy(&attr);
    answer_rv(id, nng_close(sock));
    return;
  }
  pthread_attr_destroy(&attr);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += CLOSE_WAIT_MS / 1000;
  pthread_mutex_lock(&c->lock);
  while (!c->done) {
    if (pthread_cond_timedwait(&c->done_cv, &c->lock, &until) == ETIMEDOUT) break;
  }
  int done = c->done, rv = c->rv;
  pthread_mutex_unlock(&c->lock);
  closing_release(c);
  if (done) {
    answer_rv(id, rv);
  } else {
    char why[128];
    snprintf(why, sizeof why, "nng_close did not return within %d ms (nanomsg/nng#1543)",
             CLOSE_WAIT_MS);
    fprintf(stderr, "nng-adapter: %s\n", why);
    answer_err(id, "ETIMEDOUT", why);
  }
}

static void *handle(void *arg) {
  char *line = arg;
  long long id, num, handle_num = 0;
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
  json_num(line, "socket", &handle_num);
  struct target t = resolve(handle_num);
  nng_duration timeout = json_num(line, "timeoutMs", &num) ? (nng_duration)num : NNG_DURATION_DEFAULT;

  if (op == NULL) {
    answer_err(id, "EINVAL", "missing op");
  } else if (strcmp(op, "hello") == 0) {
    op_hello(id);
  } else if (strcmp(op, "open") == 0) {
    op_open(id, line);
  } else if ((strcmp(op, "listen") == 0 || strcmp(op, "dial") == 0) && t.is_ctx) {
    answer_err(id, "EINVAL", "contexts have no endpoints; listen or dial on the socket");
  } else if (strcmp(op, "listen") == 0 && url) {
    op_listen(id, t.sock, url, line);
  } else if (strcmp(op, "dial") == 0 && url) {
    op_dial(id, t.sock, url, line);
  } else if (strcmp(op, "setopt") == 0 && name) {
    op_setopt(id, t, handle_num, line, name);
  } else if (strcmp(op, "send") == 0) {
    op_send(id, t, line, timeout);
  } else if (strcmp(op, "recv") == 0) {
    op_recv(id, t, timeout);
  } else if (strcmp(op, "close") == 0) {
    if (t.is_ctx)
      answer_rv(id, nng_ctx_close(t.ctx));
    else
      op_close(id, t.sock);
  } else if (strcmp(op, "dialer-start") == 0 || strcmp(op, "dialer-close") == 0) {
    op_dialer(id, line, strcmp(op, "dialer-start") == 0);
  } else if (strcmp(op, "context") == 0) {
    op_context(id, t);
  } else if (strcmp(op, "device") == 0) {
    op_device(id, line);
  } else if (strcmp(op, "stats") == 0) {
    op_stats(id, t);
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
