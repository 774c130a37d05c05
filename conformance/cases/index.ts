/** Every conformance case, in run order. */

import { busCases } from "./bus/bus.ts";
import { busFlowCases } from "./bus/flow.ts";
import { coverageCases } from "./coverage/index.ts";
import { featureCases } from "./features/index.ts";
import { inprocCases } from "./inproc/index.ts";
import { ipcCases } from "./ipc/index.ts";
import { mustGapCases } from "./must/index.ts";
import { pairCases } from "./pair/index.ts";
import { pathCases } from "./paths/index.ts";
import { pipelineCases } from "./pipeline/index.ts";
import { pubsubCases } from "./pubsub/index.ts";
import { rawCases } from "./raw/index.ts";
import { reqrepFlowCases } from "./reqrep/flow.ts";
import { framingCases } from "./reqrep/framing.ts";
import { handshakeCases } from "./reqrep/handshake.ts";
import { lifecycleCases } from "./reqrep/lifecycle.ts";
import { repCases } from "./reqrep/rep-backtrace.ts";
import { propertyCases } from "./reqrep/rep-property.ts";
import { reqReplyCases } from "./reqrep/req-replies.ts";
import { reqRequestCases } from "./reqrep/req-requests.ts";
import { reqResendCases } from "./reqrep/req-resend.ts";
import { surveyCases } from "./survey/index.ts";
import { tlsCases } from "./tls/tls.ts";
import type { ConformanceCase } from "./types.ts";
import { wsCases } from "./ws/index.ts";

export const allCases: readonly ConformanceCase[] = [
  ...handshakeCases,
  ...framingCases,
  ...reqRequestCases,
  ...reqReplyCases,
  ...reqResendCases,
  ...repCases,
  ...lifecycleCases,
  ...propertyCases,
  ...reqrepFlowCases,
  ...surveyCases,
  ...pairCases,
  ...pubsubCases,
  ...pipelineCases,
  ...busCases,
  ...busFlowCases,
  ...ipcCases,
  ...wsCases,
  ...tlsCases,
  ...mustGapCases,
  ...pathCases,
  ...coverageCases,
  ...rawCases,
  ...inprocCases,
  ...featureCases,
];
