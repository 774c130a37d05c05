/*
 * Shared body of the C benchmark drivers (nng.c, nanomsg.c), in the manner of
 * local_thr/remote_thr and local_lat/remote_lat: one process per role, talking
 * over a URL. A driver file defines the sock_* functions for its library and
 * then includes this file.
 *
 * Modes (argv[1]) and what they print on stdout:
 *   pull URL SIZE COUNT          listen, "ready", receive COUNT messages, then
 *                                "result {count, elapsedNs, bytes}" (first to last message)
 *   push URL SIZE COUNT          dial, "ready", send COUNT messages, "sent", wait for stdin EOF
 *   rep  URL SIZE                listen, "ready", echo every request until killed
 *   req  URL SIZE COUNT WARM     dial, WARM untimed round trips, COUNT timed ones,
 *                                "result {samplesNs:[...]}"
 *   pub  URL SIZE COUNT          listen, "ready", wait for a "go" line, send COUNT
 *                                messages, then a 1-byte "E" end marker every 2 ms until killed
 *   sub  URL NSUBS IDLE_MS       NSUBS sockets subscribe to everything and dial, "ready",
 *                                each receives until "E" or IDLE_MS of silence, then
 *                                "result {count, firstNs, lastNs}" over all sockets
 *   inproc URL SIZE COUNT        push and pull in one process (pull on the main thread)
 *   worker URL DELAY_MS          PULL: listen, "ready", receive forever (50 ms receive timeout),
 *                                sleeping DELAY_MS after each message (0: read as fast as it can);
 *                                at most every 50 ms while messages come, and once when they stop:
 *                                "progress {count, firstMs, lastMs}"
 *   push2 URL1 URL2 SIZE COUNT   PUSH: dial URL1, then URL2, wait until both are connected, settle
 *                                200 ms, "ready", wait for a "go" line, send COUNT messages, then
 *                                "result {t0Ms, sentMs}" (before the first send, after the last),
 *                                wait for stdin EOF
 *   noread URL                   PULL: listen, "ready", never receive; answer each "rss" line on
 *                                stdin with "rss {rssBytes}" (VmRSS of /proc/self/status)
 * worker, push2 and noread set default_buffers (defined by the driver) before opening their
 * socket: they keep the library's default buffers.
 * Data bytes are 'd'; timestamps are CLOCK_MONOTONIC nanoseconds, except the *Ms fields of
 * worker and push2, which are CLOCK_REALTIME milliseconds (fractional), comparable across processes.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG (1024 * 1024 + 64)

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME in milliseconds with sub-millisecond precision (comparable across processes). */
static double realtime_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void say(const char *line) {
  fputs(line, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "driver: %s: %s\n", what, detail);
  exit(2);
}

static void wait_stdin_eof(void) {
  char b[256];
  while (read(0, b, sizeof b) > 0) {
  }
}

static char *data_buf(size_t size) {
  char *b = malloc(size > 0 ? size : 1);
  if (!b) die("malloc", "out of memory");
  memset(b, 'd', size);
  return b;
}

static int run_pull(const char *url, size_t size, long count) {
  int s = sock_open("pull");
  sock_listen(s, url);
  say("ready");
  char *buf = malloc(MAX_MSG);
  uint64_t first = 0, last = 0, bytes = 0;
  for (long i = 0; i < count; i++) {
    int n = sock_recv(s, buf, MAX_MSG);
    if (n < 0) die("recv", "failed");
    if (i == 0) first = now_ns();
    bytes += (uint64_t)n;
  }
  last = now_ns();
  (void)size;
  printf("result {\"count\":%ld,\"elapsedNs\":%llu,\"bytes\":%llu}\n", count,
         (unsigned long long)(last - first), (unsigned long long)bytes);
  fflush(stdout);
  return 0;
}

static int run_push(const char *url, size_t size, long count) {
  int s = sock_open("push");
  sock_dial(s, url);
  say("ready");
  char *buf = data_buf(size);
  for (long i = 0; i < count; i++) sock_send(s, buf, size);
  say("sent");
  wait_stdin_eof();
  return 0;
}

