import { connect, type Socket } from "node:net";
import { type TcpDialerEvent, tcpDialerMachine } from "../../../spec/machines/tcp-dialer.ts";
import { DialerDriver } from "../../core/dialer-driver.ts";
import { SPError } from "../../core/errors.ts";
import type { Dialer, PipeHost } from "../../core/transport.ts";
import { resolveUrl, type SPUrl } from "../../core/url.ts";
import { TcpPipe, type TcpPipeMachine } from "./pipe.ts";

/** The unprovided tcp-dialer machine (or a regenerated variant of it). */
export type TcpDialerMachine = typeof tcpDialerMachine;

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

/**
 * A reconnecting TCP dialer driven by the `tcp-dialer` actor. A connection
 * counts as established once its SP header exchange succeeded; a refused or
 * failed attempt just waits and retries (SP-TCP-13). With `start: false` it
 * stays idle, making no attempt, until {@link TcpDialer.start}.
 *
 * @example
 * ```ts
 * const d = new TcpDialer(parseUrl("tcp://127.0.0.1:5555", false), socket);
 * await d.connected;
 *
 * const later = new TcpDialer(parseUrl("tcp://127.0.0.1:5555", false), socket, { start: false });
 * later.start();
 * ```
 */
export class TcpDialer implements Dialer {
  readonly url: string;
  readonly connected: Promise<void>;
  private resolveConnected!: () => void;
  private rejectConnected!: (e: SPError) => void;
  private everConnected = false;
  /** Increments per attempt so that late callbacks of an aborted attempt are ignored. */
  private attempt = 0;
  private socket: Socket | undefined;
  private pipe: TcpPipe | undefined;
  private closing: Promise<void> | undefined;
  private readonly driver: DialerDriver;

  constructor(
    url: SPUrl,
    host: PipeHost,
    machines: {
      dialer?: TcpDialerMachine;
      pipe?: TcpPipeMachine;
      /** How to open a stream (IPC: a path); default TCP. */
      connect?: StreamConnect;
      /** Leading frame type byte (IPC); default none. */
      frameType?: number;
      /** `false`: wait for {@link TcpDialer.start}; default start at once. */
      start?: boolean;
    } = {},
  ) {
    this.url = url.text;
    this.connected = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    // Nobody has to await `connected`; do not let an unobserved rejection crash the process.
    this.connected.catch(() => {});

    this.driver = new DialerDriver(
      host,
      {
        connect: () => this.connectOnce(url, host, machines.pipe, machines),
        abort: () => this.abortAttempt(),
      },
      machines.dialer ?? tcpDialerMachine,
      { start: machines.start },
    );
  }

  /**
   * Starts a dialer created with `start: false` (SP-TCP-13: the first attempt begins now).
   * SPError ESTATE when it has already started, ECLOSED after {@link TcpDialer.close}.
   *
   * @example
   * ```ts
   * const d = socket.dial("tcp://127.0.0.1:5555", { start: false });
   * d.start?.();
   * ```
   */
  start(): void {
    this.driver.startOrThrow(this.closing !== undefined);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.send({ type: "stop" });
    this.rejectConnected(new SPError("ECLOSED", "dialer closed before it connected"));
    const pipe = this.pipe;
    this.abortAttempt();
    this.closing = pipe ? pipe.closed.then(() => undefined) : Promise.resolve();
    return this.closing;
  }

  private send(event: TcpDialerEvent): void {
    this.driver.send(event);
  }

  private abortAttempt(): void {
    this.attempt++;
    this.socket?.destroy();
    this.socket = undefined;
    this.pipe?.close();
    this.pipe = undefined;
  }

  private connectOnce(
    url: SPUrl,
    host: PipeHost,
    pipeMachine: TcpPipeMachine | undefined,
    stream: { connect?: StreamConnect; frameType?: number },
  ): void {
    const attempt = ++this.attempt;
    const stale = () => attempt !== this.attempt;
    const fail = () => {
      if (stale()) return;
      host.count("dialFailed");
      this.attempt++;
      this.socket = undefined;
      this.pipe = undefined;
      this.send({ type: "failed" });
    };
    (stream.connect ?? tcpConnect)(url).then((socket) => {
      if (stale()) {
        socket.destroy();
        return;
      }
      this.socket = socket;
      // ECONNREFUSED and friends: the attempt failed; the actor backs off and retries.
      socket.once("error", fail);
      socket.once("connect", () => {
        if (stale()) {
          socket.destroy();
          return;
        }
        socket.removeListener("error", fail);
        this.pipe = new TcpPipe({
          socket,
          host,
          machine: pipeMachine,
          frameType: stream.frameType,
          onAttach: () => {
            if (stale()) return;
            if (!this.everConnected) {
              this.everConnected = true;
              this.resolveConnected();
            }
            this.send({ type: "connected" });
          },
          onClose: (_pipe, attached) => {
            if (stale()) return;
            this.attempt++;
            this.socket = undefined;
            this.pipe = undefined;
            this.send({ type: attached ? "pipeClosed" : "failed" });
          },
        });
      });
    }, fail);
  }
}
