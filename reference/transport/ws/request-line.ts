/**
 * SP-WS-22: a listener takes an upgrade request with an empty request target
 * (`GET  HTTP/1.1`, what NNG 1.5.2 sends for a URL without a path) as a request
 * for `/`. Node's HTTP parser rejects that line with 400 before any upgrade
 * handler runs, so each new connection is held back until its first bytes show
 * whether the target is missing; a missing one is filled in with `/`, and the
 * bytes go back into the socket before the server's own handling takes it.
 */
import type { Server } from "node:http";
import type { Duplex } from "node:stream";

/**
 * How many bytes of a request line are enough to decide: a method token of at
 * most 20 characters, two spaces and `HTTP/`. More is never buffered than this
 * plus the one chunk that crossed it.
 */
const PEEK_MAX = 64;

/** A method token (RFC 9110 tchar) followed by two spaces and the version. */
const EMPTY_TARGET = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}) {2}HTTP\//;

/**
 * `head` with an empty request target replaced by `/` (SP-WS-22), or `head`
 * itself when the first line has a target or is not a request line.
 *
 * @example
 * ```ts
 * fillEmptyTarget(Buffer.from("GET  HTTP/1.1\r\n")).toString(); // "GET / HTTP/1.1\r\n"
 * ```
 */
export function fillEmptyTarget(head: Buffer): Buffer {
  const m = EMPTY_TARGET.exec(head.subarray(0, PEEK_MAX).toString("latin1"));
  if (!m) return head;
  const cut = (m[1] as string).length + 1;
  return Buffer.concat([head.subarray(0, cut), Buffer.from("/"), head.subarray(cut)]);
}

/** True once `head` is long enough, or holds a line end, to apply {@link fillEmptyTarget}. */
const decidable = (head: Buffer): boolean => head.length >= PEEK_MAX || head.includes(0x0a);

/**
 * Puts the request-line check in front of `server`'s own listeners for `event`
 * (`connection` for http; `secureConnection` for https, where the bytes are
 * already decrypted, so wss:// is covered too). Call it right after creating
 * the server, before adding other listeners for `event`.
 */
export function acceptEmptyTarget(server: Server, event: "connection" | "secureConnection"): void {
  const inner = server.listeners(event) as ((socket: Duplex) => void)[];
  for (const l of inner) server.off(event, l);
  server.on(event, (socket: Duplex) =>
    peekRequestLine(socket, () => {
      for (const l of inner) l.call(server, socket);
    }),
  );
}

/** Reads the first bytes of `socket`, puts them back (fixed) and calls `handOver`. */
function peekRequestLine(socket: Duplex, handOver: () => void): void {
  let head: Buffer = Buffer.alloc(0);
  const stop = () => {
    socket.off("data", onData);
    socket.off("end", drop);
    socket.off("error", drop);
  };
  // The peer left before sending a request line: nothing to hand over.
  const drop = () => {
    stop();
    socket.destroy();
  };
  const onData = (d: Buffer) => {
    head = head.length === 0 ? d : Buffer.concat([head, d]);
    if (!decidable(head)) return;
    stop();
    socket.pause();
    socket.unshift(fillEmptyTarget(head));
    handOver();
    socket.resume();
  };
  socket.on("data", onData);
  socket.once("end", drop);
  socket.once("error", drop);
}
