/*
 * Optional features of the adapter contract (ADAPTER.md §3.2): device, contexts, stats,
 * dialers and the pair1:polyamorous option. raw and pipes live in open/send/recv (adapter.c).
 * Included by adapter.c.
 */

/* ---------- device: nng_device blocks, so it runs on a thread of its own ---------- */

struct device_args {
  nng_socket a, b;
};

static void *device_thread(void *arg) {
  struct device_args *d = arg;
  int rv = nng_device(d->a, d->b);
  /* nng_device returns when one of the sockets closes; anything else is worth a note. */
  if (rv != NNG_ECLOSED)
    fprintf(stderr, "nng-adapter: device %u/%u ended: %s\n", (unsigned)d->a.id,
            (unsigned)d->b.id, nng_strerror(rv));
  free(d);
  return NULL;
}

/* Checks what nng_device would refuse, so that the answer can carry the error. */
static int device_check(nng_socket a, nng_socket b) {
  bool raw;
  int rv, pa, pb, peer_a, peer_b;
  if ((rv = nng_socket_get_bool(a, NNG_OPT_RAW, &raw)) != 0) return rv;
  if (!raw) return NNG_EINVAL;
  if ((rv = nng_socket_get_bool(b, NNG_OPT_RAW, &raw)) != 0) return rv;
  if (!raw) return NNG_EINVAL;
  if ((rv = nng_socket_get_int(a, NNG_OPT_PROTO, &pa)) != 0 ||
      (rv = nng_socket_get_int(b, NNG_OPT_PROTO, &pb)) != 0 ||
      (rv = nng_socket_get_int(a, NNG_OPT_PEER, &peer_a)) != 0 ||
      (rv = nng_socket_get_int(b, NNG_OPT_PEER, &peer_b)) != 0)
    return rv;
  return (peer_a == pb && peer_b == pa) ? 0 : NNG_EINVAL;
}

static void op_device(long long id, const char *line) {
  long long ha, hb;
  if (!json_num(line, "a", &ha)) {
    answer_err(id, "EINVAL", "device needs a socket in \"a\"");
    return;
  }
  int reflector = !json_num(line, "b", &hb);
  struct target ta = resolve(ha);
  struct target tb = reflector ? ta : resolve(hb);
  if (ta.is_ctx || tb.is_ctx) {
    answer_err(id, "EINVAL", "a device joins sockets, not contexts");
    return;
  }
  int rv = device_check(ta.sock, tb.sock);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  struct device_args *d = malloc(sizeof *d);
  d->a = ta.sock;
  /* One socket: nng_device with an unset second socket reflects messages back. */
  d->b = reflector ? (nng_socket)NNG_SOCKET_INITIALIZER : tb.sock;
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  rv = pthread_create(&t, &attr, device_thread, d);
  pthread_attr_destroy(&attr);
  if (rv != 0) {
    free(d);
    answer_err(id, "ENOMEM", "cannot start a device thread");
    return;
  }
  answer_ok(id, NULL);
}

/* ---------- dialers: nng_dialer_create (in op_dial), nng_dialer_start, nng_dialer_close ---------- */

/* dialer-start / dialer-close on the handle op_dial answered for "start":false. nng names a
   dialer it no longer has (closed, or its socket closed) NNG_ENOENT; the contract says
   ECLOSED. A second start is nng's NNG_ESTATE. */
static void op_dialer(long long id, const char *line, int start) {
  long long handle;
  if (!json_num(line, "dialer", &handle) || handle <= 0 || handle > (long long)INT32_MAX) {
    answer_err(id, "EINVAL", "needs a dialer handle in \"dialer\"");
    return;
  }
  nng_dialer d = NNG_DIALER_INITIALIZER;
  d.id = (uint32_t)handle;
  int rv = start ? nng_dialer_start(d, NNG_FLAG_NONBLOCK) : nng_dialer_close(d);
  if (rv == NNG_ENOENT)
    answer_err(id, "ECLOSED", "no open dialer with that handle");
  else
    answer_rv(id, rv);
}

/* ---------- contexts ---------- */

static void op_context(long long id, struct target t) {
  if (t.is_ctx) {
    answer_err(id, "EINVAL", "contexts are opened on sockets");
    return;
  }
  nng_ctx c;
  int rv = nng_ctx_open(&c, t.sock);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  if ((uint32_t)nng_ctx_id(c) >= CTX_BASE) { /* cannot happen in practice; keep handles distinct */
    nng_ctx_close(c);
    answer_err(id, "EINTERNAL", "context id out of the handle range");
    return;
  }
  char extra[64];
  snprintf(extra, sizeof extra, "\"socket\":%lld", ctx_handle(c));
  answer_ok(id, extra);
}

/* Options a context has of its own; the others belong to its socket. */
static int ctx_set_option(nng_ctx c, const char *name, long long value) {
  static const char *const ms_options[] = {NNG_OPT_RECVTIMEO, NNG_OPT_SENDTIMEO,
                                           NNG_OPT_REQ_RESENDTIME, NNG_OPT_SURVEYOR_SURVEYTIME};
  for (size_t i = 0; i < sizeof ms_options / sizeof ms_options[0]; i++)
    if (strcmp(name, ms_options[i]) == 0) return nng_ctx_set_ms(c, name, (nng_duration)value);
  return NNG_ENOTSUP;
}

