/** Seeded faults of the transports: TCP, IPC, WebSocket and TLS. */
import type { Fault } from "./types.ts";

const READER = "reference/transport/tcp/frame-reader.ts";
const WS_DIALER = "reference/transport/ws/dialer.ts";
const DIALER_DRIVER = "reference/core/dialer-driver.ts";

export const transportFaults: readonly Fault[] = [
  {
    id: "tcp/peer-protocol-low-byte",
    requirements: ["SP-TCP-6", "SP-TCP-4"],
    description:
      "The handshake checks only the low byte of the peer's 16-bit protocol number (`readUInt8(5)`), so a peer announcing 0x0131 (or 0x1031) is taken for REP.",
    families: ["tcp", "reqrep", "ipc", "tls"],
    observe:
      "a peer whose header announces the right low byte with a non-zero high byte (e.g. 0x0131 to a REQ) must be disconnected",
    patch: [
      {
        file: "reference/transport/tcp/pipe.ts",
        search: "          host.isPeerCompatible(event.arg.readUInt16BE(4)) ||",
        replace: "          host.isPeerCompatible(event.arg.readUInt8(5)) ||",
      },
    ],
  },
  {
    id: "tcp/length-high-word-dropped",
    requirements: ["SP-TCP-8", "SP-TCP-11"],
    description:
      "The frame reader takes only the low 32 bits of the 64-bit length: a frame announcing 2^32 + n bytes is read as an n-byte message instead of closing the connection as oversize.",
    families: ["tcp", "reqrep", "ipc"],
    observe:
      "send a frame whose length has the high word set (e.g. 00 00 00 01 00 00 00 02 then 2 bytes): the connection must close and nothing be delivered",
    patch: [
      {
        file: READER,
        search: "    const length = hi * TWO_POW_32 + lo;",
        replace: "    const length = lo + 0 * hi * TWO_POW_32;",
      },
    ],
  },
  {
    id: "tcp/size-limit-inclusive",
    requirements: ["SP-TCP-10", "SP-TCP-11"],
    description:
      "The receive limit is applied with `>=`: a message of exactly recv-size-max bytes closes the connection.",
    families: ["tcp", "reqrep", "ipc", "tls"],
    observe:
      "with recv-size-max N, a frame of exactly N bytes is delivered and one of N+1 closes the connection",
    patch: [
      {
        file: READER,
        search: "    if ((limit > 0 && length > limit) || length > bufferConstants.MAX_LENGTH) {",
        replace: "    if ((limit > 0 && length >= limit) || length > bufferConstants.MAX_LENGTH) {",
      },
    ],
  },
  {
    id: "ipc/frame-type-top-bit-ignored",
    requirements: ["SP-IPC-6"],
    description:
      "The IPC frame reader masks the type byte's top bit before comparing it with 0x01, so a frame of type 0x81 is read as a message.",
    families: ["ipc"],
    observe: "send an IPC frame with type byte 0x81: the connection must close",
    patch: [
      {
        file: READER,
        search: "        if (type !== this.frameType) {",
        replace: "        if ((type & 0x7f) !== this.frameType) {",
      },
    ],
  },
  {
    id: "ws/dialer-drops-query",
    requirements: ["SP-WS-14"],
    description:
      "The WebSocket dialer requests the URL's path without its query (`ws://h:p/svc?x=1` asks for `/svc`).",
    families: ["ws"],
    observe:
      "dial `ws://suite:port/path?x=1` at a suite server: the upgrade's request target must be `/path?x=1`",
    patch: [
      {
        file: WS_DIALER,
        search:
          "  const ws = new WebSocket(url.text, [subprotocolName(host.identity.peerName)], options);",
        replace:
          '  const ws = new WebSocket(url.text.split("?")[0] as string, [subprotocolName(host.identity.peerName)], options);',
      },
    ],
  },
  {
    id: "ws/dialer-drops-path",
    requirements: ["SP-WS-14", "SP-WS-1"],
    description:
      "The WebSocket dialer connects to the URL's host and port and always asks for `/`, losing the path.",
    families: ["ws"],
    observe:
      "dial `ws://suite:port/some/path` at a suite server: the request target must be `/some/path`",
    patch: [
      {
        file: WS_DIALER,
        search:
          "  const ws = new WebSocket(url.text, [subprotocolName(host.identity.peerName)], options);",
        replace:
          '  const ws = new WebSocket(url.text.replace(/^(wss?:\\/\\/[^/?]*).*$/, "$1/"), [subprotocolName(host.identity.peerName)], options);',
      },
    ],
  },
  {
    id: "ws/listener-falls-back-to-any-path",
    requirements: ["SP-WS-13"],
    description:
      "The WebSocket listener hands an upgrade for an unknown path to the first socket listening on the port instead of refusing it with 404.",
    families: ["ws"],
    observe:
      "upgrade at a path no socket listens on (same port as a listening one): refused, no 101",
    patch: [
      {
        file: "reference/transport/ws/http-registry.ts",
        search: "    const route = routes.get(pathOf(req.url));",
        replace: "    const route = routes.get(pathOf(req.url)) ?? [...routes.values()][0];",
      },
    ],
  },
  {
    id: "tls/dialer-skips-host-check",
    requirements: ["SP-TLS-7", "SP-TLS-8"],
    description:
      "The TLS dialer verifies the server's chain but not that the certificate names the URL's host (its checkServerIdentity accepts anything).",
    families: ["tls"],
    observe:
      "dial a TLS server whose certificate, trusted by the IUT, names another host: the dial must fail (EPEERAUTH), no SP header sent",
    patch: [
      {
        file: "reference/transport/tls/index.ts",
        search:
          "        checkServerIdentity: (_host, cert) => checkServerIdentity(expected, cert),",
        replace: "        checkServerIdentity: () => undefined,",
      },
    ],
  },
  {
    id: "tcp/dialer-backoff-grows-without-max",
    requirements: ["SP-TCP-13"],
    description:
      "The dialer doubles its reconnection interval after every failure even when no maximum is set, taking the default maximum of zero for 'no limit' instead of 'no growth': after a few seconds of refusals it retries only every few seconds.",
    families: ["tcp"],
    observe:
      "refuse a dialer with reconnect-time-min 100 ms for 4.5 s, then listen: it must connect within about the minimum",
    patch: [
      {
        file: DIALER_DRIVER,
        search:
          "            reconnectMax > 0\n              ? Math.max(reconnectMin, Math.min(this.backoff * 2, reconnectMax))\n              : reconnectMin;",
        replace:
          "            reconnectMax > 0\n              ? Math.max(reconnectMin, Math.min(this.backoff * 2, reconnectMax))\n              : this.backoff * 2;",
      },
    ],
  },
  {
    id: "tcp/dialer-backoff-not-reset",
    requirements: ["SP-TCP-13"],
    description:
      "A connection that got through leaves the reconnection interval where the refusals before it grew it, so after a dropped connection the dialer waits the maximum before it comes back.",
    families: ["tcp"],
    observe:
      "grow a dialer's interval with refusals (min 100 ms, max 2 s), let it connect, drop the connection: it must come back within about the minimum",
    patch: [
      {
        file: DIALER_DRIVER,
        search:
          "        resetBackoff: () => {\n          this.backoff = host.options.reconnectMin;\n        },",
        replace: "        resetBackoff: () => {},",
      },
    ],
  },
];
