/** Every SURVEYOR/RESPONDENT case, in run order. */
import type { ConformanceCase } from "../types.ts";
import { surveyFlowCases } from "./flow.ts";
import { respondentPeersModelCases } from "./model-respondent-peers.ts";
import { surveyorPeersModelCases } from "./model-surveyor-peers.ts";
import { surveyPropertyCases } from "./property.ts";
import { respondentCases } from "./respondent.ts";
import { surveyorCases } from "./surveyor.ts";

export const surveyCases: readonly ConformanceCase[] = [
  ...surveyorCases,
  ...respondentCases,
  ...surveyPropertyCases,
  ...surveyFlowCases,
  ...surveyorPeersModelCases,
  ...respondentPeersModelCases,
];
