import { connect, type Socket } from "node:net";
import { tcpDialerCompiled } from "../../../spec/machines/tcp-dialer.ts";
import { BaseDialer, type DialAttempt } from "../../core/base-dialer.ts";
import { dialFailure } from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type { PipeHost } from "../../core/transport.ts";
import { resolveUrl, type SPUrl } from "../../core/url.ts";
import { TcpPipe, type TcpPipeMachine } from "./pipe.ts";

/** The compiled `tcp-dialer` table the reference runs (or one regenerated from an edited draft). */
export type TcpDialerMachine = typeof tcpDialerCompiled;

/**
 * Starts one connection attempt and returns the socket (its `connect` or `error` event follows).
 * The default resolves the URL's host and connects over TCP; IPC passes a path connect.
 */
export type StreamConnect = (url: SPUrl) => Promise<Socket>;

const tcpConnect: StreamConnect = async (url) => {
  // Host names are resolved for every attempt, so a moved peer is found again.
  const addr = await resolveUrl(url);
  return connect({ host: addr.address, port: addr.port, family: addr.family });
};

/** What a {@link TcpDialer} is built with besides its URL and socket. */
export interface TcpDialerOptions {
  dialer?: TcpDialerMachine;
  pipe?: TcpPipeMachine;
  /** How to open a stream (IPC: a path); default TCP. */
  connect?: StreamConnect;
  /** Leading frame type byte (IPC); default none. */
  frameType?: number;
  /** `false`: wait for {@link TcpDialer.start}; default start at once. */
  start?: boolean;
  /** `true`: a failed first attempt rejects `connected` and closes the dialer. */
  failFast?: boolean;
  /**
   * Turns an error of the stream (its connect, or a layer above such as TLS) into the
   * attempt's SPError; default {@link dialFailure}.
   */
  failure?: (e: unknown) => SPError;
}

/**
 * A reconnecting TCP dialer driven by the `tcp-dialer` actor. A connection
 * counts as established once its SP header exchange succeeded; a refused or
 * failed attempt is an `error` event, then the dialer waits and retries
 * (SP-TCP-13); with `failFast` the first failure rejects `connected` and closes
 * the dialer instead. With `start: false` it stays idle, making no attempt,
 * until {@link TcpDialer.start}.
 *
 * @example
 * ```ts
 * const d = new TcpDialer(parseUrl("tcp://127.0.0.1:5555", false), socket);
 * d.on("error", (e) => console.log(e.code)); // ECONNREFUSED while nobody listens
 * await d.connected;
 *
 * const later = new TcpDialer(parseUrl("tcp://127.0.0.1:5555", false), socket, { start: false });
 * later.start();
 * ```
 */
export class TcpDialer extends BaseDialer {
  constructor(url: SPUrl, host: PipeHost, machines: TcpDialerOptions = {}) {
    super(url.text, host, (turn) => connectStream(turn, url, host, machines), {
      machine: machines.dialer ?? tcpDialerCompiled,
      start: machines.start,
      failFast: machines.failFast,
    });
  }
}

/** One attempt of a {@link TcpDialer}: open the stream, then run the SP handshake on a pipe. */
function connectStream(
  turn: DialAttempt,
  url: SPUrl,
  host: PipeHost,
  opts: TcpDialerOptions,
): void {
  const describe = opts.failure ?? dialFailure;
  /** The first error the stream reported in this attempt (a refusal, a TLS failure). */
  let streamError: unknown;
  const fail = (e: unknown) => {
    if (turn.stale) return;
    host.count("dialFailed");
    turn.fail(describe(e));
  };
  (opts.connect ?? tcpConnect)(url).then((socket) => {
    if (turn.stale) {
      socket.destroy();
      return;
    }
    turn.cleanup = () => socket.destroy();
    // ECONNREFUSED and friends: the attempt failed; the actor backs off and retries.
    socket.once("error", fail);
    socket.once("connect", () => {
      if (turn.stale) {
        socket.destroy();
        return;
      }
      socket.removeListener("error", fail);
      // From here the pipe owns the stream; a failure of a layer above TCP (TLS) shows
      // only as an error before the close, so keep the first one as the attempt's reason.
      const noteError = (e: unknown) => {
        streamError ??= e;
      };
      socket.on("error", noteError);
      turn.pipe = new TcpPipe({
        socket,
        host,
        machine: opts.pipe,
        frameType: opts.frameType,
        onAttach: () => {
          if (turn.stale) return;
          socket.removeListener("error", noteError);
          turn.attached();
        },
        // The pipe's own reason (a bad SP header, the handshake timeout) comes first,
        // then what the stream reported; a bare close means the peer hung up.
        onClose: (gone, attached) =>
          turn.pipeClosed(attached, () =>
            gone.closed.then(
              (reason) =>
                reason ??
                (streamError === undefined
                  ? new SPError("ECONNSHUT", "the peer closed the connection during the handshake")
                  : describe(streamError)),
            ),
          ),
      });
    });
  }, fail);
}
