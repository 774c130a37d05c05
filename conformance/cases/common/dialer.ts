/**
 * What the dialer-side coverage cases (dialer-stop.ts, ws-dialer-upgrade.ts)
 * share: waiting for the IUT's next connection at a harness listener, and a
 * dial that the case can later stop on its own.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import type { WirePeer, WireServer } from "../../harness/wire.ts";
import type { CaseContext } from "../types.ts";

/** The next connection the IUT makes within `ms`, or undefined when none comes. */
export async function nextConnection(
  server: WireServer,
  ms: number,
): Promise<WirePeer | undefined> {
  try {
    return await server.accept(ms);
  } catch {
    return undefined;
  }
}

/**
 * Dials `url` from `sock` and returns how to stop that dial: with feature
 * `dialers` only the dialer is closed; without it the socket, and its dialer
 * with it. The choice is noted in the case's result.
 */
export async function stoppableDial(
  ctx: CaseContext,
  sock: IutSocket,
  url: string,
): Promise<() => Promise<void>> {
  if (ctx.iut.hasFeature("dialers")) {
    const dialer = await sock.dialer(url);
    await dialer.start();
    return async () => {
      ctx.note("closed the dialer only (feature dialers)");
      await dialer.close();
    };
  }
  await sock.dial(url);
  return async () => {
    ctx.note("no feature dialers: closed the socket, and its dialer with it");
    await sock.close();
  };
}
