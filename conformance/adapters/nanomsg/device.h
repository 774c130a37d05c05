/*
 * The `device` operation of the nanomsg conformance adapter (ADAPTER.md §3.2):
 * nn_device forwards between two raw sockets (or reflects on one when `b` is
 * absent, nanomsg's loopback device) and blocks, so it runs on a detached
 * thread of its own. Included once, by adapter.c, after the socket table.
 *
 * nanomsg 1.1.5 runs a two-socket device as two forwarding threads, each
 * blocked in nn_recvmsg on one socket. Closing one socket ends one thread at
 * once; the other ends only when its own socket closes or receives a message
 * (it then fails to send to the closed socket). Until then that thread still
 * holds the closed socket's number, and nanomsg gives a freed number to the
 * next nn_socket. So the adapter keeps a table of running devices:
 * - op_close marks the member closed (device_closing) and, once every member
 *   of a device is closed, waits for its thread to end (device_wait_closed);
 * - op_open never hands out a number a running device still holds: it parks
 *   such a socket (device_park) and asks for another; the parked socket has a
 *   zero send timeout, so a forward into it fails and ends that device, and it
 *   is closed when the device ends.
 */
#ifndef SP_NANOMSG_ADAPTER_DEVICE_H
#define SP_NANOMSG_ADAPTER_DEVICE_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <nanomsg/nn.h>

#define MAX_DEVICES 256
static struct device_run {
  int used;
  int member[2];  /* socket numbers; member[1] < 0 for a loopback device */
  int closed[2];  /* the adapter closed (or is closing) that member */
  int parked[2];  /* socket parked on a closed member's number, or -1 */
} devices[MAX_DEVICES]; /* under sock_lock */

/* The protocol nanomsg accepts as the peer of `p` (the device pairs them). */
static int peer_protocol(int p) {
  switch (p) {
  case NN_PUB:
    return NN_SUB;
  case NN_SUB:
    return NN_PUB;
  case NN_REQ:
    return NN_REP;
  case NN_REP:
    return NN_REQ;
  case NN_PUSH:
    return NN_PULL;
  case NN_PULL:
    return NN_PUSH;
  case NN_SURVEYOR:
    return NN_RESPONDENT;
  case NN_RESPONDENT:
    return NN_SURVEYOR;
  default:
    return p; /* pair and bus are their own peers */
  }
}

/* Domain (AF_SP / AF_SP_RAW) and protocol of socket `s`; 0 or errno. */
static int sock_kind(int s, int *domain, int *protocol) {
  size_t sz = sizeof *domain;
  if (nn_getsockopt(s, NN_SOL_SOCKET, NN_DOMAIN, domain, &sz) < 0) return errno;
  sz = sizeof *protocol;
  if (nn_getsockopt(s, NN_SOL_SOCKET, NN_PROTOCOL, protocol, &sz) < 0) return errno;
  return 0;
}

static void *device_main(void *v) {
  struct device_run *d = v;
  nn_device(d->member[0], d->member[1]); /* returns only on failure: always -1 */
  int err = errno;
  /* EBADF/ETERM: one of the sockets was closed, the normal way to stop. */
  if (err != EBADF && err != ETERM)
    fprintf(stderr, "nanomsg-adapter: device %d-%d stopped: %s\n", d->member[0], d->member[1],
            nn_strerror(err));
  pthread_mutex_lock(&sock_lock);
  int parked[2] = {d->parked[0], d->parked[1]};
  d->used = 0;
  pthread_mutex_unlock(&sock_lock);
  for (int i = 0; i < 2; i++)
    if (parked[i] >= 0) nn_close(parked[i]);
  return NULL;
}

/* Checks that `s` is an open raw socket of the adapter; 0 or errno. */
static int device_usable(int s, int *protocol) {
  pthread_mutex_lock(&sock_lock);
  int known = s >= 0 && s < MAX_SOCKETS && socks[s].used && !socks[s].closing;
  pthread_mutex_unlock(&sock_lock);
  if (!known) return EBADF;
  int domain = 0;
  int err = sock_kind(s, &domain, protocol);
  if (err) return err;
  return domain == AF_SP_RAW ? 0 : EINVAL;
}

