/** Every PUSH/PULL conformance case, in run order. */
import { pullCases } from "./pull.ts";
import { pushCases } from "./push.ts";

// ./timeouts.ts (pipeline/push-shorter-timeout-expires-first) is not registered yet: the
// reference times only the oldest waiting send, so it fails there (SP-PIPELINE-5).
export const pipelineCases = [...pushCases, ...pullCases];
