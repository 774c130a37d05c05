/*
 * TLS for listen/dial (ADAPTER.md §3.1: the optional "tls" object). Included by adapter.c.
 */

/* Copies a JSON string field found after `from`, undoing \n, \" and \\ escapes (PEM texts). */
static char *json_str_esc(const char *from, const char *key) {
  const char *p = json_field(from, key);
  if (p == NULL || *p != '"') return NULL;
  p++;
  char *s = malloc(strlen(p) + 1);
  size_t n = 0;
  while (*p && *p != '"') {
    if (*p == '\\' && p[1]) {
      p++;
      s[n++] = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p;
      p++;
    } else {
      s[n++] = *p++;
    }
  }
  s[n] = '\0';
  return s;
}

/* Builds a TLS configuration from the request's "tls" object; *out stays NULL when absent. */
static int tls_config(const char *line, int server, nng_tls_config **out) {
  *out = NULL;
  const char *t = json_field(line, "tls");
  if (t == NULL || *t != '{') return 0;
  nng_tls_config *cfg;
  int rv = nng_tls_config_alloc(&cfg, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT);
  if (rv != 0) return rv;
  char *cert = json_str_esc(t, "cert");
  char *key = json_str_esc(t, "key");
  char *ca = json_str_esc(t, "ca");
  char *sn = json_str_esc(t, "servername");
  int insecure = strstr(t, "\"insecure\":true") != NULL;
  int require_cert = strstr(t, "\"requireClientCert\":true") != NULL;
  if (rv == 0 && cert && key) rv = nng_tls_config_own_cert(cfg, cert, key, NULL);
  if (rv == 0 && ca) rv = nng_tls_config_ca_chain(cfg, ca, NULL);
  if (rv == 0 && sn) rv = nng_tls_config_server_name(cfg, sn);
  /* SP-TLS-7/-9: a dialer verifies unless "insecure" is set; SP-TLS-10: a listener asks for
     and verifies client certificates only when "requireClientCert" is set. */
  int verify = server ? require_cert : !insecure;
  if (rv == 0)
    rv = nng_tls_config_auth_mode(cfg, verify ? NNG_TLS_AUTH_MODE_REQUIRED : NNG_TLS_AUTH_MODE_NONE);
  free(cert);
  free(key);
  free(ca);
  free(sn);
  if (rv != 0) {
    nng_tls_config_free(cfg);
    return rv;
  }
  *out = cfg;
  return 0;
}
