import { ttlOptionRows } from "../../core/options.ts";

/** RESPONDENT's own option: the most backtrace words a survey may carry (SP-SURVEY-10). */
export const respondent0Options = ttlOptionRows;

/** Raw RESPONDENT bounds the backtrace words it accepts as the cooked socket does. */
export const xrespondent0Options = ttlOptionRows;
