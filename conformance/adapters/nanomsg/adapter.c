/*
 * Conformance adapter for libnanomsg 1.x (contract: conformance/ADAPTER.md).
 *
 * One JSON request per stdin line, one JSON answer per stdout line. Each
 * request is served on its own detached thread, so a recv that waits does not
 * hold up the others; a mutex keeps answer lines whole.
 *
 * Differences from the nng adapter, all forced by the nanomsg API:
 * - Timeouts are socket options in nanomsg, but the contract wants a per-call
 *   bound that leaves the socket's setting alone. So send/recv first try a
 *   non-blocking call (which also surfaces EFSM at once), then wait with
 *   nn_poll in short slices until the deadline. The slices let `close` tell
 *   waiting calls to give up (ECLOSED) before nn_close runs, so nn_close never
 *   races a call in flight on the same socket.
 * - nanomsg cannot report the port a `tcp://host:0` listener got. The adapter
 *   asks the kernel for a free port with a throw-away socket, binds nanomsg to
 *   it, and retries with another port when someone took it meanwhile.
 * - Error numbers are errno values; they are renamed to nng's code names.
 *
 * The JSON reader handles only the flat objects the suite writes (no nesting,
 * no escapes inside the strings it reads). It is not a general JSON parser.
 *
 * Beside this file (all included here, so the build compiles adapter.c
 * alone): lines.h (JSON lines, base64), listen.h (listen and the port-0
 * workaround), raw.h (AF_SP_RAW send/recv with the SP header as control
 * data), device.h (nn_device on a thread), stats.h (nn_get_statistic).
 *
 * Build: cc -O2 -o nanomsg-adapter adapter.c -lnanomsg -lpthread
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>

#include "lines.h"
#include "listen.h"
#include "raw.h"
#include "stats.h"

#ifndef NANOMSG_VERSION
#define NANOMSG_VERSION "unknown"
#endif

static int in_flight = 0; /* requests still being served; under out_lock */

/* ---------- per-socket bookkeeping ---------- */

#define MAX_SOCKETS 4096
struct sock {
  int used;      /* slot holds an open nanomsg socket */
  int closing;   /* close requested: waiting calls must give up */
  int busy;      /* send/recv calls currently inside the socket */
  int recv_ms;   /* socket-level recv-timeout as the contract sees it (-1 forever) */
  int send_ms;
  int raw;      /* AF_SP_RAW: send/recv carry the SP header (raw.h) */
  int protocol; /* NN_PAIR, NN_REQ, ... */
};
static struct sock socks[MAX_SOCKETS];
static pthread_mutex_t sock_lock = PTHREAD_MUTEX_INITIALIZER;

#include "device.h"

/* Marks a call as using socket `s`; fails when it is unknown or closing. */
static int sock_enter(int s) {
  int ok = 0;
  pthread_mutex_lock(&sock_lock);
  if (s >= 0 && s < MAX_SOCKETS && socks[s].used && !socks[s].closing) {
    socks[s].busy++;
    ok = 1;
  }
  pthread_mutex_unlock(&sock_lock);
  return ok;
}

static void sock_leave(int s) {
  pthread_mutex_lock(&sock_lock);
  socks[s].busy--;
  pthread_mutex_unlock(&sock_lock);
}

static int sock_closing(int s) {
  pthread_mutex_lock(&sock_lock);
  int c = socks[s].closing;
  pthread_mutex_unlock(&sock_lock);
  return c;
}

/* ---------- errors ---------- */

