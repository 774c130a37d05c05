/**
 * How the suite's raw peers notice that the IUT ended their connection: the
 * first of a FIN, an error or the close is noted once in the transcript, with
 * its reason, unless our side had closed it first.
 */
import type { Socket } from "node:net";
import type { Transcript } from "./transcript.ts";

/**
 * Calls `ended` once when `sock` ends while `isClosed()` is still false, after
 * noting why under `label`.
 *
 * @example
 * ```ts
 * watchEnd(sock, "peer", transcript, () => this.closedFlag, () => { this.closedFlag = true; });
 * ```
 */
export function watchEnd(
  sock: Socket,
  label: string,
  transcript: Transcript,
  isClosed: () => boolean,
  ended: () => void,
): void {
  const end = (why: string) => {
    if (isClosed()) return;
    transcript.event(label, why);
    ended();
  };
  sock.on("end", () => end("connection closed by the IUT (FIN)"));
  sock.on("error", (e) => end(`connection error: ${e.message}`));
  sock.on("close", () => end("connection closed"));
}
