/*
 * nng benchmark driver (see common.h for the modes). Built at run time by the
 * bench runner: cc -O2 nng.c -lnng -lpthread.
 */
#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void nng_die(const char *what, int rv) {
  fprintf(stderr, "nng driver: %s: %s\n", what, nng_strerror(rv));
  exit(2);
}

static nng_socket as_sock(int id) {
  nng_socket s;
  s.id = (uint32_t)id;
  return s;
}

/*
 * Set by the flow-control modes of common.h (worker, push2, noread): their sockets keep
 * nng's default buffers, since those scenarios measure the library's own queueing.
 */
static int default_buffers;

static int sock_open(const char *proto) {
  nng_socket s;
  int rv;
  if (!strcmp(proto, "push")) rv = nng_push0_open(&s);
  else if (!strcmp(proto, "pull")) rv = nng_pull0_open(&s);
  else if (!strcmp(proto, "req")) rv = nng_req0_open(&s);
  else if (!strcmp(proto, "rep")) rv = nng_rep0_open(&s);
  else if (!strcmp(proto, "pub")) rv = nng_pub0_open(&s);
  else rv = nng_sub0_open(&s);
  if (rv != 0) nng_die("open", rv);
  nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 0);
  if (!default_buffers && strcmp(proto, "req") && strcmp(proto, "rep")) {
    /* message buffers as nng's own perf tools set them (128 messages) */
    nng_socket_set_int(s, NNG_OPT_SENDBUF, 128);
    nng_socket_set_int(s, NNG_OPT_RECVBUF, 128);
  }
  if (!strcmp(proto, "req")) nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, 600000);
  return (int)nng_socket_id(s);
}

static void sock_listen(int id, const char *url) {
  int rv = nng_listen(as_sock(id), url, NULL, 0);
  if (rv != 0) nng_die("listen", rv);
}

static void sock_dial(int id, const char *url) {
  int rv;
  for (int tries = 0; tries < 200; tries++) {
    rv = nng_dial(as_sock(id), url, NULL, 0);
    if (rv == 0) return;
    if (rv != NNG_ECONNREFUSED && rv != NNG_ENOENT) break;
    usleep(10000);
  }
  nng_die("dial", rv);
}

/* nng_dial without NNG_FLAG_NONBLOCK returns once the connection is up: nothing to wait for. */
static void sock_wait_peers(int id, int n) {
  (void)id;
  (void)n;
}

static void sock_send(int id, const void *buf, size_t len) {
  int rv = nng_send(as_sock(id), (void *)buf, len, 0);
  if (rv != 0) nng_die("send", rv);
}

static int sock_recv(int id, void *buf, size_t cap) {
  size_t sz = cap;
  int rv = nng_recv(as_sock(id), buf, &sz, 0);
  if (rv == NNG_ETIMEDOUT) return -1;
  if (rv != 0) nng_die("recv", rv);
  return (int)sz;
}

static void sock_subscribe_all(int id) {
  int rv = nng_socket_set(as_sock(id), NNG_OPT_SUB_SUBSCRIBE, "", 0);
  if (rv != 0) nng_die("subscribe", rv);
}

static void sock_recv_timeout(int id, int ms) {
  nng_socket_set_ms(as_sock(id), NNG_OPT_RECVTIMEO, ms);
}

#include "common.h"