/* nanomsg reports errno values; the contract wants nng's names. */
static const char *code_of(int err) {
  switch (err) {
  case ETIMEDOUT:
  case EAGAIN:
    return "ETIMEDOUT";
  case EFSM:
    return "ESTATE";
  case EBADF:
  case ETERM:
    return "ECLOSED";
  case EINVAL:
  case EFAULT:
    return "EINVAL";
  case ENOTSUP:
  case ENOPROTOOPT:
  case EPROTONOSUPPORT:
    return "ENOTSUP";
  case EADDRINUSE:
    return "EADDRINUSE";
  case EADDRNOTAVAIL:
  case ENODEV:
  case ENAMETOOLONG:
    return "EADDRINVAL";
  case ECONNREFUSED:
    return "ECONNREFUSED";
  case EMSGSIZE:
    return "EMSGSIZE";
  case ENOMEM:
    return "ENOMEM";
  case EINTR:
    return "EINTR";
  case EPROTO:
    return "EPROTO";
  case EMFILE:
    return "ENOFILES";
  default:
    return "EINTERNAL";
  }
}

/* ---------- time ---------- */

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------- protocols and options ---------- */

static const struct {
  const char *name;
  int protocol;
} protocols[] = {
    {"pair0", NN_PAIR},         {"pub0", NN_PUB},   {"sub0", NN_SUB},
    {"req0", NN_REQ},           {"rep0", NN_REP},   {"push0", NN_PUSH},
    {"pull0", NN_PULL},         {"surveyor0", NN_SURVEYOR},
    {"respondent0", NN_RESPONDENT}, {"bus0", NN_BUS},
};
#define NPROTOCOLS (sizeof protocols / sizeof protocols[0])

/* Integer options: contract name → nanomsg level and option. */
static const struct {
  const char *name;
  int level; /* 0 = NN_SOL_SOCKET; otherwise the protocol's level */
  int option;
} int_options[] = {
    {"recv-size-max", NN_SOL_SOCKET, NN_RCVMAXSIZE},
    {"ttl-max", NN_SOL_SOCKET, NN_MAXTTL},
    {"req:resend-time", NN_REQ, NN_REQ_RESEND_IVL},
    {"surveyor:survey-time", NN_SURVEYOR, NN_SURVEYOR_DEADLINE},
    {"recv-timeout", NN_SOL_SOCKET, NN_RCVTIMEO},
    {"send-timeout", NN_SOL_SOCKET, NN_SNDTIMEO},
    {"reconnect-time-min", NN_SOL_SOCKET, NN_RECONNECT_IVL},
    {"reconnect-time-max", NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX},
    /* Like the contract, NN_SNDPRIO applies to endpoints created after it is set. */
    {"send-priority", NN_SOL_SOCKET, NN_SNDPRIO},
};
#define NINT_OPTIONS (sizeof int_options / sizeof int_options[0])

/* Returns 0 or an errno value. */
static int set_int_option(int s, const char *name, long long value) {
  for (size_t i = 0; i < NINT_OPTIONS; i++) {
    if (strcmp(int_options[i].name, name) != 0) continue;
    if (value < INT_MIN || value > INT_MAX) return EINVAL;
    int v = (int)value;
    if (int_options[i].option == NN_RCVMAXSIZE && int_options[i].level == NN_SOL_SOCKET) {
      /* The contract says 0 = unlimited; nanomsg spells that -1. */
      if (v < 0) return EINVAL;
      if (v == 0) v = -1;
    }
    if (strcmp(name, "req:resend-time") == 0 && v == 0) {
      /* Contract: 0 = never resend. nanomsg has no "never"; the longest interval is close. */
      v = INT_MAX;
    }
    if (strcmp(name, "recv-timeout") == 0 || strcmp(name, "send-timeout") == 0) {
      /* Kept for send/recv without their own timeoutMs (see wait_op). */
      pthread_mutex_lock(&sock_lock);
      if (name[0] == 'r')
        socks[s].recv_ms = v;
      else
        socks[s].send_ms = v;
      pthread_mutex_unlock(&sock_lock);
    }
    return nn_setsockopt(s, int_options[i].level, int_options[i].option, &v, sizeof v) == 0
               ? 0
               : errno;
  }
  return ENOTSUP;
}

static int set_bytes_option(int s, const char *name, const unsigned char *p, size_t n) {
  int opt;
  if (strcmp(name, "sub:subscribe") == 0)
    opt = NN_SUB_SUBSCRIBE;
  else if (strcmp(name, "sub:unsubscribe") == 0)
    opt = NN_SUB_UNSUBSCRIBE;
  else
    return ENOTSUP;
  return nn_setsockopt(s, NN_SUB, opt, p, n) == 0 ? 0 : errno;
}

