/** Every PUB/SUB conformance case, in run order. */
import { pubsubFlowCases } from "./flow.ts";
import { pubPeersModelCases } from "./model-pub-peers.ts";
import { subPeersModelCases } from "./model-sub-peers.ts";
import { propertyCases } from "./property.ts";
import { pubCases } from "./pub.ts";
import { subCases } from "./sub.ts";

export const pubsubCases = [
  ...pubCases,
  ...subCases,
  ...propertyCases,
  ...subPeersModelCases,
  ...pubPeersModelCases,
  ...pubsubFlowCases,
];
