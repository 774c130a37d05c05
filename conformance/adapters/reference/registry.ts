/**
 * Handles of the reference adapter: the sockets and contexts the suite opened,
 * in one number space (ADAPTER.md §3, §3.2), plus the request shape and the
 * error type whose code goes into the answer.
 */
import type {
  RepContext,
  ReqContext,
  RespondentContext,
  SocketBase,
  SurveyorContext,
} from "../../../reference/index.ts";

/** One request line, with every field any op may carry. */
export interface Request {
  id: number;
  op: string;
  protocol?: string;
  raw?: boolean;
  socket?: number;
  url?: string;
  name?: string;
  value?: number;
  data?: string;
  header?: string;
  pipe?: number;
  timeoutMs?: number;
  tls?: unknown;
  a?: number;
  b?: number;
  /** `dial` (feature `dialers`): false creates the dialer without starting it. */
  start?: boolean;
  /** `dialer-start`, `dialer-close` (feature `dialers`): the dialer's handle. */
  dialer?: number;
}

/** A failure answered with an nng-style code. */
export class AdapterFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A socket plus what the adapter keeps for it. */
export interface SocketEntry {
  readonly kind: "socket";
  sock: SocketBase;
  /** The protocol name as `open` got it. */
  readonly protocol: string;
  readonly raw: boolean;
  /** The recv/send timeouts the suite configured (restored after per-call ones). */
  recvTimeout: number;
  sendTimeout: number;
  /** Listeners and dialers started (`pair1:polyamorous` must come before the first). */
  endpoints: number;
  /** Numeric options set so far, replayed when the socket is re-created (polyamorous switch). */
  readonly applied: Array<[string, number]>;
  /** Handles of the contexts opened on this socket. */
  readonly contexts: Set<number>;
  /** Closed by the suite: later calls still reach the closed socket (SP-FRAMEWORK-33). */
  closed?: boolean;
}

/** Any of the reference's context classes. */
export type AnyContext = ReqContext | RepContext | RespondentContext | SurveyorContext;

/** A context (feature `contexts`) and the socket it belongs to. */
export interface ContextEntry {
  readonly kind: "context";
  readonly ctx: AnyContext;
  readonly parent: SocketEntry;
  recvTimeout: number;
  sendTimeout: number;
  /** Closed by the suite: later calls still reach the closed context (SP-FRAMEWORK-33). */
  closed?: boolean;
}

export type Entry = SocketEntry | ContextEntry;

const entries = new Map<number, Entry>();
let nextHandle = 1;

/** Registers `e` under a fresh handle. */
export function register(e: Entry): number {
  const id = nextHandle++;
  entries.set(id, e);
  return id;
}

/** Forgets a handle (and, for a socket, its contexts' handles). */
export function unregister(handle: number): void {
  const e = entries.get(handle);
  entries.delete(handle);
  if (e?.kind === "socket") for (const c of e.contexts) entries.delete(c);
  if (e?.kind === "context") e.parent.contexts.delete(handle);
}

/** The socket or context named by `handle`; ECLOSED when there is none. */
export function lookup(handle: number | undefined): Entry {
  const e = handle !== undefined ? entries.get(handle) : undefined;
  if (!e) throw new AdapterFailure("ECLOSED", `no open socket ${handle}`);
  return e;
}

/** The socket named by `handle`; EINVAL when it names a context. */
export function lookupSocket(handle: number | undefined, op: string): SocketEntry {
  const e = lookup(handle);
  if (e.kind !== "socket")
    throw new AdapterFailure("EINVAL", `${op} needs a socket, not a context`);
  return e;
}

/** Every open socket (for closing on end of stdin). */
export function openSockets(): SocketEntry[] {
  return [...entries.values()].filter((e): e is SocketEntry => e.kind === "socket");
}

/** Forgets everything. */
export function clearAll(): void {
  entries.clear();
}
