/**
 * A TCP connection with the harness's TLS stack running over a tap, so that
 * the harness can see what the IUT does at the TCP level after the harness's
 * own TLS stack gave up on the connection.
 *
 * Why: when the IUT answers a renegotiation with a `no_renegotiation` warning,
 * OpenSSL on the harness's side treats it as fatal (openssl/openssl#12239),
 * sends an alert of its own and tears the connection down, so the IUT's next
 * step (close, as SP-TLS-5 asks, or go on with the session) was never seen.
 * Once {@link TcpTap.arm} is called, the tap holds back every alert record the
 * harness writes and keeps the TCP connection open when the TLS layer is
 * destroyed; {@link TcpTap.waitEnded} then tells whether the IUT closed it.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import {
  createSecureContext,
  type SecureContextOptions,
  TLSSocket,
  connect as tlsConnect,
} from "node:tls";

/** TLS record content type of an alert (RFC 5246 §6.2.1). */
const ALERT = 0x15;
/** Bytes of a TLS record header: type, version (2), length (2). */
const RECORD_HEADER = 5;

/**
 * The stream a TLS socket runs over, in front of a real TCP socket.
 *
 * @example
 * ```ts
 * const tap = new TcpTap(raw);
 * const tls = tlsConnect({ socket: tap.stream, ca });
 * tap.arm(); // from now on: alerts held back, TCP left open
 * const closedByPeer = await tap.waitEnded(3000);
 * ```
 */
export class TcpTap {
  /** What the TLS layer reads from and writes to. */
  readonly stream: Duplex;
  /** How the IUT ended the TCP connection, once it did. */
  ended: "fin" | "reset" | undefined;
  /** Alert records held back since {@link arm}. */
  heldAlerts = 0;
  /**
   * Alert records the IUT sent since {@link arm} (their level and description
   * are encrypted; the harness's TLS errors may name them).
   */
  peerAlerts = 0;
  private armed = false;
  private pending = Buffer.alloc(0);
  private incoming = Buffer.alloc(0);

  constructor(readonly raw: Socket) {
    raw.setNoDelay(true);
    const forward = (chunk: Buffer) => this.forward(chunk);
    const detached = () => this.armed;
    this.stream = new Duplex({
      read() {
        raw.resume();
      },
      write(chunk: Buffer, _encoding, callback) {
        forward(chunk);
        callback();
      },
      final(callback) {
        if (!detached()) raw.end();
        callback();
      },
      destroy(error, callback) {
        if (!detached()) raw.destroy();
        callback(error);
      },
    });
    raw.on("data", (d: Buffer) => {
      if (this.armed) this.countAlerts(d);
      if (this.stream.destroyed) return;
      if (!this.stream.push(d)) raw.pause();
    });
    raw.on("end", () => {
      this.ended ??= "fin";
      if (!this.stream.destroyed) this.stream.push(null);
    });
    raw.on("error", () => {
      this.ended ??= "reset";
      if (!this.stream.destroyed) this.stream.destroy();
    });
    raw.on("close", () => {
      this.ended ??= "fin";
    });
  }

  /**
   * From now on, alert records the TLS layer writes are not sent, and
   * destroying the TLS layer leaves the TCP connection open. Call it at a
   * record boundary (after the handshake, before the harness acts).
   */
  arm(): void {
    this.armed = true;
  }

  /** Waits up to `ms` for the IUT to end the TCP connection; true if it did. */
  async waitEnded(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (this.ended === undefined && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.ended !== undefined;
  }

  /** Closes the TCP connection (the harness is done with it). */
  close(): void {
    this.raw.destroy();
  }

  /** Counts the alert records in the IUT's bytes (records may span reads). */
  private countAlerts(d: Buffer): void {
    this.incoming = Buffer.concat([this.incoming, d]);
    while (this.incoming.length >= RECORD_HEADER) {
      const size = RECORD_HEADER + this.incoming.readUInt16BE(3);
      if (this.incoming.length < size) break;
      if (this.incoming[0] === ALERT) this.peerAlerts++;
      this.incoming = this.incoming.subarray(size);
    }
  }

  private forward(chunk: Buffer): void {
    if (!this.armed) {
      this.raw.write(chunk);
      return;
    }
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= RECORD_HEADER) {
      const size = RECORD_HEADER + this.pending.readUInt16BE(3);
      if (this.pending.length < size) break;
      const record = this.pending.subarray(0, size);
      this.pending = this.pending.subarray(size);
      if (record[0] === ALERT) this.heldAlerts++;
      else if (!this.raw.destroyed) this.raw.write(record);
    }
  }
}

/** Opens a TCP connection to `host:port` and a TLS client over a tap on it. */
export async function tappedClient(
  host: string,
  port: number,
  tls: { ca: string; servername: string; maxVersion?: "TLSv1.2" | "TLSv1.3" },
): Promise<{ tap: TcpTap; tls: TLSSocket }> {
  const raw = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    raw.once("connect", () => resolve());
    raw.once("error", reject);
  });
  const tap = new TcpTap(raw);
  const socket = tlsConnect({ socket: tap.stream as unknown as Socket, ...tls });
  return { tap, tls: socket };
}

/** A TLS server over tapped TCP connections; `onSecure` gets each completed handshake. */
export async function tappedServer(
  host: string,
  options: SecureContextOptions,
  onSecure: (tls: TLSSocket, tap: TcpTap) => void,
  onFailure: (why: string) => void,
): Promise<{ server: Server; port: number; taps: TcpTap[] }> {
  const secureContext = createSecureContext(options);
  const taps: TcpTap[] = [];
  const server = createServer((raw) => {
    const tap = new TcpTap(raw);
    taps.push(tap);
    const tls = new TLSSocket(tap.stream as unknown as Socket, { isServer: true, secureContext });
    const failed = (e: Error) => onFailure(e.message);
    tls.once("error", failed);
    tls.once("secure", () => {
      tls.off("error", failed);
      onSecure(tls, tap);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === "object" && addr ? addr.port : 0, taps };
}