/* ---------- operations ---------- */

static void op_hello(long long id) {
  char out[1536];
  size_t n = (size_t)snprintf(out, sizeof out,
                              "\"name\":\"nanomsg\",\"version\":\"%s\",\"capabilities\":{"
                              "\"protocols\":[",
                              NANOMSG_VERSION);
  for (size_t i = 0; i < NPROTOCOLS; i++)
    n += (size_t)snprintf(out + n, sizeof out - n, "%s\"%s\"", i ? "," : "", protocols[i].name);
  n += (size_t)snprintf(out + n, sizeof out - n,
                        "],\"transports\":[\"tcp\",\"ipc\",\"ws\",\"inproc\"],\"options\":[");
  for (size_t i = 0; i < NINT_OPTIONS; i++)
    n += (size_t)snprintf(out + n, sizeof out - n, "%s\"%s\"", i ? "," : "",
                          int_options[i].name);
  /* No contexts, pair1 or pipe ids in nanomsg, and no "dialers": nn_connect starts its
     endpoint at once, there is no dialer that exists unstarted. Only these features. */
  snprintf(out + n, sizeof out - n,
           ",\"sub:subscribe\",\"sub:unsubscribe\"],"
           "\"features\":[\"raw\",\"device\",\"stats\"]}");
  answer_ok(id, out);
}

static void op_open(long long id, const char *line) {
  char *name = json_str(line, "protocol");
  int protocol = -1;
  for (size_t i = 0; name != NULL && i < NPROTOCOLS; i++)
    if (strcmp(protocols[i].name, name) == 0) protocol = protocols[i].protocol;
  free(name);
  if (protocol < 0) {
    answer_err(id, "ENOTSUP", "unknown protocol");
    return;
  }
  const char *raw_field = json_field(line, "raw");
  int raw = raw_field != NULL && strncmp(raw_field, "true", 4) == 0;
  int s = nn_socket(raw ? AF_SP_RAW : AF_SP, protocol);
  while (s >= 0 && device_park(s)) s = nn_socket(raw ? AF_SP_RAW : AF_SP, protocol);
  if (s < 0) {
    answer_errno(id, errno);
    return;
  }
  if (s >= MAX_SOCKETS) {
    nn_close(s);
    answer_err(id, "ENOFILES", "too many sockets for the adapter's table");
    return;
  }
  pthread_mutex_lock(&sock_lock);
  socks[s] = (struct sock){
      .used = 1, .closing = 0, .busy = 0, .recv_ms = -1, .send_ms = -1, .raw = raw,
      .protocol = protocol};
  pthread_mutex_unlock(&sock_lock);
  char out[32];
  snprintf(out, sizeof out, "\"socket\":%d", s);
  answer_ok(id, out);
}

/*
 * Runs a non-blocking nn_send/nn_recv until it succeeds, fails for another
 * reason than EAGAIN, the deadline passes (ETIMEDOUT) or the socket is being
 * closed (EBADF). `deadline_ms` < 0 means no deadline. Returns 0 or errno.
 */
static int wait_op(int s, int events, long long deadline_ms, int (*attempt)(int, void *),
                   void *arg) {
  for (;;) {
    if (sock_closing(s)) return EBADF;
    if (attempt(s, arg) == 0) return 0;
    if (errno != EAGAIN) return errno;
    long long slice = 20;
    if (deadline_ms >= 0) {
      long long left = deadline_ms - now_ms();
      if (left <= 0) return ETIMEDOUT;
      if (left < slice) slice = left;
    }
    struct nn_pollfd pfd = {.fd = s, .events = (short)events, .revents = 0};
    if (nn_poll(&pfd, 1, (int)slice) < 0 && errno != EINTR) return errno;
  }
}