static int run_rep(const char *url) {
  int s = sock_open("rep");
  sock_listen(s, url);
  say("ready");
  char *buf = malloc(MAX_MSG);
  for (;;) {
    int n = sock_recv(s, buf, MAX_MSG);
    if (n < 0) die("recv", "failed");
    sock_send(s, buf, (size_t)n);
  }
  return 0;
}

static int run_req(const char *url, size_t size, long count, long warm) {
  int s = sock_open("req");
  sock_dial(s, url);
  say("ready");
  char *out = data_buf(size);
  char *in = malloc(MAX_MSG);
  uint64_t *samples = malloc(sizeof(uint64_t) * (size_t)(count > 0 ? count : 1));
  for (long i = 0; i < warm + count; i++) {
    uint64_t t0 = now_ns();
    sock_send(s, out, size);
    if (sock_recv(s, in, MAX_MSG) < 0) die("recv", "failed");
    if (i >= warm) samples[i - warm] = now_ns() - t0;
  }
  fputs("result {\"samplesNs\":[", stdout);
  for (long i = 0; i < count; i++) printf(i ? ",%llu" : "%llu", (unsigned long long)samples[i]);
  fputs("]}\n", stdout);
  fflush(stdout);
  return 0;
}

static int run_pub(const char *url, size_t size, long count) {
  int s = sock_open("pub");
  sock_listen(s, url);
  say("ready");
  char line[64];
  if (!fgets(line, sizeof line, stdin)) return 0;
  char *buf = data_buf(size);
  for (long i = 0; i < count; i++) sock_send(s, buf, size);
  for (;;) {
    sock_send(s, "E", 1);
    usleep(2000);
  }
  return 0;
}

struct sub_state {
  int sock;
  uint64_t count, first, last;
};

static void *sub_thread(void *arg) {
  struct sub_state *st = arg;
  char *buf = malloc(MAX_MSG);
  for (;;) {
    int n = sock_recv(st->sock, buf, MAX_MSG);
    if (n < 0) break; /* idle timeout */
    if (n == 1 && buf[0] == 'E') break;
    uint64_t t = now_ns();
    if (st->count == 0) st->first = t;
    st->last = t;
    st->count++;
  }
  free(buf);
  return NULL;
}

static int run_sub(const char *url, int nsubs, int idle_ms) {
  struct sub_state *st = calloc((size_t)nsubs, sizeof *st);
  pthread_t *th = calloc((size_t)nsubs, sizeof *th);
  for (int i = 0; i < nsubs; i++) {
    st[i].sock = sock_open("sub");
    sock_subscribe_all(st[i].sock);
    sock_recv_timeout(st[i].sock, idle_ms);
    sock_dial(st[i].sock, url);
  }
  usleep(200000); /* let asynchronous connects and subscriptions settle */
  for (int i = 0; i < nsubs; i++) pthread_create(&th[i], NULL, sub_thread, &st[i]);
  say("ready");
  uint64_t count = 0, first = UINT64_MAX, last = 0;
  for (int i = 0; i < nsubs; i++) {
    pthread_join(th[i], NULL);
    count += st[i].count;
    if (st[i].count && st[i].first < first) first = st[i].first;
    if (st[i].last > last) last = st[i].last;
  }
  if (count == 0) first = last = 0;
  printf("result {\"count\":%llu,\"firstNs\":%llu,\"lastNs\":%llu}\n", (unsigned long long)count,
         (unsigned long long)first, (unsigned long long)last);
  fflush(stdout);
  return 0;
}

struct push_args {
  const char *url;
  size_t size;
  long count;
};

static void *inproc_pusher(void *arg) {
  struct push_args *a = arg;
  int s = sock_open("push");
  sock_dial(s, a->url);
  char *buf = data_buf(a->size);
  for (long i = 0; i < a->count; i++) sock_send(s, buf, a->size);
  return NULL;
}