/* ---------- stats ---------- */

/*
 * Connections this socket dropped for bad input. nng keeps such counts per listener and
 * dialer, not per socket: walk the snapshot's endpoint nodes, keep those whose "socket" id
 * is ours, and add up "proto" (bad SP header), "reject" (wrong peer protocol, pipe refused)
 * and "toobig" (oversize frame). nng 1.5.2 has no "toobig": it files an oversize frame
 * (EMSGSIZE) under "other", the catch-all that also counts connections the peer closed
 * cleanly. For such a library "other" stands in for "toobig", with the same caveat as
 * nanomsg's NN_STAT_BROKEN_CONNECTIONS (ADAPTER.md §3.2). The parts are answered as extra keys.
 */
enum { ST_PROTO, ST_REJECT, ST_TOOBIG, ST_OTHER, ST_COUNT };
static const char *const stat_names[ST_COUNT] = {"proto", "reject", "toobig", "other"};

static void op_stats(long long id, struct target t) {
  if (t.is_ctx) {
    answer_err(id, "EINVAL", "stats belong to the socket, not to a context");
    return;
  }
  nng_stat *root;
  int rv = nng_stats_get(&root);
  if (rv != 0) {
    answer_nng(id, rv);
    return;
  }
  if (socket_stats(root, t.sock) == NULL) {
    nng_stats_free(root);
    answer_err(id, "ECLOSED", "no such socket");
    return;
  }
  uint64_t sums[ST_COUNT] = {0}, bad = 0;
  int any_toobig = 0;
  for (nng_stat *ep = nng_stat_child(root); ep != NULL; ep = nng_stat_next(ep)) {
    const char *kind = nng_stat_name(ep);
    if (strcmp(kind, "listener") != 0 && strcmp(kind, "dialer") != 0) continue;
    nng_stat *owner = nng_stat_find(ep, "socket");
    if (owner == NULL || nng_stat_value(owner) != (uint64_t)nng_socket_id(t.sock)) continue;
    uint64_t v[ST_COUNT] = {0};
    int has_toobig = 0;
    for (nng_stat *c = nng_stat_child(ep); c != NULL; c = nng_stat_next(c))
      for (int i = 0; i < ST_COUNT; i++)
        if (strcmp(nng_stat_name(c), stat_names[i]) == 0) {
          v[i] += nng_stat_value(c);
          if (i == ST_TOOBIG) has_toobig = 1;
        }
    any_toobig |= has_toobig;
    bad += v[ST_PROTO] + v[ST_REJECT] + (has_toobig ? v[ST_TOOBIG] : v[ST_OTHER]);
    for (int i = 0; i < ST_COUNT; i++) sums[i] += v[i];
  }
  nng_stats_free(root);
  char extra[256];
  int n = snprintf(extra, sizeof extra,
                   "\"stats\":{\"bad-input\":%llu,\"proto\":%llu,\"reject\":%llu,\"other\":%llu",
                   (unsigned long long)bad, (unsigned long long)sums[ST_PROTO],
                   (unsigned long long)sums[ST_REJECT], (unsigned long long)sums[ST_OTHER]);
  if (any_toobig)
    n += snprintf(extra + n, sizeof extra - (size_t)n, ",\"toobig\":%llu",
                  (unsigned long long)sums[ST_TOOBIG]);
  snprintf(extra + n, sizeof extra - (size_t)n, "}");
  answer_ok(id, extra);
}

/* ---------- pair1:polyamorous ---------- */

/*
 * nng 1.5.2 makes polyamorous mode a separate protocol (nng_pair1_open_poly) and answers
 * ENOTSUP when NNG_OPT_PAIR1_POLY is set, so the adapter switches mode by reopening the
 * socket under the same handle (only before listen/dial; options set so far are carried).
 */
static int set_pair1_poly(long long handle, long long value) {
  struct target t = resolve(handle);
  if (t.is_ctx) return NNG_ENOTSUP;
  char *proto;
  bool raw, poly;
  int rv = nng_socket_get_string(t.sock, NNG_OPT_PROTONAME, &proto);
  if (rv != 0) return rv;
  int pair1 = strcmp(proto, "pair1") == 0;
  nng_strfree(proto);
  if (!pair1) return NNG_ENOTSUP;
  if ((rv = nng_socket_get_bool(t.sock, NNG_OPT_RAW, &raw)) != 0) return rv;
  /* Only the polyamorous variant knows the option; plain pair1 answers ENOTSUP to reads. */
  rv = nng_socket_get_bool(t.sock, NNG_OPT_PAIR1_POLY, &poly);
  if (rv == NNG_ENOTSUP) poly = false;
  else if (rv != 0) return rv;
  if ((value != 0) == poly) return 0;
  if (raw) return NNG_ENOTSUP; /* nng 1.5.2 has no raw polyamorous pair1 */
  return reopen_socket(handle, value != 0 ? nng_pair1_open_poly : nng_pair1_open);
}
