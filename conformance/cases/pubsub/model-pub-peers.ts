/**
 * Model-based random testing of a PUB with several SUB peers that come and
 * go (`pubsub/model-pub-peers`): sends and short bursts must reach every
 * attached subscriber, once and in order, and never wait (model shared with
 * BUS, common/broadcast-peers-model.ts).
 */

import { sleep } from "../../harness/wait.ts";
import { broadcastPeersModel } from "../common/broadcast-peers-model.ts";
import { openIut, PUB_TCP, PUBSUB_PROTO, rawPeer } from "./common.ts";

/** Time after which a subscriber whose handshake finished is surely attached, ms. */
const ATTACH_MS = 200;

export const pubPeersModel = broadcastPeersModel({
  id: "pubsub/model-pub-peers",
  title: "PUB with several subscribers: random sends, bursts, joins and leaves against a model",
  needs: PUB_TCP,
  covers: [],
  receives: false,
  rules: { each: "SP-PUBSUB-6", order: "SP-PUBSUB-11", noWait: "SP-PUBSUB-8" },
  async open(ctx) {
    const sock = await openIut(ctx, "pub0");
    return { sock, url: await sock.listen(ctx.iutUrl("tcp")) };
  },
  async join(ctx, _sock, url, label) {
    const peer = await rawPeer(ctx, url, PUBSUB_PROTO.sub0, PUBSUB_PROTO.pub0, label);
    await sleep(ATTACH_MS);
    return peer;
  },
});

export const pubPeersModelCases = [pubPeersModel];
