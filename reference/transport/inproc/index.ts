import type {
  Dialer,
  EndpointOptions,
  Listener,
  PipeHost,
  Transport,
} from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { InprocDialer, type InprocDialerMachine } from "./dialer.ts";
import { InprocListener } from "./listener.ts";
import type { InprocPipeMachine } from "./pipe.ts";

/** Alternate machines for the in-process transport (tests, other drafts). */
export interface InprocTransportMachines {
  pipe?: InprocPipeMachine;
  dialer?: InprocDialerMachine;
}

/**
 * Builds the `inproc://` transport: process-local names, pipes that hand
 * Buffers over without copying (draft-sp-inproc).
 *
 * @example
 * ```ts
 * const inproc = createInprocTransport();
 * const l = await inproc.listen(parseUrl("inproc://jobs", true), socket);
 * ```
 */
export function createInprocTransport(machines: InprocTransportMachines = {}): Transport {
  return {
    scheme: "inproc",
    listen: async (url: SPUrl, host: PipeHost): Promise<Listener> =>
      InprocListener.bind(url.path ?? "", host, machines.pipe),
    dial: (url: SPUrl, host: PipeHost, options?: EndpointOptions): Dialer =>
      new InprocDialer(url.path ?? "", host, {
        ...machines,
        start: options?.start,
        failFast: options?.failFast,
      }),
  };
}

/** The default `inproc://` transport. */
export const inprocTransport: Transport = createInprocTransport();

export { InprocDialer } from "./dialer.ts";
export { findListener, InprocListener, waitForListener } from "./listener.ts";
export { InprocPipe, joinPipes } from "./pipe.ts";
