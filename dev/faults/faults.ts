/**
 * Every seeded fault, by protocol family (faults-<family>.ts). Each is one
 * plausible bug in the reference as exact search/replace edits (types.ts);
 * `npm run faults` (main.ts) checks which ones the conformance suite catches.
 * The legal variants (faults-legal.ts) must not be caught.
 */
import { frameworkFaults } from "./faults-framework.ts";
import { legalVariants } from "./faults-legal.ts";
import { pairFaults } from "./faults-pair.ts";
import { pipelineFaults } from "./faults-pipeline.ts";
import { pubsubFaults } from "./faults-pubsub.ts";
import { rawFaults } from "./faults-raw.ts";
import { reqrepFaults } from "./faults-reqrep.ts";
import { surveyFaults } from "./faults-survey.ts";
import { transportFaults } from "./faults-transport.ts";
import type { Fault } from "./types.ts";

export const allFaults: readonly Fault[] = [
  ...reqrepFaults,
  ...surveyFaults,
  ...pubsubFaults,
  ...pipelineFaults,
  ...pairFaults,
  ...rawFaults,
  ...transportFaults,
  ...frameworkFaults,
  ...legalVariants,
];
