import { connect } from "node:net";
import type {
  Dialer,
  EndpointOptions,
  Listener,
  PipeHost,
  Transport,
} from "../../core/transport.ts";
import type { SPUrl } from "../../core/url.ts";
import { type StreamConnect, TcpDialer, type TcpDialerMachine } from "../tcp/dialer.ts";
import type { TcpPipeMachine } from "../tcp/pipe.ts";
import { IPC_FRAME_TYPE, IpcListener } from "./listener.ts";
import { nativePath } from "./path.ts";

/** Alternate machines for the IPC transport (the TCP ones apply, draft-sp-ipc §State Machines). */
export interface IpcTransportMachines {
  pipe?: TcpPipeMachine;
  dialer?: TcpDialerMachine;
}

/** One IPC connection attempt: a stream to the socket path (SP-IPC-3); retried with back-off (SP-IPC-17). */
const ipcConnect: StreamConnect = async (url) => connect({ path: nativePath(url.path ?? "") });

/**
 * Builds the `ipc://` transport. Dialers are TCP dialers whose attempts
 * connect to a path and whose pipes use the IPC frame type byte; back-off and
 * reconnection are those of TCP (SP-IPC-17).
 *
 * @example
 * ```ts
 * const ipc = createIpcTransport();
 * const l = await ipc.listen(parseUrl("ipc:///tmp/rep.sock", true), socket);
 * ```
 */
export function createIpcTransport(machines: IpcTransportMachines = {}): Transport {
  return {
    scheme: "ipc",
    listen: (url: SPUrl, host: PipeHost): Promise<Listener> =>
      IpcListener.bind(url, host, machines.pipe),
    dial: (url: SPUrl, host: PipeHost, options?: EndpointOptions): Dialer =>
      new TcpDialer(url, host, {
        ...machines,
        connect: ipcConnect,
        frameType: IPC_FRAME_TYPE,
        start: options?.start,
        failFast: options?.failFast,
      }),
  };
}

/** The default `ipc://` transport. */
export const ipcTransport: Transport = createIpcTransport();

export { IPC_FRAME_TYPE, IpcListener } from "./listener.ts";
export { clearStaleSocket, isLive, nativePath } from "./path.ts";
