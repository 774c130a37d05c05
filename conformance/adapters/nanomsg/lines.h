/*
 * The nanomsg adapter's errno answers, on top of the JSON-lines plumbing
 * shared with the nng adapter (common/adapter-io.h). Included once, by
 * adapter.c.
 */
#ifndef SP_NANOMSG_ADAPTER_LINES_H
#define SP_NANOMSG_ADAPTER_LINES_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>

#include "adapter-io.h"

/* nanomsg reports errno values; the contract wants nng's names (adapter.c). */
static const char *code_of(int err);

static void answer_errno(long long id, int err) { answer_err(id, code_of(err), nn_strerror(err)); }

#endif
