/**
 * Model-based random testing of a RESPONDENT socket with several SURVEYOR
 * peers at once (`survey/model-respondent-peers`): surveys with random
 * backtraces from peers that join and leave, receives, responses and
 * responses with nothing held, against the model shared with REP
 * (common/answer-peers-model.ts).
 */
import { answerPeersModel } from "../common/answer-peers-model.ts";
import { RESPONDENT_TCP, respondentListening, surveyorPeer } from "./common.ts";

export const respondentPeersModel = answerPeersModel({
  id: "survey/model-respondent-peers",
  title:
    "RESPONDENT with several peers: random joins, leaves, surveys and responses against a model",
  needs: RESPONDENT_TCP,
  covers: [
    "respondent:idle:deliver",
    "respondent:holding:send",
    "respondent:holding:deliver",
    "respondent:idle:send",
  ],
  noun: "survey",
  rules: {
    order: "SP-SURVEY-18",
    backtrace: "SP-SURVEY-19",
    nothingHeld: "SP-SURVEY-20",
    gone: "SP-SURVEY-21",
    abandon: "SP-SURVEY-23",
  },
  async open(ctx) {
    const { respondent, url } = await respondentListening(ctx);
    return { sock: respondent, url };
  },
  peer: surveyorPeer,
});

export const respondentPeersModelCases = [respondentPeersModel];
