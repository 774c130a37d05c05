/**
 * The set-up most protocol tests share: whatever a test opens (sockets, raw
 * peers) is closed when it ends, a socket under test listens on a free
 * tcp:// port of the loopback, and a raw peer connects to it and swaps SP
 * headers before the test goes on.
 */
import { afterEach } from "vitest";
import { RawPeer, spHeader, waitFor } from "./raw-peer.ts";

/** Anything a test opens and must close. */
export interface Closable {
  close(): unknown;
}

/** What {@link socketFixture} returns. */
export interface SocketFixture {
  /** Registers `x` to be closed when the current test ends; returns it. */
  track<T extends Closable>(x: T): T;
  /** Tracks `sock` and binds it to a free tcp:// port of 127.0.0.1. */
  listen<S extends Closable & { listen(url: string): Promise<{ url: string }> }>(
    sock: S,
  ): Promise<{ sock: S; url: string }>;
  /**
   * Connects a tracked raw peer to `url`, sends the SP header of `proto` (the
   * fixture's protocol by default) and waits for the other side's header, or
   * for the connection to end.
   */
  rawPeer(url: string, proto?: number): Promise<RawPeer>;
}

/**
 * Sets up the fixture for the tests of one file whose raw peers speak
 * protocol `proto`. Call it at the top level of the test file: it registers
 * the `afterEach` that closes what the tests opened.
 *
 * @example
 * ```ts
 * const { track, listen, rawPeer } = socketFixture(0x10);
 * const { sock, url } = await listen(pair0({ recvTimeout: 2000 }));
 * const peer = await rawPeer(url);
 * ```
 */
export function socketFixture(proto: number): SocketFixture {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });
  const track = <T extends Closable>(x: T): T => {
    open.push(x);
    return x;
  };
  return {
    track,
    async listen(sock) {
      track(sock);
      const { url } = await sock.listen("tcp://127.0.0.1:0");
      return { sock, url };
    },
    async rawPeer(url, p = proto) {
      const peer = track(await RawPeer.connect(url));
      peer.write(spHeader(p));
      await waitFor(() => peer.header !== null || peer.ended, 2000, "the IUT's header");
      return peer;
    },
  };
}
