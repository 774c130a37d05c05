/**
 * What a REQ receive that times out does to the request it waited for (the
 * judgement is shared with SURVEYOR: ../common/recv-timeout.ts).
 */
import { concat, utf8, words } from "../../harness/sp.ts";
import { judge, T } from "../common/recv-timeout.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";
import { REQ_TCP, readRequest, reqDialing } from "./common.ts";

export const reqRecvTimeoutKeepsRequest: ConformanceCase = {
  id: "reqrep/req-recv-timeout-keeps-request",
  title: "After a REQ recv times out, the reply to the outstanding request is still delivered",
  requirements: ["SP-REQREP-7", "SP-REQREP-11", "SP-FRAMEWORK-20"],
  kind: "example",
  needs: REQ_TCP,
  covers: ["req:waiting:recv", "req:waiting:reply[idMatches]"],
  async run(ctx: CaseContext) {
    const { req, peer } = await reqDialing(ctx);
    await req.send(utf8("slow question"), { timeoutMs: T.prompt });
    const r = await readRequest(ctx, peer);
    const early = await req.tryRecv({ timeoutMs: T.short });
    peer.sendFrame(concat(words(r.id), utf8("late answer")));
    const got = await req.tryRecv({ timeoutMs: T.prompt });
    judge(ctx, early, got, { what: "reply", body: utf8("late answer") });
  },
};

export const reqRecvTimeoutCases: readonly ConformanceCase[] = [reqRecvTimeoutKeepsRequest];
