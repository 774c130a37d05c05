/**
 * Model-based random testing of a BUS with several BUS peers that come and go
 * (`bus/model-bus-peers`): what the application sends reaches every peer
 * once and in order and never waits; what a peer sends reaches the
 * application whole, in its pipe's order, and no other peer; the application
 * never gets its own messages back (model shared with PUB,
 * common/broadcast-peers-model.ts).
 */
import { broadcastPeersModel } from "../common/broadcast-peers-model.ts";
import { attachedPeer, listening, tcpNeeds } from "../pair/common.ts";

export const busPeersModel = broadcastPeersModel({
  id: "bus/model-bus-peers",
  title:
    "BUS with several peers: random sends, peer messages, receives, joins and leaves against a model",
  needs: tcpNeeds("bus0"),
  covers: [],
  receives: true,
  rules: {
    each: "SP-BUS-3",
    order: "SP-FRAMEWORK-2",
    noWait: "SP-BUS-4",
    noForward: "SP-BUS-5",
    deliver: "SP-BUS-2",
    noEcho: "SP-BUS-6",
  },
  async open(ctx) {
    const { sock, url } = await listening(ctx, "bus0");
    return { sock, url };
  },
  // Attached once a message it sent was delivered (the helper receives it).
  join: (ctx, sock, url, label) => attachedPeer(ctx, sock, url, "bus0", label),
});

export const busPeersModelCases = [busPeersModel];
