/** Every PUSH/PULL conformance case, in run order. */
import { pipelineFlowCases } from "./flow.ts";
import { pullPeersModelCases } from "./model-pull-peers.ts";
import { pushPeersModelCases } from "./model-push-peers.ts";
import { pullCases } from "./pull.ts";
import { pushCases } from "./push.ts";
import { pushPriorityCases } from "./push-priority.ts";
import { pushRawCases } from "./push-raw.ts";
import { pushWaitingCases } from "./push-waiting.ts";
import { pushTimeoutCases } from "./timeouts.ts";

export const pipelineCases = [
  ...pushCases,
  ...pullCases,
  ...pushTimeoutCases,
  ...pushWaitingCases,
  ...pushPriorityCases,
  ...pushRawCases,
  ...pullPeersModelCases,
  ...pushPeersModelCases,
  ...pipelineFlowCases,
];
