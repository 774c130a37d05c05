/**
 * Model-based random testing of a REP socket with several REQ peers at once
 * (`reqrep/model-rep-peers`); the model is shared with RESPONDENT
 * (common/answer-peers-model.ts).
 */
import { answerPeersModel } from "../common/answer-peers-model.ts";
import { REP_TCP, repListening, reqPeer } from "./common.ts";

export const repPeersModel = answerPeersModel({
  id: "reqrep/model-rep-peers",
  title: "REP with several peers: random joins, leaves, requests and replies against a model",
  needs: REP_TCP,
  covers: ["rep:idle:deliver", "rep:holding:send", "rep:holding:deliver", "rep:idle:send"],
  noun: "request",
  rules: {
    order: "SP-REQREP-21",
    backtrace: "SP-REQREP-13",
    nothingHeld: "SP-REQREP-16",
    gone: "SP-REQREP-17",
    abandon: "SP-REQREP-19",
  },
  async open(ctx) {
    const { rep, url } = await repListening(ctx);
    return { sock: rep, url };
  },
  peer: reqPeer,
});

export const repPeersModelCases = [repPeersModel];
