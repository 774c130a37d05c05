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
