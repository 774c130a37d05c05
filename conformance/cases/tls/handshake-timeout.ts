/**
 * The bound on the wait for the peer's SP header includes the TLS handshake
 * (SP-TLS-13, SHOULD; SP-TCP-7): a client that opens a TCP connection to a
 * TLS listener and stops in the middle of its ClientHello is cut off after
 * about the handshake timeout, as a TCP peer that never sends its header
 * would be. The bound is shortened as in ../common/handshake-timeout.ts.
 */
import { shortenHandshake } from "../common/handshake-timeout.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { listenerTls, portOf, tlsNeeds } from "./common.ts";

/** A TLS record header announcing a 200-byte handshake message, and its first byte (ClientHello). */
const PARTIAL_CLIENT_HELLO = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01]);

export const tlsHandshakeTimeout: ConformanceCase = {
  id: "tls/handshake-timeout",
  title: "A client that stops in the middle of its TLS handshake is disconnected (SHOULD)",
  requirements: ["SP-TLS-13", "SP-TCP-7"],
  kind: "example",
  needs: tlsNeeds("rep0"),
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const rep = await ctx.iut.open("rep0");
    const wait = await shortenHandshake(ctx, rep);
    const url = await rep.listen(ctx.iutUrl("tls+tcp"), { tls: listenerTls(ctx) });
    const started = performance.now();
    const slow = await ctx.connect(portOf(url), "half-hello");
    slow.write(PARTIAL_CLIENT_HELLO);
    if (!(await slow.waitClosed(wait))) {
      ctx.warn(
        `a client that never finished its TLS handshake was still connected after ${wait} ms`,
      );
      return;
    }
    ctx.note(`closed after ${(performance.now() - started).toFixed(0)} ms`);
  },
};

export const tlsHandshakeTimeoutCases: readonly ConformanceCase[] = [tlsHandshakeTimeout];
