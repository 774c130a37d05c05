import type {
  Dialer,
  EndpointOptions,
  Listener,
  PipeHost,
  Transport,
} from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { TcpDialer, type TcpDialerMachine } from "./dialer.ts";
import { TcpListener } from "./listener.ts";
import type { TcpPipeMachine } from "./pipe.ts";

/** Alternate machines for the TCP transport (tests, other drafts). */
export interface TcpTransportMachines {
  pipe?: TcpPipeMachine;
  dialer?: TcpDialerMachine;
}

/**
 * Builds the `tcp://` transport, optionally with alternate lifecycle machines.
 *
 * @example
 * ```ts
 * const tcp = createTcpTransport();
 * const l = await tcp.listen(parseUrl("tcp://127.0.0.1:0", true), socket);
 * ```
 */
export function createTcpTransport(machines: TcpTransportMachines = {}): Transport {
  return {
    scheme: "tcp",
    listen: (url: SPUrl, host: PipeHost): Promise<Listener> =>
      TcpListener.bind(url, host, machines.pipe),
    dial: (url: SPUrl, host: PipeHost, options?: EndpointOptions): Dialer =>
      new TcpDialer(url, host, {
        ...machines,
        start: options?.start,
        failFast: options?.failFast,
      }),
  };
}

/** The default `tcp://` transport. */
export const tcpTransport: Transport = createTcpTransport();

export { TcpDialer } from "./dialer.ts";
export { FrameReader } from "./frame-reader.ts";
export { FrameWriter } from "./frame-writer.ts";
export { TcpListener } from "./listener.ts";
export { TcpPipe } from "./pipe.ts";
