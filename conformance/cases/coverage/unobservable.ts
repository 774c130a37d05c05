/**
 * Machine transitions that no conformance case walks, each with the reason.
 * Data for the report and README: the coordinator surfaces this list next to
 * transition coverage. `kind` tells whether the transition cannot be seen
 * from outside the IUT at all (`unobservable`) or could be with machinery the
 * harness lacks today (`not-driven`).
 *
 * The path generator (cases/paths) lists the transitions its models have no
 * stimulus for in {@link pathSkipped}.
 */
import { pathUnobservable } from "../paths/index.ts";

/** One transition the suite does not walk, and why. */
export interface UnwalkedTransition {
  transition: string;
  kind: "unobservable" | "not-driven";
  reason: string;
}

const PENDING_REPLY =
  "REQ is pending only while no pipe can take the request; with the raw peer attached and reading, that means no connection exists, so no reply can arrive (it would need a second, flow-controlled connection, which the harness cannot hold in that state reliably)";
const INPROC =
  "inproc connects two sockets inside one process; the harness speaks to the IUT only over the wire and through its adapter, so it can neither be the other end nor see the connection";

/** Transitions outside the path models that no case walks. */
export const unobservable: readonly UnwalkedTransition[] = [
  { transition: "req:pending:reply", kind: "not-driven", reason: PENDING_REPLY },
  {
    transition: "inproc-pipe:joining:connect[!peerCompatible]",
    kind: "unobservable",
    reason: INPROC,
  },
  { transition: "inproc-pipe:joining:connect", kind: "unobservable", reason: INPROC },
  { transition: "inproc-pipe:joining:disconnect", kind: "unobservable", reason: INPROC },
  { transition: "inproc-pipe:joining:close", kind: "unobservable", reason: INPROC },
  { transition: "inproc-pipe:active:oversize", kind: "unobservable", reason: INPROC },
  { transition: "inproc-pipe:active:disconnect", kind: "unobservable", reason: INPROC },
  { transition: "inproc-pipe:active:close", kind: "unobservable", reason: INPROC },
  {
    transition: "tcp-dialer:idle:stop",
    kind: "unobservable",
    reason:
      "the adapter's dial starts the dialer at once; a dialer stopped before it starts leaves no trace on the wire",
  },
  {
    transition: "tcp-dialer:connecting:stop",
    kind: "unobservable",
    reason:
      "a TCP connect to 127.0.0.1 is accepted or refused within microseconds, so the harness cannot close the socket while a connect is in flight",
  },
  {
    transition: "tcp-pipe:handshake:after:handshakeTimeout",
    kind: "not-driven",
    reason:
      "the handshake timeout (10 s by default) has no nng option to shorten it through the adapter; waiting it out would cost over 10 s per run",
  },
  {
    transition: "ws-pipe:upgrading:after:handshakeTimeout",
    kind: "not-driven",
    reason:
      "the upgrade timeout (10 s by default) has no option the adapter can set; waiting it out would cost over 10 s per run",
  },
  {
    transition: "ws-pipe:closing:disconnect",
    kind: "unobservable",
    reason:
      "after the IUT sent its Close frame the connection is already detached; whether the peer's TCP close or its Close reply ends it changes nothing visible",
  },
  {
    transition: "ws-pipe:closing:after:wsCloseTimeout",
    kind: "not-driven",
    reason:
      "needs a peer that never answers a Close frame while the harness's WebSocket client always does, and the close timeout has no adapter option",
  },
];

/**
 * Transitions the path generator found no stimulus for (skipped at generation
 * time), with the reason; some are walked by hand-written cases instead, as
 * the reason says.
 */
export const pathSkipped: readonly { transition: string; reason: string }[] = pathUnobservable;

/**
 * A MUST that no case checks, and why: `unobservable` (the behaviour leaves no
 * trace on the wire or in the adapter contract), `not-driven` (it could be
 * checked with machinery the harness or the adapter contract lacks today), or
 * `not-testable` (a rule for registries, documents or authors, not for a
 * running implementation). These MUSTs are *not* covered; the report lists
 * them apart, with the reason.
 */
export interface UncheckableRequirement {
  requirement: string;
  kind: "unobservable" | "not-driven" | "not-testable";
  reason: string;
}

const INPROC_REQ =
  "inproc pipes join two sockets inside one process; the harness reaches the IUT only over the wire and through the adapter, which has no way to observe an in-process pipe (the reference checks these in reference/transport/inproc tests)";
const DEVICE =
  "devices (raw-mode forwarders) are not part of the adapter contract: it opens cooked sockets only, so no case can make the IUT forward";
