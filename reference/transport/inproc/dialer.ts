import { tcpDialerCompiled } from "../../../spec/machines/tcp-dialer.ts";
import { BaseDialer, type DialAttempt } from "../../core/base-dialer.ts";
import { SPError } from "../../core/errors.ts";
import type { PipeHost } from "../../core/transport.ts";
import { findListener, type InprocListener, waitForListener } from "./listener.ts";
import { InprocPipe, type InprocPipeMachine } from "./pipe.ts";

/** The compiled `tcp-dialer` table, which inproc dialers follow (draft-sp-inproc §Dialer Machine). */
export type InprocDialerMachine = typeof tcpDialerCompiled;

/**
 * An in-process dialer driven by the `tcp-dialer` actor. Its `connect` joins
 * the listener bound to the name, or waits until one binds (SP-INPROC-5);
 * after the pipe ends it waits the reconnection interval and connects again
 * (SP-INPROC-6). With `failFast` there is no waiting: no listener bound at the
 * first attempt is ECONNREFUSED (as nng's inproc dial), `connected` rejects
 * and the dialer closes. A join refused by the protocol check is an `error`
 * event (EPROTO).
 *
 * @example
 * ```ts
 * const d = new InprocDialer("jobs", socket); // works before the listener exists
 * await d.connected;
 * ```
 */
export class InprocDialer extends BaseDialer {
  constructor(
    name: string,
    host: PipeHost,
    machines: {
      dialer?: InprocDialerMachine;
      pipe?: InprocPipeMachine;
      start?: boolean;
      failFast?: boolean;
    } = {},
  ) {
    super(`inproc://${name}`, host, (turn) => joinListener(turn, name, host, machines.pipe), {
      machine: machines.dialer ?? tcpDialerCompiled,
      start: machines.start,
      failFast: machines.failFast,
    });
  }
}

/** One attempt of an {@link InprocDialer}: join the listener bound to `name`, now or once it binds. */
function joinListener(
  turn: DialAttempt,
  name: string,
  host: PipeHost,
  machine: InprocPipeMachine | undefined,
): void {
  // The dialing end exists from the start of the attempt and stays `joining` until a
  // listener takes it; a close meanwhile ends it there (SP-INPROC-10).
  const end = new InprocPipe({
    host,
    machine,
    // SP-INPROC-4: before it attached, one of the ends refused the other's protocol.
    onClose: (gone, attached) =>
      turn.pipeClosed(attached, () =>
        gone.closed.then((reason) => reason ?? new SPError("EPROTO", "incompatible peer protocol")),
      ),
  });
  turn.pipe = end;
  const wait = () => waitForListener(name, (l) => queueMicrotask(() => join(l)));
  const join = (listener: InprocListener) => {
    if (turn.stale) return;
    turn.cleanup = undefined;
    if (!listener.isOpen) {
      turn.cleanup = wait();
      return;
    }
    listener.accept(end);
    if (end.isClosed) {
      // SP-INPROC-4: refused by the peer check; the onClose above reports the failure.
      host.count("dialFailed");
      return;
    }
    turn.attached();
  };
  // Joining runs outside the actor's own transition.
  queueMicrotask(() => {
    if (turn.stale) return;
    const now = findListener(name);
    if (now) join(now);
    else if (turn.failsFast) {
      // nng's inproc dial fails at once when nothing is bound; a blocking dial reports it.
      host.count("dialFailed");
      turn.fail(new SPError("ECONNREFUSED", `nothing listens at inproc://${name}`));
    }
    // SP-INPROC-5: no listener yet: connect as soon as one binds the name.
    else turn.cleanup = wait();
  });
}
