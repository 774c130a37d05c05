import { type CallOptions, refuseCall } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";

/**
 * Why a send or recv must fail before it starts: ECLOSED when `closed`, else
 * what {@link refuseCall} finds wrong with `opts`; undefined when it may go on.
 *
 * @example
 * ```ts
 * const refused = callRefusal(this.isClosed, opts);
 * if (refused) return Promise.reject(refused);
 * ```
 */
export function callRefusal(closed: boolean, opts: CallOptions | undefined): SPError | undefined {
  // SP-FRAMEWORK-33: a call started after close fails at once and moves no message.
  if (closed) return new SPError("ECLOSED");
  return refuseCall(opts);
}
