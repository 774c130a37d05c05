/**
 * The handshake timeouts (SP-TCP-7, SP-WS-17, both SHOULD): a peer that opens
 * a connection and then says nothing is cut off after a bounded time. When
 * the IUT lets the suite shorten the bound (option `handshake-timeout`) the
 * case sets 300 ms; otherwise it waits out the drafts' recommended ten
 * seconds plus a margin, which makes these two of the slowest cases.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

const SHORT = 300;
/** Ten seconds recommended by the drafts, plus margin for a loaded machine. */
const DEFAULT_WAIT = 12500;

/** Sets a short handshake timeout when the IUT takes it; returns how long to wait for the close. */
async function shortenHandshake(ctx: CaseContext, sock: IutSocket): Promise<number> {
  try {
    await sock.setopt("handshake-timeout", SHORT);
    return SHORT + 2000;
  } catch {
    ctx.note("the IUT has no handshake-timeout option; waiting for its own bound");
    return DEFAULT_WAIT;
  }
}

export const tcpHandshakeTimeout: ConformanceCase = {
  id: "tcp/handshake-timeout",
  title: "A TCP peer that never sends its header is disconnected after a bounded time (SHOULD)",
  requirements: ["SP-TCP-7"],
  kind: "example",
  needs: { protocols: ["rep0"], transports: ["tcp"] },
  covers: ["tcp-pipe:handshake:after:handshakeTimeout"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const rep = await ctx.iut.open("rep0");
    const wait = await shortenHandshake(ctx, rep);
    const url = await rep.listen("tcp://127.0.0.1:0");
    const started = performance.now();
    const silent = await ctx.connect(url, "silent");
    // SP-TCP-7: we never send our header.
    if (!(await silent.waitClosed(wait))) {
      ctx.warn(`a peer that sent no header was still connected after ${wait} ms`);
      return;
    }
    ctx.note(`closed after ${(performance.now() - started).toFixed(0)} ms`);
  },
};

export const tcpHandshakeTimeoutCases: readonly ConformanceCase[] = [tcpHandshakeTimeout];
