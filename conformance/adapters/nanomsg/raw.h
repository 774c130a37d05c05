/*
 * Raw (AF_SP_RAW) messages for the nanomsg conformance adapter: the SP header
 * travels beside the body as control data of nn_sendmsg/nn_recvmsg. Included
 * once, by adapter.c.
 *
 * Layout in nanomsg 1.1.5 (checked against the library, see the tests in the
 * report): one control message at level PROTO_SP, type SP_HDR, whose data is a
 * size_t byte count followed by that many header bytes. nn_recvmsg with
 * msg_controllen = NN_MSG allocates the control buffer (freed with
 * nn_freemsg); nn_sendmsg looks for the first PROTO_SP/SP_HDR entry and takes
 * the header from it.
 */
#ifndef SP_NANOMSG_ADAPTER_RAW_H
#define SP_NANOMSG_ADAPTER_RAW_H

#include <stdlib.h>
#include <string.h>

#include <nanomsg/bus.h>
#include <nanomsg/nn.h>

/* Sends `body` with SP header `hdr` on raw socket `s`; nn_sendmsg's result. */
static int raw_send(int s, const unsigned char *hdr, size_t hlen, const unsigned char *body,
                    size_t blen, int flags) {
  size_t space = NN_CMSG_SPACE(sizeof(size_t) + hlen);
  unsigned char *ctrl = calloc(1, space);
  if (ctrl == NULL) {
    errno = ENOMEM;
    return -1;
  }
  struct nn_cmsghdr *c = (struct nn_cmsghdr *)ctrl;
  c->cmsg_len = NN_CMSG_LEN(sizeof(size_t) + hlen);
  c->cmsg_level = PROTO_SP;
  c->cmsg_type = SP_HDR;
  memcpy(NN_CMSG_DATA(c), &hlen, sizeof hlen);
  if (hlen > 0) memcpy(NN_CMSG_DATA(c) + sizeof hlen, hdr, hlen);
  struct nn_iovec iov = {.iov_base = (void *)body, .iov_len = blen};
  struct nn_msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
                        .msg_controllen = space};
  int rc = nn_sendmsg(s, &m, flags);
  int err = errno;
  free(ctrl);
  errno = err;
  return rc;
}

/*
 * Receives one message from raw socket `s`: the body into *body (nn_freemsg
 * it) and a malloc'ed copy of the SP header into *hdr / *hlen. Returns the body
 * length or -1 (errno set).
 */
static int raw_recv(int s, void **body, unsigned char **hdr, size_t *hlen, int flags) {
  void *ctrl = NULL;
  struct nn_iovec iov = {.iov_base = body, .iov_len = NN_MSG};
  struct nn_msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctrl,
                        .msg_controllen = NN_MSG};
  int n = nn_recvmsg(s, &m, flags);
  if (n < 0) return -1;
  *hdr = NULL;
  *hlen = 0;
  /* m still says NN_MSG and points at ctrl: the CMSG walk then reads the
   * allocated chunk's own size. */
  for (struct nn_cmsghdr *c = ctrl ? NN_CMSG_FIRSTHDR(&m) : NULL; c != NULL;
       c = NN_CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != PROTO_SP || c->cmsg_type != SP_HDR) continue;
    size_t have = c->cmsg_len - NN_CMSG_LEN(0);
    size_t len;
    if (have < sizeof len) break;
    memcpy(&len, NN_CMSG_DATA(c), sizeof len);
    if (len > have - sizeof len) break;
    *hdr = malloc(len + 1);
    memcpy(*hdr, NN_CMSG_DATA(c) + sizeof len, len);
    *hlen = len;
    break;
  }
  if (ctrl) nn_freemsg(ctrl);
  return n;
}

#endif
