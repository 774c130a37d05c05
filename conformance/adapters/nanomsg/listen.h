/*
 * Listening for the nanomsg conformance adapter: nanomsg cannot report the
 * port a `tcp://host:0` listener got, so the adapter picks a free port
 * itself, and it leaves a ws:// path out of the bind address. Included once,
 * by adapter.c (after lines.h).
 */
#ifndef SP_NANOMSG_ADAPTER_LISTEN_H
#define SP_NANOMSG_ADAPTER_LISTEN_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nanomsg/nn.h>

/* Asks the kernel for a currently free TCP port on `host` (IPv4 literal), or 0. */
static int free_port(const char *host) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) a.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

/*
 * Splits a tcp:// or ws:// URL into scheme, host, port and path (path may be
 * ""). Returns 0 for other transports or URLs it cannot split.
 */
static int split_url(const char *url, char *scheme, char *host, size_t hostcap, int *port,
                     const char **path) {
  const char *rest;
  if (strncmp(url, "tcp://", 6) == 0) {
    strcpy(scheme, "tcp");
    rest = url + 6;
  } else if (strncmp(url, "ws://", 5) == 0) {
    strcpy(scheme, "ws");
    rest = url + 5;
  } else {
    return 0;
  }
  const char *slash = strchr(rest, '/');
  const char *end = slash ? slash : rest + strlen(rest);
  const char *colon = NULL;
  for (const char *c = rest; c < end; c++)
    if (*c == ':') colon = c;
  if (colon == NULL || (size_t)(colon - rest) >= hostcap) return 0;
  memcpy(host, rest, (size_t)(colon - rest));
  host[colon - rest] = '\0';
  char *num_end;
  long p = strtol(colon + 1, &num_end, 10);
  if (num_end != end || p < 0 || p > 65535) return 0;
  *port = (int)p;
  *path = end;
  return 1;
}

/*
 * Binds `s` to scheme://host:port. nanomsg 1.1.5 refuses a ws:// bind
 * address with a path (EINVAL) and serves every path on the port anyway
 * (sp-wire-facts.md §12.8), so the path is left out of the bind and put back
 * into the answered URL.
 */
static int bind_at(int s, const char *scheme, const char *host, int port) {
  char addr[600];
  snprintf(addr, sizeof addr, "%s://%s:%d", scheme, host, port);
  return nn_bind(s, addr) < 0 ? errno : 0;
}

static void answer_url(long long id, const char *scheme, const char *host, int port,
                       const char *path) {
  char out[700];
  snprintf(out, sizeof out, "\"url\":\"%s://%s:%d%s\"", scheme, host, port, path);
  answer_ok(id, out);
}

static void op_listen(long long id, int s, const char *url) {
  char scheme[8], host[256];
  const char *path = "";
  int port = 0;
  if (!split_url(url, scheme, host, sizeof host, &port, &path)) {
    /* ipc:// and inproc://: bind as given. */
    if (nn_bind(s, url) < 0) {
      answer_errno(id, errno);
      return;
    }
    char out[600];
    snprintf(out, sizeof out, "\"url\":\"%s\"", url);
    answer_ok(id, out);
    return;
  }
  if (strcmp(scheme, "tcp") == 0 && path[0] != '\0') {
    answer_err(id, "EADDRINVAL", "a tcp URL has no path");
    return;
  }
  if (port != 0) {
    int err = bind_at(s, scheme, host, port);
    err ? answer_errno(id, err) : answer_url(id, scheme, host, port, path);
    return;
  }
  /* Port 0: nanomsg cannot tell which port it got, so choose a free one first
   * and try again with another when someone took it in between. */
  int err = EADDRINUSE;
  for (int attempt = 0; attempt < 20 && err == EADDRINUSE; attempt++) {
    int p = free_port(host);
    if (p == 0) break;
    err = bind_at(s, scheme, host, p);
    if (err == 0) {
      answer_url(id, scheme, host, p, path);
      return;
    }
  }
  answer_errno(id, err);
}

#endif
