/** Every conformance case, in run order. */

import { busCases } from "./bus/bus.ts";
import { busBusyPipeCases } from "./bus/busy-pipe.ts";
import { busClosePendingCases } from "./bus/close-pending.ts";
import { busFlowCases } from "./bus/flow.ts";
import { busPeersModelCases } from "./bus/model-bus-peers.ts";
import { afterCloseCases } from "./framework/after-close.ts";
import { statsCases } from "./framework/stats.ts";
import { inprocCases } from "./inproc/index.ts";
import { ipcFrameTypeCases } from "./ipc/frame-type.ts";
import { ipcCases } from "./ipc/index.ts";
import { ipcLongPathCases } from "./ipc/long-path.ts";
import { pairCases } from "./pair/index.ts";
import { pair1PolyCases } from "./pair/pair1poly.ts";
import { pair1PolyTtlCases } from "./pair/pair1poly-ttl.ts";
import { pairFlowControl } from "./pair/slow-peer.ts";
import { modelCases, pathCases } from "./paths.ts";
import { pipelineCases } from "./pipeline/index.ts";
import { pushQueueExpiryCases } from "./pipeline/queue-expiry.ts";
import { priorityCases } from "./pipeline/send-priority.ts";
import { pubsubCloseCases } from "./pubsub/close.ts";
import { subFullQueueCases } from "./pubsub/full-queue.ts";
import { pubsubCases } from "./pubsub/index.ts";
import { rawCases } from "./raw/index.ts";
import { contextCloseCases } from "./reqrep/context-close.ts";
import { reqContextCases } from "./reqrep/contexts.ts";
import { reqDuplicateReplyCases } from "./reqrep/duplicate-reply.ts";
import { reqrepFlowCases } from "./reqrep/flow.ts";
import { framingCases } from "./reqrep/framing.ts";
import { handshakeCases } from "./reqrep/handshake.ts";
import { lifecycleCases } from "./reqrep/lifecycle.ts";
import { repPeersModelCases } from "./reqrep/model-rep-peers.ts";
import { reqPeersModelCases } from "./reqrep/model-req-peers.ts";
import { reqRecvTimeoutCases } from "./reqrep/recv-timeout.ts";
import { repCases } from "./reqrep/rep-backtrace.ts";
import { repContextsWaitingCases } from "./reqrep/rep-contexts-waiting.ts";
import { propertyCases } from "./reqrep/rep-property.ts";
import { reqBackedUpCases } from "./reqrep/req-backed-up.ts";
import { reqPendingCases } from "./reqrep/req-pending.ts";
import { reqRecvCancelledCases } from "./reqrep/req-recv-cancelled.ts";
import { reqReplyCases } from "./reqrep/req-replies.ts";
import { reqRequestCases } from "./reqrep/req-requests.ts";
import { reqResendCases } from "./reqrep/req-resend.ts";
import { reqResendTimingCases } from "./reqrep/resend-timing.ts";
import { reqRoundRobinLeaveCases } from "./reqrep/round-robin-leave.ts";
import { reqrepRoutingCases } from "./reqrep/routing.ts";
import { tcpIpv6Cases } from "./reqrep/tcp-ipv6.ts";
import { surveyCloseCases } from "./survey/close.ts";
import { surveyContextCloseCases } from "./survey/context-close.ts";
import { surveyorContextCases } from "./survey/contexts.ts";
import { surveyCases } from "./survey/index.ts";
import { surveyorRecvTimeoutCases } from "./survey/recv-timeout.ts";
import { respondentGonePeerCases } from "./survey/reply-to-gone-peer.ts";
import { surveyRoutingCases } from "./survey/routing.ts";
import { surveyTimingCases } from "./survey/timing.ts";
import { dialerStopCases } from "./tcp/dialer-stop.ts";
import { tcpHandshakeTimeoutCases } from "./tcp/handshake-timeout.ts";
import { tcpHeaderFieldCases } from "./tcp/header-fields.ts";
import { tcpCoverageCases } from "./tcp/lifecycle.ts";
import { tcpReconnectCases } from "./tcp/reconnect-interval.ts";
import { tlsCases } from "./tls/tls.ts";
import type { ConformanceCase } from "./types.ts";
import { wsDialerQueryCases } from "./ws/dialer-query.ts";
import { wsDialerUpgradeCases } from "./ws/dialer-upgrade.ts";
import { wsCases } from "./ws/index.ts";
import { wsCoverageCases } from "./ws/lifecycle.ts";
import { wsUpgradeTimeoutCases } from "./ws/upgrade-timeout.ts";

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
  ...busPeersModelCases,
  ...ipcCases,
  ...wsCases,
  ...tlsCases,
  ...reqDuplicateReplyCases,
  ...reqBackedUpCases,
  ...reqRoundRobinLeaveCases,
  ...reqRecvCancelledCases,
  ...repContextsWaitingCases,
  ...busClosePendingCases,
  ...respondentGonePeerCases,
  ...subFullQueueCases,
  ...tcpIpv6Cases,
  ...ipcLongPathCases,
  ...pathCases,
  ...modelCases,
  ...repPeersModelCases,
  ...reqPeersModelCases,
  ...pubsubCloseCases,
  ...surveyCloseCases,
  ...pushQueueExpiryCases,
  pairFlowControl,
  ...reqRecvTimeoutCases,
  ...surveyorRecvTimeoutCases,
  ...tcpCoverageCases,
  ...tcpReconnectCases,
  ...dialerStopCases,
  ...wsCoverageCases,
  ...wsDialerUpgradeCases,
  ...tcpHandshakeTimeoutCases,
  ...wsUpgradeTimeoutCases,
  ...reqPendingCases,
  ...rawCases,
  ...inprocCases,
  ...reqContextCases,
  ...contextCloseCases,
  ...surveyorContextCases,
  ...surveyContextCloseCases,
  ...pair1PolyCases,
  ...priorityCases,
  ...statsCases,
  ...afterCloseCases,
  ...reqResendTimingCases,
  ...reqrepRoutingCases,
  ...surveyTimingCases,
  ...surveyRoutingCases,
  ...pair1PolyTtlCases,
  ...busBusyPipeCases,
  ...tcpHeaderFieldCases,
  ...ipcFrameTypeCases,
  ...wsDialerQueryCases,
];