const CONTEXTS =
  "the adapter contract has one operation stream per socket and no contexts (several outstanding requests/surveys on one socket), so distinct ids per context cannot be driven";
const REGISTRY =
  "a rule for the protocol-number registry and for draft authors, not for a running implementation; nothing on the wire can show it";

/** MUSTs (spec/requirements.json) that no conformance case checks, each with the reason. */
export const uncheckableRequirements: readonly UncheckableRequirement[] = [
  { requirement: "SP-BUS-10", kind: "unobservable", reason: DEVICE },
  {
    requirement: "SP-FRAMEWORK-4",
    kind: "not-driven",
    reason:
      "raw sockets: the adapter contract opens cooked sockets only and has no way to hand a header to or from the application",
  },
  { requirement: "SP-FRAMEWORK-10", kind: "not-testable", reason: REGISTRY },
  { requirement: "SP-FRAMEWORK-11", kind: "not-testable", reason: REGISTRY },
  { requirement: "SP-FRAMEWORK-12", kind: "not-testable", reason: REGISTRY },
  {
    requirement: "SP-FRAMEWORK-13",
    kind: "not-testable",
    reason:
      "a rule across implementations and versions (one wire format per protocol number); a single IUT's wire format is checked per protocol by the family cases, but the rule itself is about what gets published under a number",
  },
  { requirement: "SP-FRAMEWORK-14", kind: "not-testable", reason: REGISTRY },
  {
    requirement: "SP-FRAMEWORK-17",
    kind: "not-driven",
    reason:
      "the closing half is checked per transport (SP-TCP-12, SP-IPC-13, SP-WS-16 cases close on unparsable input), but the operator-visible count has no adapter operation (no stats op), so the requirement as a whole is not checked",
  },
  ...[1, 2, 3, 4, 5, 6, 7, 9, 10, 11].map((n) => ({
    requirement: `SP-INPROC-${n}`,
    kind: "unobservable" as const,
    reason: INPROC_REQ,
  })),
  { requirement: "SP-PAIR-15", kind: "unobservable", reason: DEVICE },
  {
    requirement: "SP-PAIR-18",
    kind: "not-driven",
    reason:
      "PAIR v1 polyamorous pipe addressing is an API feature (the pipe of a received message, a chosen pipe for a send); the adapter's send/recv carry no pipe handle",
  },
  {
    requirement: "SP-PAIR-19",
    kind: "not-driven",
    reason:
      "sending to a named pipe needs a pipe handle in the adapter's send, which the contract does not have",
  },
  {
    requirement: "SP-PIPELINE-8",
    kind: "not-driven",
    reason:
      "applies only to implementations with send priorities (nanomsg NN_SNDPRIO); the adapter contract has no per-endpoint priority option",
  },
  {
    requirement: "SP-PIPELINE-18",
    kind: "not-driven",
    reason:
      "needs messages queued on a pipe but not yet written to the connection when that pipe fails; the harness cannot hold an IUT pipe in that state reliably (kernel socket buffers absorb the queue first)",
  },
  {
    requirement: "SP-PIPELINE-19",
    kind: "not-driven",
    reason:
      "telling a message written to the kernel from one still queued needs the same controlled pipe failure as SP-PIPELINE-18, which the harness lacks",
  },
  {
    requirement: "SP-PUBSUB-15",
    kind: "not-testable",
    reason:
      "the MUST is to document the duplicate-subscription behaviour; either behaviour is allowed on the wire",
  },
  { requirement: "SP-REQREP-23", kind: "not-driven", reason: CONTEXTS },
  { requirement: "SP-SURVEY-5", kind: "not-driven", reason: CONTEXTS },
  {
    requirement: "SP-SURVEY-18",
    kind: "not-driven",
    reason:
      "starvation shows only under sustained traffic on several pipes while the application reads; through the adapter's one-at-a-time recv, arrival order and fair queueing cannot be told apart within a bounded case",
  },
  { requirement: "SP-SURVEY-24", kind: "unobservable", reason: DEVICE },
  {
    requirement: "SP-TLS-3",
    kind: "not-driven",
    reason:
      "the harness's TLS stack (Node 20 with OpenSSL 3) cannot offer RC4, DES, 3DES, MD5 or export suites at all, so it cannot test that the IUT refuses them",
  },
  {
    requirement: "SP-TLS-4",
    kind: "not-driven",
    reason:
      "OpenSSL 3 as used by the harness has no TLS compression, so the harness cannot offer it to see the IUT refuse",
  },

  {
    requirement: "SP-WS-18",
    kind: "not-driven",
    reason:
      "needs the IUT to try a send after it received a Close frame while the harness keeps TCP open; the adapter's send cannot be timed against the IUT's receipt of the Close frame",
  },
];
