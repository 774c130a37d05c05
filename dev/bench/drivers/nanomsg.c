/*
 * nanomsg benchmark driver (see common.h for the modes). Built at run time by
 * the bench runner: cc -O2 nanomsg.c -lnanomsg -lpthread.
 */
#include <errno.h>
#include <stdint.h>
#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void nn_die(const char *what) {
  fprintf(stderr, "nanomsg driver: %s: %s\n", what, nn_strerror(nn_errno()));
  exit(2);
}

/* Set by the flow-control modes of common.h; nanomsg's sockets keep their default buffers anyway. */
static int default_buffers;

static int sock_open(const char *proto) {
  int p = NN_SUB;
  if (!strcmp(proto, "push")) p = NN_PUSH;
  else if (!strcmp(proto, "pull")) p = NN_PULL;
  else if (!strcmp(proto, "req")) p = NN_REQ;
  else if (!strcmp(proto, "rep")) p = NN_REP;
  else if (!strcmp(proto, "pub")) p = NN_PUB;
  int s = nn_socket(AF_SP, p);
  if (s < 0) nn_die("socket");
  int unlimited = -1;
  nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &unlimited, sizeof unlimited);
  if (p == NN_REQ || p == NN_REP) {
    /* as nanomsg's own latency tools do */
    int one = 1;
    nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &one, sizeof one);
  }
  if (p == NN_REQ) {
    int ivl = 600000;
    nn_setsockopt(s, NN_REQ, NN_REQ_RESEND_IVL, &ivl, sizeof ivl);
  }
  return s;
}

static void sock_listen(int s, const char *url) {
  if (nn_bind(s, url) < 0) nn_die("bind");
}

static void sock_dial(int s, const char *url) {
  /* asynchronous and reconnecting; sends wait for the connection */
  if (nn_connect(s, url) < 0) nn_die("connect");
}

/* nn_connect is asynchronous: wait (up to 10 s) until n connections are established. */
static void sock_wait_peers(int s, int n) {
  for (int tries = 0; tries < 1000; tries++) {
    if (nn_get_statistic(s, NN_STAT_CURRENT_CONNECTIONS) >= (uint64_t)n) return;
    usleep(10000);
  }
  fprintf(stderr, "nanomsg driver: only %llu of %d connections after 10 s\n",
          (unsigned long long)nn_get_statistic(s, NN_STAT_CURRENT_CONNECTIONS), n);
  exit(2);
}

static void sock_send(int s, const void *buf, size_t len) {
  if (nn_send(s, buf, len, 0) < 0) nn_die("send");
}

static int sock_recv(int s, void *buf, size_t cap) {
  int n = nn_recv(s, buf, cap, 0);
  if (n < 0 && nn_errno() == ETIMEDOUT) return -1;
  if (n < 0) nn_die("recv");
  return n;
}

static void sock_subscribe_all(int s) {
  if (nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) < 0) nn_die("subscribe");
}

static void sock_recv_timeout(int s, int ms) {
  nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &ms, sizeof ms);
}

#include "common.h"
