/** The WebSocket mapping cases (rfc/draft-sp-websocket.md), in run order. */
import { wsCloseCases } from "./close.ts";
import { wsClosingPeerDrops } from "./closing-peer-drops.ts";
import { wsEmptyTargetCases } from "./empty-target.ts";
import { wsHandshakeCases } from "./handshake.ts";
import { wsMessageCases } from "./messages.ts";
import { wsSubprotocolRefusalCases } from "./subprotocol-refusal.ts";

export const wsCases = [
  ...wsHandshakeCases,
  ...wsEmptyTargetCases,
  ...wsMessageCases,
  ...wsCloseCases,
  wsClosingPeerDrops,
  ...wsSubprotocolRefusalCases,
];
