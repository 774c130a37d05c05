/**
 * Node timer idioms for the browser build: `setTimeout(...).unref()`,
 * `setImmediate`, `clearImmediate`. The build injects these wherever the
 * reference names the globals, so Node-style code runs unchanged in a page.
 */

/** What Node's timer functions return, as far as the reference uses it. */
export interface TimerHandle {
  /** No-op in a page (nothing keeps a page alive). */
  unref(): TimerHandle;
  ref(): TimerHandle;
  hasRef(): boolean;
  /** The browser's numeric id, so `clearTimeout(handle)` works. */
  [Symbol.toPrimitive](): number;
}

const raw = new WeakMap<object, number>();

function handle(id: number): TimerHandle {
  const h: TimerHandle = {
    unref: () => h,
    ref: () => h,
    hasRef: () => true,
    [Symbol.toPrimitive]: () => id,
  };
  raw.set(h, id);
  return h;
}

const nativeClearTimeout = globalThis.clearTimeout.bind(globalThis) as unknown as (
  id: unknown,
) => void;
const nativeClearInterval = globalThis.clearInterval.bind(globalThis) as unknown as (
  id: unknown,
) => void;

/** Accepts a {@link TimerHandle} or a native id. */
export function clearTimeout(t: TimerHandle | number | undefined): void {
  nativeClearTimeout(typeof t === "object" ? raw.get(t) : t);
}

/** Accepts a {@link TimerHandle} or a native id. */
export function clearInterval(t: TimerHandle | number | undefined): void {
  nativeClearInterval(typeof t === "object" ? raw.get(t) : t);
}

const nativeSetTimeout = globalThis.setTimeout.bind(globalThis) as unknown as (
  fn: (...a: unknown[]) => void,
  ms?: number,
  ...args: unknown[]
) => number;
const nativeSetInterval = globalThis.setInterval.bind(
  globalThis,
) as unknown as typeof nativeSetTimeout;

/**
 * `setTimeout` returning a handle with `unref()` (Node style).
 *
 * @example
 * ```ts
 * const t = setTimeout(() => {}, 100).unref();
 * clearTimeout(t);
 * ```
 */
export function setTimeout(
  fn: (...a: unknown[]) => void,
  ms?: number,
  ...args: unknown[]
): TimerHandle {
  return handle(nativeSetTimeout(fn, ms, ...args));
}

/** `setInterval` returning a handle with `unref()` (Node style). */
export function setInterval(
  fn: (...a: unknown[]) => void,
  ms?: number,
  ...args: unknown[]
): TimerHandle {
  return handle(nativeSetInterval(fn, ms, ...args));
}

const immediates = new Map<number, () => void>();
let nextImmediate = 1;
let channel: InstanceType<typeof MessageChannel> | undefined;

/** Runs the queued callbacks in one macrotask (after I/O callbacks already queued). */
function flush(): void {
  const batch = [...immediates.values()];
  immediates.clear();
  for (const fn of batch) fn();
}

/**
 * `setImmediate` on a MessageChannel: a macrotask without `setTimeout`'s 4 ms clamp.
 *
 * @example
 * ```ts
 * const id = setImmediate(() => console.log("next turn"));
 * clearImmediate(id);
 * ```
 */
export function setImmediate(fn: (...a: unknown[]) => void, ...args: unknown[]): number {
  if (!channel) {
    channel = new MessageChannel();
    // Setting onmessage (rather than addEventListener) also starts the port in a page.
    (channel.port1 as unknown as { onmessage: (() => void) | null }).onmessage = flush;
    // Node (unit tests) must not be kept alive by the port.
    (channel.port1 as unknown as { unref?: () => void }).unref?.();
  }
  const id = nextImmediate++;
  if (immediates.size === 0) channel.port2.postMessage(0);
  immediates.set(id, () => fn(...args));
  return id;
}

/** Cancels a pending {@link setImmediate}. */
export function clearImmediate(id: number | undefined): void {
  if (id !== undefined) immediates.delete(id);
}