static void op_device(long long id, const char *line) {
  long long na, nb;
  if (!json_num(line, "a", &na)) {
    answer_err(id, "EINVAL", "device needs a socket handle `a`");
    return;
  }
  int has_b = json_num(line, "b", &nb);
  if (has_b && nb == na) {
    answer_err(id, "EINVAL", "`b` must be another socket than `a`");
    return;
  }
  /* Handles out of range fail in device_usable (ECLOSED, like other ops). */
  int a = na < 0 || na >= MAX_SOCKETS ? -1 : (int)na;
  int b = !has_b ? -1 : nb < 0 || nb >= MAX_SOCKETS ? MAX_SOCKETS : (int)nb;
  int pa = 0, pb = 0;
  int err = device_usable(a, &pa);
  if (!err && has_b) err = device_usable(b, &pb);
  if (err == EINVAL) {
    answer_err(id, "EINVAL", "a device needs raw sockets");
    return;
  }
  if (err) {
    answer_errno(id, err);
    return;
  }
  if (b >= 0 && peer_protocol(pa) != pb) {
    answer_err(id, "EINVAL", "the two sockets are not peers of one protocol");
    return;
  }
  struct device_run *d = NULL;
  pthread_mutex_lock(&sock_lock);
  for (int i = 0; i < MAX_DEVICES && d == NULL; i++)
    if (!devices[i].used) d = &devices[i];
  if (d != NULL)
    *d = (struct device_run){.used = 1, .member = {a, b}, .closed = {0, b < 0}, .parked = {-1, -1}};
  pthread_mutex_unlock(&sock_lock);
  if (d == NULL) {
    answer_err(id, "ENOMEM", "too many devices");
    return;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  if (pthread_create(&t, &attr, device_main, d) != 0) {
    pthread_mutex_lock(&sock_lock);
    d->used = 0;
    pthread_mutex_unlock(&sock_lock);
    answer_err(id, "EINTERNAL", "cannot start the device thread");
  } else {
    answer_ok(id, NULL);
  }
  pthread_attr_destroy(&attr);
}

/* Before nn_close(s): notes that the devices using `s` lose that member. */
static void device_closing(int s) {
  pthread_mutex_lock(&sock_lock);
  for (int i = 0; i < MAX_DEVICES; i++)
    for (int m = 0; m < 2; m++)
      if (devices[i].used && devices[i].member[m] == s) devices[i].closed[m] = 1;
  pthread_mutex_unlock(&sock_lock);
}

/* After nn_close(s): waits (up to two seconds) for the devices on `s` whose
 * members are now all closed to end. */
static void device_wait_closed(int s) {
  for (int tries = 0; tries < 1000; tries++) {
    int waiting = 0;
    pthread_mutex_lock(&sock_lock);
    for (int i = 0; i < MAX_DEVICES; i++) {
      struct device_run *d = &devices[i];
      if (d->used && (d->member[0] == s || d->member[1] == s) && d->closed[0] && d->closed[1])
        waiting = 1;
    }
    pthread_mutex_unlock(&sock_lock);
    if (!waiting) return;
    usleep(2000);
  }
  fprintf(stderr, "nanomsg-adapter: a device on socket %d did not stop after close\n", s);
}

/*
 * For op_open: when a running device still holds number `s` of a closed
 * member, parks socket `s` there and returns 1 (the caller opens another).
 */
static int device_park(int s) {
  /* Zero send timeout first, so a forwarder never blocks on the parked socket. */
  int zero = 0, forever = -1, parked = 0;
  nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &zero, sizeof zero);
  pthread_mutex_lock(&sock_lock);
  for (int i = 0; i < MAX_DEVICES && !parked; i++)
    for (int m = 0; m < 2 && !parked; m++) {
      struct device_run *d = &devices[i];
      if (d->used && d->member[m] == s && d->closed[m] && d->parked[m] < 0) {
        d->parked[m] = s;
        parked = 1;
      }
    }
  pthread_mutex_unlock(&sock_lock);
  if (!parked) nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &forever, sizeof forever);
  return parked;
}

#endif
