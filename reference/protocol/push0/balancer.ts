import { defaults } from "../../../spec/constants.ts";
import { SPError } from "../../core/errors.ts";
import type { Pipe } from "../../core/pipe.ts";

/** Send priorities run from 1 (highest) to 16 (lowest); 8 is the default (SP-PIPELINE-7). */
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 16;
export const DEFAULT_PRIORITY: number = defaults.sendPriority;

/** Checks a send priority; EINVAL outside 1..16. */
export function validPriority(p: number): number {
  if (!Number.isInteger(p) || p < MIN_PRIORITY || p > MAX_PRIORITY) {
    throw new SPError("EINVAL", `sendPriority must be an integer in 1..16, got ${p}`);
  }
  return p;
}

/** One priority level: its pipes in rotation order and the rotation cursor. */
interface Level {
  pipes: Pipe[];
  next: number;
}

/**
 * Round robin over writable pipes with send priorities: the best (lowest)
 * priority that has a writable pipe wins, and its writable pipes take turns
 * (SP-PIPELINE-4, SP-PIPELINE-8). With every pipe at the default priority this
 * is plain round robin (SP-PIPELINE-9).
 *
 * @example
 * ```ts
 * const lb = new Balancer();
 * lb.add(pipeA); lb.add(pipeB, 1);
 * lb.pick(); // pipeB while it is writable, else pipeA
 * ```
 */
export class Balancer {
  /** Index = priority - 1; null where no pipe has that priority. */
  private readonly levels: (Level | null)[] = new Array(MAX_PRIORITY).fill(null);
  private readonly priorityOf = new Map<Pipe, number>();

  /** Number of pipes held. */
  get size(): number {
    return this.priorityOf.size;
  }

  add(pipe: Pipe, priority: number = DEFAULT_PRIORITY): void {
    if (this.priorityOf.has(pipe)) return;
    this.priorityOf.set(pipe, priority);
    const i = priority - 1;
    const level = this.levels[i] ?? { pipes: [], next: 0 };
    this.levels[i] = level;
    // A newcomer joins just before the cursor: it gets its turn after the current round.
    level.pipes.push(pipe);
  }

  remove(pipe: Pipe): void {
    const prio = this.priorityOf.get(pipe);
    if (prio === undefined) return;
    this.priorityOf.delete(pipe);
    const level = this.levels[prio - 1] as Level;
    const i = level.pipes.indexOf(pipe);
    level.pipes.splice(i, 1);
    if (level.next > i) level.next--;
    if (level.pipes.length === 0) this.levels[prio - 1] = null;
  }

  /** The priority a pipe was added with. */
  priority(pipe: Pipe): number | undefined {
    return this.priorityOf.get(pipe);
  }

  /** The next writable pipe by priority and rotation, or undefined when none is writable. */
  pick(): Pipe | undefined {
    for (let l = 0; l < MAX_PRIORITY; l++) {
      const level = this.levels[l];
      if (!level) continue;
      const n = level.pipes.length;
      for (let k = 0; k < n; k++) {
        const idx = (level.next + k) % n;
        const pipe = level.pipes[idx] as Pipe;
        // SP-PIPELINE-20: ready only under its send bound (SP-FRAMEWORK-27), so a worker
        // that stopped reading is skipped once its buffers are full.
        if (pipe.writable) {
          level.next = (idx + 1) % n;
          return pipe;
        }
      }
    }
    return undefined;
  }
}
