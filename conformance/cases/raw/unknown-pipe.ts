/**
 * Raw REP and raw RESPONDENT sends whose header names no pipe
 * (SP-REQREP-31, SP-SURVEY-34): the first header word names the pipe to send
 * on; when it names no pipe the socket has, or the header is shorter than one
 * word, the message is dropped silently and the send still succeeds. The
 * socket goes on answering on the pipe a valid header names.
 */
import { concat, request, utf8, words } from "../../harness/sp.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import {
  backtraceInHeader,
  headerOf,
  listening,
  needs,
  peerExpect,
  recvMsg,
  T,
  wirePeer,
  wordsOf,
} from "./common.ts";

type Answering = "rep0" | "respondent0";

const PEER: Record<Answering, "req0" | "surveyor0"> = { rep0: "req0", respondent0: "surveyor0" };

/** The raw `protocol` socket drops answers whose header names no pipe. */
function unknownPipe(protocol: Answering): ConformanceCase {
  const role = protocol === "rep0" ? "REP" : "RESPONDENT";
  const requirement = protocol === "rep0" ? "SP-REQREP-31" : "SP-SURVEY-34";
  return {
    id: `raw/x${protocol.replace("0", "")}-unknown-pipe-dropped`,
    title: `raw ${role} drops, without an error, a message whose header names no pipe or is too short`,
    requirements: [requirement, "SP-FRAMEWORK-4"],
    kind: "malformed",
    needs: needs([protocol], ["raw"]),
    async run(ctx: CaseContext) {
      const { sock, url } = await listening(ctx, protocol, { raw: true });
      const peer = await wirePeer(ctx, url, PEER[protocol], protocol, "peer");
      const id = 0x80000042;
      peer.sendFrame(request({ hops: [], id, body: utf8("question") }));
      const m = await recvMsg(ctx, sock, "the request");
      const local = backtraceInHeader(ctx, headerOf(m), [id], `raw ${role} receive`);
      const pipeWord = wordsOf(local)[0];
      if (pipeWord === undefined) {
        return ctx.fail(`raw ${role}: no pipe word in front of the backtrace (${requirement})`);
      }
      // A pipe word that names no pipe: the only pipe's word, changed in its low bits.
      const other = (pipeWord ^ 0x00005a5a) & 0x7fffffff;
      const headers: [string, Uint8Array][] = [
        ["a header whose first word names no pipe", concat(words(other), words(id))],
        ["an empty header", new Uint8Array(0)],
        ["a 2-byte header", new Uint8Array([0, 1])],
      ];
      for (const [what, header] of headers) {
        const r = await sock.trySend(utf8("lost"), { header, timeoutMs: T.prompt });
        // The message is dropped; the send itself must still succeed.
        if (!r.ok) {
          ctx.fail(`the send with ${what} failed with ${r.code}; it must succeed (${requirement})`);
        }
        ctx.note(`send with ${what}: succeeded`);
      }
      await peer.expectNothing(T.quiet, "no message may go out for a header that names no pipe");
      // The socket still answers on the pipe a valid header names.
      await sock.send(utf8("answer"), { header: headerOf(m), timeoutMs: T.prompt });
      await peerExpect(ctx, peer, concat(words(id), utf8("answer")), "the valid answer");
    },
  };
}

/** Cases of this file, in run order. */
export const rawUnknownPipeCases: readonly ConformanceCase[] = [
  unknownPipe("rep0"),
  unknownPipe("respondent0"),
];
