/**
 * The pause/resume bookkeeping every transport's pipe shares (SP-FRAMEWORK-22,
 * SP-FRAMEWORK-23): `pause` takes effect at once; `resume` never runs the
 * transport's delivery within the caller's call but from a microtask, once,
 * however many times it was asked for, and not at all when the pipe was paused
 * again or closed meanwhile.
 *
 * @example
 * ```ts
 * const gate = new ReadGate(() => this.closedFlag, () => this.deliverHeldThenRead());
 * pauseReading() { if (gate.pause()) socket.pause(); }
 * resumeReading() { gate.resume(); }
 * ```
 */
export class ReadGate {
  /** True from `pause` until the next `resume`. */
  paused = false;
  private queued = false;
  private readonly run = () => {
    this.queued = false;
    if (!this.paused && !this.isClosed()) this.onResume();
  };

  /**
   * @param isClosed true once the pipe is closed (pause and resume are then no-ops)
   * @param onResume hands over what the transport held and reads again; called from a microtask
   */
  constructor(
    private readonly isClosed: () => boolean,
    private readonly onResume: () => void,
  ) {}

  /** Stops reading; returns false (and does nothing) when already paused or closed. */
  pause(): boolean {
    if (this.paused || this.isClosed()) return false;
    this.paused = true;
    return true;
  }

  /** Schedules `onResume` after a pause (idempotent). */
  resume(): void {
    if (!this.paused || this.isClosed()) return;
    this.paused = false;
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(this.run);
  }
}
