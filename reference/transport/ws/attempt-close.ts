/**
 * How a WebSocket dialer, Node's or a page's, reports the close of its
 * attempt's pipe. Browser-safe: the browser build uses it.
 */
import type { DialAttempt } from "../../core/base-dialer.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { PipeHost } from "../../core/transport.ts";

/**
 * The pipe of attempt `turn` closed. Before it attached, the attempt failed
 * (counted as `dialFailed`) with, in this order: what the WebSocket client
 * reported (`failure`: refused, TLS, HTTP status), the pipe's own reason (a
 * bad subprotocol answer, the handshake timeout), or ECONNSHUT for a bare
 * close (the server hung up).
 *
 * @example
 * ```ts
 * onClose: (gone, attached) => wsAttemptClosed(turn, host, gone, attached, () => failure),
 * ```
 */
export function wsAttemptClosed(
  turn: DialAttempt,
  host: PipeHost,
  gone: Pipe,
  attached: boolean,
  failure: () => SPError | undefined,
): void {
  if (turn.stale) return;
  if (!attached) host.count("dialFailed");
  turn.pipeClosed(attached, () =>
    gone.closed.then(
      (reason) =>
        failure() ??
        reason ??
        new SPError("ECONNSHUT", "the peer closed the connection during the handshake"),
    ),
  );
}