struct send_arg {
  const unsigned char *p;
  size_t n;
  int raw;
  const unsigned char *hdr; /* raw sockets: the SP header */
  size_t hlen;
};

static int try_send(int s, void *v) {
  struct send_arg *a = v;
  int rc = a->raw ? raw_send(s, a->hdr, a->hlen, a->p, a->n, NN_DONTWAIT)
                  : nn_send(s, a->p, a->n, NN_DONTWAIT);
  return rc < 0 ? -1 : 0;
}

struct recv_arg {
  void *msg;
  int len;
  int raw;
  unsigned char *hdr; /* raw sockets: malloc'ed SP header */
  size_t hlen;
};

static int try_recv(int s, void *v) {
  struct recv_arg *a = v;
  a->len = a->raw ? raw_recv(s, &a->msg, &a->hdr, &a->hlen, NN_DONTWAIT)
                  : nn_recv(s, &a->msg, NN_MSG, NN_DONTWAIT);
  return a->len < 0 ? -1 : 0;
}

static long long deadline_for(const char *line, int socket_ms) {
  long long ms;
  if (!json_num(line, "timeoutMs", &ms)) ms = socket_ms;
  return ms < 0 ? -1 : now_ms() + ms;
}

static void op_send(long long id, int s, const char *line) {
  char *b64 = json_str(line, "data");
  unsigned char *bytes = NULL;
  long len = b64 ? b64_decode(b64, &bytes) : -1;
  free(b64);
  if (len < 0) {
    answer_err(id, "EINVAL", "data must be base64");
    return;
  }
  pthread_mutex_lock(&sock_lock);
  int socket_ms = socks[s].send_ms;
  int raw = socks[s].raw;
  pthread_mutex_unlock(&sock_lock);
  struct send_arg a = {bytes, (size_t)len, raw, NULL, 0};
  char *hdr64 = json_str(line, "header");
  unsigned char *hdr = NULL;
  long hlen = hdr64 ? b64_decode(hdr64, &hdr) : 0;
  free(hdr64);
  if (hlen < 0 || (hlen > 0 && !raw)) {
    free(bytes);
    free(hdr);
    answer_err(id, "EINVAL", hlen < 0 ? "header must be base64" : "header needs a raw socket");
    return;
  }
  a.hdr = hdr;
  a.hlen = (size_t)hlen;
  int err = wait_op(s, NN_POLLOUT, deadline_for(line, socket_ms), try_send, &a);
  free(bytes);
  free(hdr);
  if (err != 0)
    answer_errno(id, err);
  else
    answer_ok(id, NULL);
}

static void op_recv(long long id, int s, const char *line) {
  pthread_mutex_lock(&sock_lock);
  int socket_ms = socks[s].recv_ms;
  struct recv_arg a = {NULL, 0, socks[s].raw, NULL, 0};
  int protocol = socks[s].protocol;
  pthread_mutex_unlock(&sock_lock);
  int err = wait_op(s, NN_POLLIN, deadline_for(line, socket_ms), try_recv, &a);
  if (err != 0) {
    answer_errno(id, err);
    return;
  }
  char *b64 = b64_encode(a.msg, (size_t)a.len);
  nn_freemsg(a.msg);
  /* Raw bus: nanomsg's header is a local pipe tag (for devices), not wire bytes. */
  char *h64 = b64_encode(a.hdr, protocol == NN_BUS ? 0 : a.hlen);
  free(a.hdr);
  char *out = malloc(strlen(b64) + strlen(h64) + 32);
  if (a.raw)
    sprintf(out, "\"data\":\"%s\",\"header\":\"%s\"", b64, h64);
  else
    sprintf(out, "\"data\":\"%s\"", b64);
  answer_ok(id, out);
  free(out);
  free(h64);
  free(b64);
}

