/**
 * Request ids of the protocols that match answers to questions: REQ's request
 * ids (draft-sp-reqrep) and SURVEYOR's survey ids (draft-sp-survey) follow the
 * same rules, so one allocator serves both. An id is a 32-bit word with the top
 * bit set, counted up from a random start, and unique among the ids a socket
 * has in use.
 */

/** The bit that marks the last word of a backtrace: every id carries it. */
export const TOP_BIT = 0x80000000;

/**
 * The id after `id`: one more, wrapping from 0xffffffff back to 0x80000000 so
 * the top bit stays set (SP-REQREP-3, SP-SURVEY-3).
 *
 * @example
 * ```ts
 * nextId(0xffffffff); // 0x80000000
 * nextId(0x80000000); // 0x80000001
 * ```
 */
export function nextId(id: number): number {
  return id >= 0xffffffff ? TOP_BIT : id + 1;
}

/** A random id with the top bit set: where a socket starts counting (SP-REQREP-4, SP-SURVEY-4). */
export function randomId(): number {
  return (TOP_BIT | Math.floor(Math.random() * TOP_BIT)) >>> 0;
}

/**
 * True when `msg` starts with the id word `id`: at least 4 bytes, the top bit
 * set, and the same value. False for `id` -1 (nothing outstanding).
 *
 * @example
 * ```ts
 * carriesId(Buffer.from([0x80, 0, 0, 7, 0x68]), 0x80000007); // true
 * ```
 */
export function carriesId(msg: Buffer, id: number): boolean {
  if (msg.length < 4 || id < 0) return false;
  const word = msg.readUInt32BE(0);
  return (word & TOP_BIT) !== 0 && word === id;
}

/**
 * The ids one socket has handed out, each mapped to its owner (a context), so
 * that an answer is routed by the id it carries.
 *
 * @example
 * ```ts
 * const ids = new IdMap<ReqContext>();
 * const id = ids.claim(ctx); // fresh, unique on the socket
 * ids.owner(id);             // ctx
 * ids.release(id);
 * ```
 */
export class IdMap<T> {
  private last = randomId();
  private readonly owners = new Map<number, T>();

  /**
   * A fresh id, now mapped to `owner`: the next one not in use on this socket
   * (SP-REQREP-23 for requests in flight, SP-SURVEY-5 for surveys in progress).
   */
  claim(owner: T): number {
    do this.last = nextId(this.last);
    while (this.owners.has(this.last));
    this.owners.set(this.last, owner);
    return this.last;
  }

  /** Forgets `id`; its late answers then name no owner. */
  release(id: number): void {
    this.owners.delete(id);
  }

  /** The owner of the id `msg` starts with; undefined for a message under 4 bytes or an unknown id. */
  ownerOf(msg: Buffer): T | undefined {
    return msg.length >= 4 ? this.owners.get(msg.readUInt32BE(0)) : undefined;
  }
}
