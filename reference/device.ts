import { isSPError, SPError } from "./core/errors.ts";
import { isRawSocket, type RawMessage, type RawSocket } from "./protocol/raw/raw-socket.ts";

/** What {@link device} reports when it stops. */
export interface DeviceResult {
  /** Messages forwarded from `a` to `b`. */
  readonly aToB: number;
  /** Messages forwarded from `b` to `a` (or `a` to itself for a one-socket device). */
  readonly bToA: number;
}

/**
 * Forwards messages between two raw sockets, as nng's `nng_device`: in both
 * directions, or in the one direction a one-way protocol allows (a raw SUB or
 * PULL on `a` into a raw PUB or PUSH on `b`, or the reverse). Headers travel
 * with the messages, so a device between a raw REP and a raw REQ adds one
 * backtrace word per hop and replies find their way back. With one socket
 * (`b` omitted) it reflects messages among that socket's peers (raw BUS, PAIR).
 *
 * It holds one message per direction and buffers nothing else: a destination
 * that cannot take a message (a raw PUSH or REQ with no ready pipe and its
 * send buffer full, a raw PAIR whose peer is not ready) makes it stop taking
 * from the source, whose pipes' receive buffers then fill and stop being read
 * (SP-FRAMEWORK-22), so the senders see the slow destination. Destinations
 * that skip a pipe that is not ready (PUB, BUS, SURVEYOR) drop for that pipe
 * instead, as their protocols say. Receive and send timeouts do not stop it,
 * and a send that timed out is retried, not lost.
 *
 * Runs until either socket closes; resolves with the counts. It does not close
 * the other socket. EINVAL when a socket is not raw or the protocols don't pair
 * (`a`'s peer must be `b`'s protocol).
 *
 * @example
 * ```ts
 * const front = xrep0(), back = xreq0();
 * await front.listen("tcp://127.0.0.1:5555");
 * back.dial("tcp://127.0.0.1:5556");
 * void device(front, back); // REQ clients → front → back → REP servers, and back
 * ```
 */
export async function device(a: RawSocket, b: RawSocket = a): Promise<DeviceResult> {
  if (!isRawSocket(a) || !isRawSocket(b)) {
    throw new SPError("EINVAL", "device needs raw sockets (xreq0(), xrep0(), ...)");
  }
  if (a.identity.peer !== b.identity.self || b.identity.peer !== a.identity.self) {
    throw new SPError(
      "EINVAL",
      `device: ${a.identity.name} and ${b.identity.name} are not peer protocols`,
    );
  }
  const stop = new AbortController();
  const counts = { aToB: 0, bToA: 0 };
  // Either socket closing stops both directions (a pending recv on the other is cancelled).
  for (const s of [a, b]) {
    if (s.closeSignal.aborted) stop.abort();
    else s.closeSignal.addEventListener("abort", () => stop.abort(), { once: true });
  }
  // One message in hand per direction, never more: the device takes the next one only
  // once the destination took this one, so a destination that cannot take messages
  // (no ready pipe, its send buffer full) stops the device taking from the source, whose
  // pipe buffers then fill and stop being read (SP-FRAMEWORK-22): backpressure carries
  // through to the senders, and nothing is buffered without bound.
  const withStop = { signal: stop.signal };
  const pump = async (from: RawSocket, to: RawSocket, key: "aToB" | "bToA") => {
    try {
      for (;;) {
        let m: RawMessage;
        try {
          m = await from.recvMsg(withStop);
        } catch (e) {
          // A receive timeout (recvTimeout set) is no reason to stop.
          if (isSPError(e, "ETIMEDOUT") && !stop.signal.aborted) continue;
          throw e;
        }
        for (;;) {
          try {
            await to.sendMsg(m, withStop);
            break;
          } catch (e) {
            // A send timeout (sendTimeout set) neither stops the device nor loses the message;
            // ECANCELED: the device stopped while the destination had no room.
            if (isSPError(e, "ETIMEDOUT") && !stop.signal.aborted && !to.isClosed) continue;
            throw e;
          }
        }
        counts[key]++;
      }
    } catch (e) {
      // ECLOSED: one side closed; ECANCELED: the other pump stopped.
      if (!isSPError(e)) throw e;
    } finally {
      stop.abort();
    }
  };
  const pumps: Promise<void>[] = [];
  if (b === a) {
    if (a.canRecv && a.canSend) pumps.push(pump(a, a, "bToA"));
  } else {
    if (a.canRecv && b.canSend) pumps.push(pump(a, b, "aToB"));
    if (b.canRecv && a.canSend) pumps.push(pump(b, a, "bToA"));
  }
  if (pumps.length === 0) throw new SPError("EINVAL", "device: nothing can flow between these");
  await Promise.all(pumps);
  return counts;
}
