/*
 * Handles: the integers the suite names sockets and contexts by. Included by adapter.c.
 *
 * A socket's handle is its nng socket id, except after a reopen (see reopen_socket) where
 * the handle keeps naming the replacement. A context's handle is CTX_BASE + its nng context
 * id, so both kinds share one namespace without a table: nng numbers sockets and contexts
 * separately, each from 1 upwards, and the suite never sees a billion of either.
 */

#define CTX_BASE 0x40000000u

struct target {
  int is_ctx;
  nng_socket sock; /* valid when !is_ctx */
  nng_ctx ctx;     /* valid when is_ctx */
};

/* Sockets that were reopened: handle -> the nng socket that now stands behind it. */
static pthread_mutex_t alias_lock = PTHREAD_MUTEX_INITIALIZER;
static struct alias {
  uint32_t handle;
  nng_socket sock;
} *aliases;
static size_t naliases, alias_cap;

/* Maps a handle to what it names. Unknown handles map to ids that nng answers ECLOSED for. */
static struct target resolve(long long handle) {
  struct target t = {0, NNG_SOCKET_INITIALIZER, NNG_CTX_INITIALIZER};
  if (handle <= 0 || handle > (long long)UINT32_MAX) return t;
  if ((uint64_t)handle >= CTX_BASE) {
    t.is_ctx = 1;
    t.ctx.id = (uint32_t)(handle - CTX_BASE);
    return t;
  }
  t.sock.id = (uint32_t)handle;
  pthread_mutex_lock(&alias_lock);
  for (size_t i = 0; i < naliases; i++)
    if (aliases[i].handle == (uint32_t)handle) t.sock = aliases[i].sock;
  pthread_mutex_unlock(&alias_lock);
  return t;
}

/* Handle of a freshly opened context. */
static long long ctx_handle(nng_ctx c) { return (long long)CTX_BASE + nng_ctx_id(c); }

/*
 * The statistics scope of a socket. nng_stat_find_socket cannot be used: in 1.5.2 it answers
 * the first socket's scope whatever socket it is given (nanomsg/nng#1577, fixed after 1.5.2
 * by PR #1578). Top-level scopes named "socket" carry their socket's id in a child "id".
 */
static nng_stat *socket_stats(nng_stat *root, nng_socket s) {
  for (nng_stat *st = nng_stat_child(root); st != NULL; st = nng_stat_next(st)) {
    if (strcmp(nng_stat_name(st), "socket") != 0) continue;
    nng_stat *id = nng_stat_find(st, "id");
    if (id != NULL && nng_stat_value(id) == (uint64_t)nng_socket_id(s)) return st;
  }
  return NULL;
}

/* Number of listeners plus dialers of a socket (from its statistics), or -1 if unknown. */
static long endpoint_count(nng_socket s) {
  nng_stat *root;
  if (nng_stats_get(&root) != 0) return -1;
  long n = -1;
  nng_stat *st = socket_stats(root, s);
  if (st != NULL) {
    nng_stat *l = nng_stat_find(st, "listeners");
    nng_stat *d = nng_stat_find(st, "dialers");
    if (l != NULL && d != NULL) n = (long)(nng_stat_value(l) + nng_stat_value(d));
  }
  nng_stats_free(root);
  return n;
}

/* Carries the options of the adapter's table (those readable) from one socket to another. */
static void copy_options(nng_socket from, nng_socket to);

/*
 * Replaces the socket behind `handle` with one made by `open`, before it has endpoints:
 * nng 1.5.2 fixes some modes at open time (pair1 polyamorous mode, which it no longer lets
 * NNG_OPT_PAIR1_POLY change), while the suite chooses them with setopt on an open socket.
 */
static int reopen_socket(long long handle, int (*open)(nng_socket *)) {
  struct target t = resolve(handle);
  if (t.is_ctx || t.sock.id == 0) return NNG_EINVAL;
  long eps = endpoint_count(t.sock);
  if (eps < 0) return NNG_ECLOSED;
  if (eps > 0) return NNG_ESTATE; /* the mode must be chosen before listen/dial */
  nng_socket fresh;
  int rv = open(&fresh);
  if (rv != 0) return rv;
  copy_options(t.sock, fresh);
  pthread_mutex_lock(&alias_lock);
  size_t i = 0;
  while (i < naliases && aliases[i].handle != (uint32_t)handle) i++;
  if (i == naliases) {
    if (naliases == alias_cap) {
      alias_cap = alias_cap ? alias_cap * 2 : 16;
      aliases = realloc(aliases, alias_cap * sizeof *aliases);
    }
    naliases++;
  }
  aliases[i].handle = (uint32_t)handle;
  aliases[i].sock = fresh;
  pthread_mutex_unlock(&alias_lock);
  nng_close(t.sock);
  return 0;
}