/* Tells waiting calls to give up, waits until they left, then closes. */
static void op_close(long long id, int s) {
  pthread_mutex_lock(&sock_lock);
  int known = s >= 0 && s < MAX_SOCKETS && socks[s].used && !socks[s].closing;
  if (known) socks[s].closing = 1;
  pthread_mutex_unlock(&sock_lock);
  if (!known) {
    answer_err(id, "ECLOSED", "no such socket");
    return;
  }
  for (;;) {
    pthread_mutex_lock(&sock_lock);
    int busy = socks[s].busy;
    pthread_mutex_unlock(&sock_lock);
    if (busy == 0) break;
    usleep(2000);
  }
  device_closing(s);
  int rc = nn_close(s);
  int err = errno;
  device_wait_closed(s);
  pthread_mutex_lock(&sock_lock);
  socks[s].used = 0;
  pthread_mutex_unlock(&sock_lock);
  if (rc < 0 && err != EINTR)
    answer_errno(id, err);
  else
    answer_ok(id, NULL);
}

/* ---------- dispatch ---------- */

static void serve(long long id, const char *line) {
  char *op = json_str(line, "op");
  long long num;
  int s = json_num(line, "socket", &num) ? (int)num : -1;

  if (op == NULL) {
    answer_err(id, "EINVAL", "missing op");
  } else if (strcmp(op, "hello") == 0) {
    op_hello(id);
  } else if (strcmp(op, "open") == 0) {
    op_open(id, line);
  } else if (strcmp(op, "exit") == 0) {
    answer_ok(id, NULL);
    _exit(0);
  } else if (strcmp(op, "close") == 0) {
    op_close(id, s);
  } else if (strcmp(op, "device") == 0) {
    op_device(id, line);
  } else if (!sock_enter(s)) {
    answer_err(id, "ECLOSED", "no such socket, or it is closed");
  } else {
    char *url = json_str(line, "url");
    char *name = json_str(line, "name");
    if (strcmp(op, "listen") == 0 && url) {
      op_listen(id, s, url);
    } else if (strcmp(op, "dial") == 0 && url) {
      nn_connect(s, url) < 0 ? answer_errno(id, errno) : answer_ok(id, NULL);
    } else if (strcmp(op, "setopt") == 0 && name && json_field(line, "data") != NULL) {
      char *b64 = json_str(line, "data");
      unsigned char *bytes = NULL;
      long len = b64 ? b64_decode(b64, &bytes) : -1;
      free(b64);
      int err = len < 0 ? EINVAL : set_bytes_option(s, name, bytes, (size_t)len);
      free(bytes);
      err ? answer_errno(id, err) : answer_ok(id, NULL);
    } else if (strcmp(op, "setopt") == 0 && name && json_num(line, "value", &num)) {
      int err = set_int_option(s, name, num);
      err ? answer_errno(id, err) : answer_ok(id, NULL);
    } else if (strcmp(op, "send") == 0) {
      op_send(id, s, line);
    } else if (strcmp(op, "recv") == 0) {
      op_recv(id, s, line);
    } else if (strcmp(op, "stats") == 0) {
      op_stats(id, s);
    } else {
      answer_err(id, "ENOTSUP", "unknown op or missing field");
    }
    free(url);
    free(name);
    sock_leave(s);
  }
  free(op);
}

static void *worker(void *arg) {
  char *line = arg;
  long long id;
  if (json_num(line, "id", &id))
    serve(id, line);
  else
    fprintf(stderr, "nanomsg-adapter: request without id: %s\n", line);
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
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (line[n - 1] == '\n') line[--n] = '\0';
    if (n == 0) continue;
    pthread_mutex_lock(&out_lock);
    in_flight++;
    pthread_mutex_unlock(&out_lock);
    pthread_t t;
    if (pthread_create(&t, &attr, worker, strdup(line)) != 0) {
      fprintf(stderr, "nanomsg-adapter: cannot start a thread\n");
      return 1;
    }
  }
  free(line);
  /* End of stdin: give quick requests up to a second, abandon waiting ones. */
  for (int i = 0; i < 100; i++) {
    pthread_mutex_lock(&out_lock);
    int busy = in_flight;
    pthread_mutex_unlock(&out_lock);
    if (busy == 0) break;
    usleep(10000);
  }
  _exit(0);
}
