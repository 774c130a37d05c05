/**
 * Feature `dialers` of ADAPTER.md §3.2 on the reference stack: `dial` with
 * `start: false` creates a dialer through `socket.dial(url, { start: false })`
 * and answers its handle; `dialer-start` calls the dialer's `start()`,
 * `dialer-close` its `close()`. Dialer handles have their own number space.
 */
import { type Dialer, type EndpointOptions, SPError } from "../../../reference/index.ts";
import { AdapterFailure, type Request, type SocketEntry } from "./registry.ts";

interface DialerEntry {
  readonly dialer: Dialer;
  /** The socket it belongs to: closing that socket closes the dialer. */
  readonly owner: SocketEntry;
}

const dialers = new Map<number, DialerEntry>();
let nextDialer = 1;

/** `dial` with `start: false`: creates the dialer unstarted and answers its handle. */
export function createDialer(owner: SocketEntry, url: string, opts: EndpointOptions): number {
  const dialer = owner.sock.dial(url, { ...opts, start: false });
  // Nobody awaits `connected`; a close before the first connection is not an error here.
  void Promise.resolve(dialer.connected).catch(() => {});
  const handle = nextDialer++;
  dialers.set(handle, { dialer, owner });
  return handle;
}

/** The open dialer named by the request's `dialer` field; ECLOSED when closed or unknown. */
function lookupDialer(req: Request): DialerEntry {
  const d = req.dialer !== undefined ? dialers.get(req.dialer) : undefined;
  if (!d || d.owner.sock.isClosed) {
    throw new AdapterFailure("ECLOSED", `no open dialer ${req.dialer}`);
  }
  return d;
}

/** `dialer-start`: the first attempt begins (ESTATE when already started). */
export function startDialer(req: Request): void {
  const { dialer } = lookupDialer(req);
  if (!dialer.start) throw new SPError("ENOTSUP", `${dialer.url}: no unstarted dialers here`);
  dialer.start();
}

/** `dialer-close`: closes only this dialer and forgets its handle. */
export async function closeDialer(req: Request): Promise<void> {
  const entry = lookupDialer(req);
  dialers.delete(Number(req.dialer));
  await entry.dialer.close();
}

/** Forgets every dialer handle (end of input; their sockets close them). */
export function clearDialers(): void {
  dialers.clear();
}
