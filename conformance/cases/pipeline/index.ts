/** Every PUSH/PULL conformance case, in run order. */
import { pullCases } from "./pull.ts";
import { pushCases } from "./push.ts";
import { pushTimeoutCases } from "./timeouts.ts";

export const pipelineCases = [...pushCases, ...pullCases, ...pushTimeoutCases];
