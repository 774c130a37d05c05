/**
 * Legal variants: choices the drafts leave to the implementation, taken the
 * other way from the reference. The suite must pass each of them; a case that
 * fails one assumes more than the drafts say (a false failure, as an
 * independent stack once met in pair/pair1-reserved-bits and
 * raw/device-survey-hop-limit).
 */
import type { Fault } from "./types.ts";

export const legalVariants: readonly Fault[] = [
  {
    id: "pair/legal-pair1-keeps-pipe-on-bad-header",
    conforming: true,
    requirements: ["SP-PAIR-13"],
    description:
      "PAIR v1 drops a message whose header is malformed (reserved bits set, shorter than 4 bytes) and keeps the pipe open; SP-PAIR-13 lets it close the pipe or not.",
    families: ["pair", "raw"],
    observe: "every pair and raw case passes as it does against the reference",
    patch: [
      {
        file: "reference/protocol/pair1/header.ts",
        search: '      pipe.close(new SPError("EPROTO", `PAIR v1: ',
        replace: '      if (Number.NaN) pipe.close(new SPError("EPROTO", `PAIR v1: ',
      },
    ],
  },
  {
    id: "raw/legal-xsurveyor-without-ttl-max",
    conforming: true,
    requirements: ["SP-SURVEY-24"],
    description:
      "The raw SURVEYOR has no ttl-max option (setting it fails with ENOTSUP): the drafts bound hops only on the RESPONDENT side, so a SURVEYOR need not have it.",
    families: ["raw", "survey"],
    observe: "every raw and survey case passes as it does against the reference",
    patch: [
      {
        file: "reference/protocol/surveyor0/options.ts",
        search: "export const xsurveyor0Options = ttlOptionRows;",
        replace: "export const xsurveyor0Options = {};",
      },
    ],
  },
];
