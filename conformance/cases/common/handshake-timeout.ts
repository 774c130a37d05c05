/**
 * Shared step of the handshake-timeout cases (tcp/handshake-timeout,
 * ws/upgrade-timeout; SP-TCP-7, SP-WS-17, both SHOULD): when the IUT lets
 * the suite shorten the bound (option `handshake-timeout`) the case sets
 * 300 ms; otherwise it waits out the drafts' recommended ten seconds plus a
 * margin.
 */
import type { IutSocket } from "../../adapters/iut.ts";
import type { CaseContext } from "../types.ts";

const SHORT = 300;
/** Ten seconds recommended by the drafts, plus margin for a loaded machine. */
const DEFAULT_WAIT = 12500;

/** Sets a short handshake timeout when the IUT takes it; returns how long to wait for the close. */
export async function shortenHandshake(ctx: CaseContext, sock: IutSocket): Promise<number> {
  try {
    await sock.setopt("handshake-timeout", SHORT);
    return SHORT + 2000;
  } catch {
    ctx.note("the IUT has no handshake-timeout option; waiting for its own bound");
    return DEFAULT_WAIT;
  }
}
