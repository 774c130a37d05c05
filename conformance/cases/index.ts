/** Every conformance case, in run order. */
import { framingCases } from "./reqrep/framing.ts";
import { handshakeCases } from "./reqrep/handshake.ts";
import { lifecycleCases } from "./reqrep/lifecycle.ts";
import { repCases } from "./reqrep/rep-backtrace.ts";
import { propertyCases } from "./reqrep/rep-property.ts";
import { reqReplyCases } from "./reqrep/req-replies.ts";
import { reqRequestCases } from "./reqrep/req-requests.ts";
import { reqResendCases } from "./reqrep/req-resend.ts";
import type { ConformanceCase } from "./types.ts";

export const allCases: readonly ConformanceCase[] = [
  ...handshakeCases,
  ...framingCases,
  ...reqRequestCases,
  ...reqReplyCases,
  ...reqResendCases,
  ...repCases,
  ...lifecycleCases,
  ...propertyCases,
];
