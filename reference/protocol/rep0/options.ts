import { ttlOptionRows } from "../../core/options.ts";

/** REP's own option: the most backtrace words a request may carry (SP-REQREP-15). */
export const rep0Options = ttlOptionRows;

/** Raw REP bounds the backtrace words it accepts as the cooked socket does. */
export const xrep0Options = ttlOptionRows;
