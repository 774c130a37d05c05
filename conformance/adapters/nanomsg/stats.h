/*
 * The `stats` operation of the nanomsg conformance adapter (ADAPTER.md §3.2):
 * nn_get_statistic counters of one socket. Included once, by adapter.c.
 *
 * `bad-input` is NN_STAT_BROKEN_CONNECTIONS. nanomsg 1.1.5 counts there every
 * established connection that ended with an error: one closed because its
 * header or a frame was refused, but also one the peer simply closed. So
 * `bad-input` is an upper bound; cases that compare it before and after a
 * bad frame must not close other connections in between.
 */
#ifndef SP_NANOMSG_ADAPTER_STATS_H
#define SP_NANOMSG_ADAPTER_STATS_H

#include <stdint.h>
#include <stdio.h>

#include <nanomsg/nn.h>

static const struct {
  const char *name;
  int stat;
} stat_names[] = {
    {"bad-input", NN_STAT_BROKEN_CONNECTIONS},
    {"broken-connections", NN_STAT_BROKEN_CONNECTIONS},
    {"established-connections", NN_STAT_ESTABLISHED_CONNECTIONS},
    {"accepted-connections", NN_STAT_ACCEPTED_CONNECTIONS},
    {"dropped-connections", NN_STAT_DROPPED_CONNECTIONS},
    {"connect-errors", NN_STAT_CONNECT_ERRORS},
    {"accept-errors", NN_STAT_ACCEPT_ERRORS},
    {"current-connections", NN_STAT_CURRENT_CONNECTIONS},
    {"messages-sent", NN_STAT_MESSAGES_SENT},
    {"messages-received", NN_STAT_MESSAGES_RECEIVED},
    {"bytes-sent", NN_STAT_BYTES_SENT},
    {"bytes-received", NN_STAT_BYTES_RECEIVED},
};
#define NSTATS (sizeof stat_names / sizeof stat_names[0])

static void op_stats(long long id, int s) {
  char out[1024];
  size_t n = (size_t)snprintf(out, sizeof out, "\"stats\":{");
  for (size_t i = 0; i < NSTATS; i++) {
    uint64_t v = nn_get_statistic(s, stat_names[i].stat);
    if (v == (uint64_t)-1) {
      answer_errno(id, errno);
      return;
    }
    n += (size_t)snprintf(out + n, sizeof out - n, "%s\"%s\":%llu", i ? "," : "",
                          stat_names[i].name, (unsigned long long)v);
  }
  snprintf(out + n, sizeof out - n, "}");
  answer_ok(id, out);
}

#endif
