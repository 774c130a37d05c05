/** Hand-written cases for transitions no protocol family walks. */
import { closeCoverageCases } from "./close.ts";
import { dialerStopCases } from "./dialer-stop.ts";
import { handshakeTimeoutCases } from "./handshake-timeout.ts";
import { pairFlowControl } from "./pair-flow.ts";
import { recvTimeoutCases } from "./recv-timeout.ts";
import { reqPendingCases } from "./req-pending.ts";
import { tcpCoverageCases } from "./tcp.ts";
import { wsCoverageCases } from "./ws.ts";
import { wsDialerUpgradeCases } from "./ws-dialer-upgrade.ts";

export const coverageCases = [
  ...closeCoverageCases,
  pairFlowControl,
  ...recvTimeoutCases,
  ...tcpCoverageCases,
  ...dialerStopCases,
  ...wsCoverageCases,
  ...wsDialerUpgradeCases,
  ...handshakeTimeoutCases,
  ...reqPendingCases,
];
