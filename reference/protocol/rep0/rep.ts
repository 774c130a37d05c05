import { protocols } from "../../../spec/constants.ts";
import type { Transport } from "../../core/transport.ts";
import { defaultTransports } from "../../transports.ts";
import { optionRegistry, type ProtocolOptions } from "../options.ts";
import { AnswerSocket } from "../shared/answer-socket.ts";
import { RepContext, type RepMachine } from "./context.ts";

export { RepContext, type RepMachine } from "./context.ts";

/** Internal construction options: alternate machine, transports, queue size. */
export interface Rep0Internals {
  repCompiled?: RepMachine;
  transports?: readonly Transport[];
  /**
   * Requests each pipe's receive buffer holds before the socket stops reading that
   * pipe, when the `recvBuffer` option is 0 (else the draft's default, 1024). Nothing is dropped.
   */
  recvQueueSize?: number;
}

/**
 * A cooked REP socket (protocol 0x31). `recv` hands out one request and the
 * context's `rep` actor holds its backtrace and pipe until `send` answers it.
 * The socket's `send`/`recv` use a default context; `openContext()` gives more
 * (each holds its own backtrace), to answer several requests concurrently.
 * Requests wait in their pipe's bounded receive buffer, the pipes served in
 * turn; a full buffer stops reading that pipe (SP-REQREP-25).
 *
 * @example
 * ```ts
 * const rep = rep0();
 * await rep.listen("tcp://127.0.0.1:5555");
 * for await (const req of rep) await rep.send(req);
 * ```
 */
export class Rep0Socket extends AnswerSocket<RepContext> {
  private readonly machine: RepMachine | undefined;

  constructor(options?: ProtocolOptions<"rep0">, internals: Rep0Internals = {}) {
    const spec = {
      protocol: protocols.rep0,
      optionSet: optionRegistry.rep0,
      malformed: "request without a request id",
    };
    super(spec, options, internals.transports ?? defaultTransports, internals.recvQueueSize);
    this.machine = internals.repCompiled;
    this.startAnswering();
  }

  /**
   * A new context, with its own held request.
   *
   * @example
   * ```ts
   * const workers = Array.from({ length: 4 }, () => rep.openContext());
   * ```
   */
  protected makeContext(): RepContext {
    return new RepContext(this.ctxHost, this.machine);
  }
}

/**
 * Opens a REP socket.
 *
 * @example
 * ```ts
 * const s = rep0({ maxTtl: 4 });
 * ```
 */
export function rep0(options?: ProtocolOptions<"rep0">, internals?: Rep0Internals): Rep0Socket {
  return new Rep0Socket(options, internals);
}