static int run_inproc(const char *url, size_t size, long count) {
  int s = sock_open("pull");
  sock_listen(s, url);
  say("ready");
  struct push_args a = {url, size, count};
  pthread_t th;
  pthread_create(&th, NULL, inproc_pusher, &a);
  char *buf = malloc(MAX_MSG);
  uint64_t first = 0, bytes = 0;
  for (long i = 0; i < count; i++) {
    int n = sock_recv(s, buf, MAX_MSG);
    if (n < 0) die("recv", "failed");
    if (i == 0) first = now_ns();
    bytes += (uint64_t)n;
  }
  uint64_t last = now_ns();
  printf("result {\"count\":%ld,\"elapsedNs\":%llu,\"bytes\":%llu}\n", count,
         (unsigned long long)(last - first), (unsigned long long)bytes);
  fflush(stdout);
  _exit(0); /* the pusher thread may still hold its socket */
}

static int run_worker(const char *url, long delay_ms) {
  default_buffers = 1;
  int s = sock_open("pull");
  sock_recv_timeout(s, 50);
  sock_listen(s, url);
  say("ready");
  char *buf = malloc(MAX_MSG);
  long count = 0, printed = 0;
  double first = 0, last = 0, last_print = 0;
  for (;;) {
    int n = sock_recv(s, buf, MAX_MSG);
    double t = realtime_ms();
    if (n >= 0) {
      if (count == 0) first = t;
      last = t;
      count++;
    }
    if (count != printed && (n < 0 || t - last_print >= 50)) {
      printf("progress {\"count\":%ld,\"firstMs\":%.3f,\"lastMs\":%.3f}\n", count, first, last);
      fflush(stdout);
      printed = count;
      last_print = t;
    }
    if (n >= 0 && delay_ms > 0) usleep((useconds_t)delay_ms * 1000);
  }
  return 0;
}

static int run_push2(const char *url1, const char *url2, size_t size, long count) {
  default_buffers = 1;
  int s = sock_open("push");
  sock_dial(s, url1);
  sock_dial(s, url2);
  sock_wait_peers(s, 2);
  usleep(200000); /* let both pipes finish the SP handshake and join the socket */
  say("ready");
  char line[64];
  if (!fgets(line, sizeof line, stdin)) return 0;
  char *buf = data_buf(size);
  double t0 = realtime_ms();
  for (long i = 0; i < count; i++) sock_send(s, buf, size);
  double t1 = realtime_ms();
  printf("result {\"t0Ms\":%.3f,\"sentMs\":%.3f}\n", t0, t1);
  fflush(stdout);
  wait_stdin_eof();
  return 0;
}

static long long rss_bytes(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long long kb = -1;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmRSS:", 6)) {
      kb = atoll(line + 6);
      break;
    }
  }
  fclose(f);
  return kb < 0 ? -1 : kb * 1024;
}

static int run_noread(const char *url) {
  default_buffers = 1;
  int s = sock_open("pull");
  sock_listen(s, url);
  say("ready");
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    if (!strncmp(line, "rss", 3)) {
      printf("rss {\"rssBytes\":%lld}\n", rss_bytes());
      fflush(stdout);
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) die("usage", "MODE URL ...");
  const char *mode = argv[1], *url = argv[2];
#define ARG(i) (argc > (i) ? atol(argv[i]) : 0)
  if (!strcmp(mode, "pull")) return run_pull(url, (size_t)ARG(3), ARG(4));
  if (!strcmp(mode, "push")) return run_push(url, (size_t)ARG(3), ARG(4));
  if (!strcmp(mode, "rep")) return run_rep(url);
  if (!strcmp(mode, "req")) return run_req(url, (size_t)ARG(3), ARG(4), ARG(5));
  if (!strcmp(mode, "pub")) return run_pub(url, (size_t)ARG(3), ARG(4));
  if (!strcmp(mode, "sub")) return run_sub(url, (int)ARG(3), (int)ARG(4));
  if (!strcmp(mode, "inproc")) return run_inproc(url, (size_t)ARG(3), ARG(4));
  if (!strcmp(mode, "worker")) return run_worker(url, ARG(3));
  if (!strcmp(mode, "push2") && argc > 3) return run_push2(url, argv[3], (size_t)ARG(4), ARG(5));
  if (!strcmp(mode, "noread")) return run_noread(url);
  die("unknown mode", mode);
  return 2;
}
