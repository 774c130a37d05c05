/** Placeholder left in a delivered slot, so the array does not keep the message alive. */
const EMPTY = Buffer.alloc(0);

/**
 * Messages a message-oriented transport (WebSocket) received while its pipe was
 * paused, kept in order until the pipe reads again (SP-FRAMEWORK-22/-23). While
 * `holding`, every new message must go here too, so that none overtakes them.
 *
 * @example
 * ```ts
 * if (held.holding) held.hold(msg); else pipe.onMessage?.(msg);
 * // on resume:
 * if (held.release((m) => pipe.onMessage?.(m), () => gate.paused || closed)) ws.resume();
 * ```
 */
export class HeldMessages {
  /** True from a pause until everything held was handed over with no new pause. */
  holding = false;
  /** Bytes held now. */
  bytes = 0;
  private items: Buffer[] = [];
  private head = 0;

  /** Keeps `msg` behind the ones held already. */
  hold(msg: Buffer): void {
    this.items.push(msg);
    this.bytes += msg.length;
  }

  /**
   * Hands the held messages to `deliver`, oldest first, checking `stop` after each
   * (a new pause, or a close). Returns true when none are left; holding then ends.
   */
  release(deliver: (msg: Buffer) => void, stop: () => boolean): boolean {
    const items = this.items;
    while (this.head < items.length) {
      const msg = items[this.head] as Buffer;
      items[this.head++] = EMPTY;
      this.bytes -= msg.length;
      deliver(msg);
      if (stop()) return false;
    }
    this.clear();
    this.holding = false;
    return true;
  }

  /** Forgets what is held (the pipe closed); `holding` is left as it was. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}
