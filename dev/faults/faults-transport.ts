/** Seeded faults of the transports: TCP, IPC, inproc, WebSocket and TLS. */
import type { Fault } from "./types.ts";

const READER = "reference/transport/tcp/frame-reader.ts";
const WS_DIALER = "reference/transport/ws/dialer.ts";
const DIALER_DRIVER = "reference/core/dialer-driver.ts";
const IPC_PATH = "reference/transport/ipc/path.ts";
const INPROC_LISTENER = "reference/transport/inproc/listener.ts";
const TCP_PIPE = "reference/transport/tcp/pipe.ts";

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
  {
    id: "ipc/zero-length-frame-dropped",
    requirements: ["SP-IPC-7", "SP-TCP-9"],
    description:
      "The frame reader takes a frame announcing zero bytes for a keep-alive and skips it, so an empty message never reaches the protocol (the next frame is read as usual).",
    families: ["ipc"],
    observe:
      "send a zero-length IPC frame and then a non-empty one to a PAIR v0: both must be delivered, the empty one first",
    patch: [
      {
        file: READER,
        search:
          "      // SP-TCP-9: a zero-length frame is a valid, empty message.\n      this.state = this.frameStart;\n      this.h.onFrame(Buffer.alloc(0));\n      return;",
        replace: "      this.state = this.frameStart;\n      return;",
      },
    ],
  },
  {
    id: "ipc/stale-socket-file-kept",
    requirements: ["SP-IPC-9"],
    description:
      "The listener probes a socket file it finds at its path but never removes it when the probe is refused, so after a crash the path stays unusable (EADDRINUSE) until someone deletes the file.",
    families: ["ipc"],
    observe:
      "leave a socket file nobody listens on (a killed listener's) and listen on its path: the bind must succeed",
    patch: [
      {
        file: IPC_PATH,
        search:
          "  // SP-IPC-9: the socket file is stale; remove it so the bind can succeed.\n  await unlink(path).catch(() => {});\n",
        replace: "",
      },
    ],
  },
  {
    id: "ipc/unlink-before-bind",
    requirements: ["SP-IPC-10"],
    description:
      "The listener removes whatever is at its path before binding (`rm -f` then bind), so a second listener takes the path over from a live one, and a regular file there is deleted.",
    families: ["ipc"],
    observe:
      "listen on a path where another socket listens: the bind must fail with EADDRINUSE and the first listener keep the path",
    patch: [
      {
        file: IPC_PATH,
        search: '  if (process.platform === "win32") return; // named pipes leave no file behind\n',
        replace:
          '  if (process.platform === "win32") return; // named pipes leave no file behind\n  await unlink(path).catch(() => {});\n',
      },
    ],
  },
  {
    id: "ipc/non-socket-file-removed",
    requirements: ["SP-IPC-10"],
    description:
      "The stale-file check probes whatever file is at the path without looking at its type; a connect to a regular file is refused, so the file is taken for a stale socket and deleted.",
    families: ["ipc"],
    observe:
      "put a regular file at the path and listen there: the bind must fail with EADDRINUSE and the file stay as it was",
    patch: [
      {
        file: IPC_PATH,
        search:
          '  if (!isSocket) throw new SPError("EADDRINUSE", `\u0024{path} exists and is not a socket`);\n',
        replace: "  void isSocket;\n",
      },
    ],
  },
  {
    id: "inproc/bind-replaces-holder",
    requirements: ["SP-INPROC-2"],
    description:
      "Binding an inproc name does not check the registry: a second listener silently takes the name over from the first, and later dialers reach the newcomer.",
    families: ["inproc"],
    observe: "bind a name twice in one process: the second bind must fail with EADDRINUSE",
    patch: [
      {
        file: INPROC_LISTENER,
        search:
          '    if (bound.has(name)) throw new SPError("EADDRINUSE", `inproc://\u0024{name} is already bound`);\n',
        replace: "",
      },
    ],
  },
  {
    id: "inproc/dial-unbound-fails-permanently",
    requirements: ["SP-INPROC-5"],
    description:
      "Every inproc dialer behaves like a blocking dial: when no listener holds the name at its first attempt it fails with ECONNREFUSED and closes, instead of waiting (or retrying) until a listener binds the name.",
    families: ["inproc"],
    observe:
      "dial a name nobody has bound, then bind it: the dialer must connect and a message go through",
    patch: [
      {
        file: "reference/transport/inproc/index.ts",
        search: "        failFast: options?.failFast,\n",
        replace: "        failFast: true,\n",
      },
    ],
  },
  {
    id: "inproc/listener-close-keeps-name",
    requirements: ["SP-INPROC-6"],
    description:
      "Closing an inproc listener closes its pipes but leaves its name in the registry, so the name cannot be bound again (EADDRINUSE) and the dialers whose pipes it closed never come back.",
    families: ["inproc"],
    observe:
      "close the listener of a name a dialer is connected to, bind the name again: the bind must succeed and the dialer reach the new listener",
    patch: [
      {
        file: INPROC_LISTENER,
        search: "    if (bound.get(this.name) === this) bound.delete(this.name);\n",
        replace: "",
      },
    ],
  },
  {
    id: "inproc/close-not-propagated",
    requirements: ["SP-INPROC-10"],
    description:
      "Closing one end of an inproc pipe marks that end closed but does not tell the other end, which stays attached to its socket as a pipe that nothing will ever arrive on.",
    families: ["inproc"],
    observe:
      "close the dialing PAIR v0 of a pipe: the listening PAIR must take a new partner; close the listener: the dialer must reach a listener bound again",
    patch: [
      {
        file: "reference/transport/inproc/pipe.ts",
        search: "    if (other) queueMicrotask(() => other.otherClosed());\n",
        replace: "",
      },
    ],
  },
  {
    id: "tcp/magic-version-byte-ignored",
    requirements: ["SP-TCP-3"],
    description:
      "The handshake takes byte 3 of the header for a version number and checks only `00 53 50`, so a peer whose header starts `00 53 50 01` is accepted.",
    families: ["reqrep", "tcp"],
    observe: "send a header starting 00 53 50 01: the connection must close",
    patch: [
      {
        file: TCP_PIPE,
        search:
          '          return SP_HEADER_MAGIC.every((b, i) => h[i] === b) || rejectHeader("bad SP magic");',
        replace:
          '          return SP_HEADER_MAGIC.every((b, i) => i === 3 || h[i] === b) || rejectHeader("bad SP magic");',
      },
    ],
  },
  {
    id: "tcp/accepted-side-header-waits",
    requirements: ["SP-TCP-1"],
    description:
      "The accepting side sends its connection header only in answer to the dialer's, as a server answers a request; a dialer that waits for the listener's header first (as the draft allows) never gets one. Two reference sockets still connect, since their dialer speaks first.",
    families: ["reqrep", "tcp", "ipc"],
    observe: "connect to a listening IUT and send nothing: its 8-byte header must arrive at once",
    patch: [
      {
        file: TCP_PIPE,
        search:
          "          const self = host.identity.self;\n          socket.write(\n            Buffer.from([...SP_HEADER_MAGIC, self >> 8, self & 0xff, 0, 0]),\n            this.writtenBound,\n          );\n",
        replace:
          "          const self = host.identity.self;\n          const hello = () =>\n            socket.write(\n              Buffer.from([...SP_HEADER_MAGIC, self >> 8, self & 0xff, 0, 0]),\n              this.writtenBound,\n            );\n          if (opts.onAttach) hello();\n          else answerHeader = hello;\n",
      },
      {
        file: TCP_PIPE,
        search: '        onHeader: (header) => this.lifecycle({ type: "header", arg: header }),\n',
        replace:
          '        onHeader: (header) => {\n          answerHeader?.();\n          answerHeader = undefined;\n          this.lifecycle({ type: "header", arg: header });\n        },\n',
      },
      {
        file: TCP_PIPE,
        search: "    const rejectHeader = (why: string) => {\n",
        replace:
          "    let answerHeader: (() => void) | undefined;\n    const rejectHeader = (why: string) => {\n",
      },
    ],
  },
  {
    id: "ws/server-accepts-any-sp-subprotocol",
    requirements: ["SP-WS-4"],
    description:
      "The WebSocket listener checks only that the client offers some SP subprotocol (`*.sp.nanomsg.org`), not its own protocol's name, so a REP listener completes the upgrade for a client offering `req.sp.nanomsg.org`.",
    families: ["ws"],
    observe:
      "offer `req.sp.nanomsg.org` (another protocol's name) to a REP listener: the upgrade must be refused without 101",
    patch: [
      {
        file: "reference/transport/ws/pipe-core.ts",
        search: "          return Array.isArray(arg) ? arg.includes(expected) : arg === expected;",
        replace:
          '          return Array.isArray(arg)\n            ? arg.some((o) => o.endsWith(".sp.nanomsg.org"))\n            : arg === expected;',
      },
    ],
  },
  {
    id: "ws/listener-ignores-recv-size-max",
    requirements: ["SP-WS-11"],
    description:
      "Only the WebSocket dialer passes recv-size-max to its connections; the listener's shared server keeps the library's own 100 MiB limit, so a message over recv-size-max sent to a listening socket is delivered.",
    families: ["ws"],
    observe:
      "with recv-size-max 1024 on a listening REP, send a 2 KiB message: the connection must close with 1009 and nothing be delivered",
    patch: [
      {
        file: "reference/transport/ws/listener.ts",
        search: "            wss.options.maxPayload = host.options.recvMaxSize;\n",
        replace: "",
      },
    ],
  },
  {
    id: "tcp/reserved-high-byte-unchecked",
    requirements: ["SP-TCP-5"],
    description:
      "The header check reads the reserved field's low byte only (`h[7]`, as for a small 16-bit number), so a peer whose header ends `00 01` is refused but one ending `01 00` is accepted.",
    families: ["tcp", "reqrep"],
    observe:
      "send a header whose byte 7 is non-zero and byte 6 zero (reserved 00 01) and one with byte 6 non-zero (01 00): both connections should close",
    patch: [
      {
        file: TCP_PIPE,
        search:
          '          return (h[6] === 0 && h[7] === 0) || rejectHeader("reserved header bytes not zero");',
        replace: '          return h[7] === 0 || rejectHeader("reserved header bytes not zero");',
      },
    ],
  },
  {
    id: "tcp/header-version-in-reserved",
    requirements: ["SP-TCP-16", "SP-IPC-4"],
    description:
      "The connection header carries a 'header version' 1 in its last byte (reserved bytes 00 01), and the reserved check skips that byte so two such implementations still talk.",
    families: ["reqrep", "tcp", "ipc"],
    observe:
      "read the IUT's header without sending one: bytes 6 and 7 must be 00 00 (over TCP and over IPC)",
    patch: [
      {
        file: TCP_PIPE,
        search: "            Buffer.from([...SP_HEADER_MAGIC, self >> 8, self & 0xff, 0, 0]),\n",
        replace: "            Buffer.from([...SP_HEADER_MAGIC, self >> 8, self & 0xff, 0, 1]),\n",
      },
      {
        file: TCP_PIPE,
        search:
          '          return (h[6] === 0 && h[7] === 0) || rejectHeader("reserved header bytes not zero");',
        replace: '          return h[6] === 0 || rejectHeader("reserved header bytes not zero");',
      },
    ],
  },
  {
    id: "tcp/default-recv-max-decimal",
    requirements: ["SP-TCP-18"],
    description:
      "The default receive limit is written as 1 MB in decimal (1 000 000 bytes) instead of 1 MiB, so a 1 MiB message is refused by a socket left at its defaults.",
    families: ["reqrep", "tcp"],
    observe:
      "at a REP left at its defaults, send a frame of exactly 1048576 bytes: it must be delivered",
    patch: [
      {
        file: "reference/core/options.ts",
        search: "    default: defaults.recvMaxSize,\n",
        replace: "    default: 1_000_000,\n",
      },
    ],
  },
  {
    id: "tcp/handshake-timer-dialer-only",
    requirements: ["SP-TCP-7", "SP-IPC-4"],
    description:
      "The handshake timer is armed only on connections the socket dialed (the ones with an attach callback); an accepted connection whose peer never sends its header stays open for good.",
    families: ["tcp", "reqrep", "ipc"],
    observe:
      "connect to a listening IUT (handshake-timeout shortened) and send nothing: the connection should close after about the timeout",
    patch: [
      {
        file: TCP_PIPE,
        search: "        handshakeTimeout: () => host.options.handshakeTimeout,\n",
        replace:
          "        handshakeTimeout: () => (opts.onAttach ? host.options.handshakeTimeout : 2 ** 31 - 1),\n",
      },
    ],
  },
  {
    id: "ipc/path-length-in-characters",
    requirements: ["SP-IPC-2"],
    description:
      "The IPC path limit is checked on the string's length in UTF-16 units instead of its bytes, so a path of 90 characters that takes 150 bytes in UTF-8 passes the check and the platform silently truncates it at bind.",
    families: ["ipc"],
    observe:
      "listen on a path whose byte length is over the socket address limit but whose character count is under it: the listen must fail and no (truncated) socket file appear",
    patch: [
      {
        file: "reference/core/url.ts",
        search: '  if (scheme === "ipc" && Buffer.byteLength(rest) > IPC_PATH_MAX) {',
        replace: '  if (scheme === "ipc" && rest.length > IPC_PATH_MAX) {',
      },
    ],
  },
  {
    id: "inproc/peer-check-skipped",
    requirements: ["SP-INPROC-4"],
    description:
      "Both ends of an inproc pipe live in one process, so the join takes the protocols for granted and skips the peer check: a PUB dialing a PULL is joined and its messages delivered.",
    families: ["inproc"],
    observe: "dial a PULL's name from a PUB and publish: the PULL must receive nothing",
    patch: [
      {
        file: "reference/transport/inproc/pipe.ts",
        search: "          if (host.isPeerCompatible(event.arg)) return true;\n",
        replace: "          if (event.arg >= 0) return true;\n",
      },
    ],
  },
  {
    id: "inproc/in-flight-not-counted",
    requirements: ["SP-INPROC-12"],
    description:
      "An inproc end never adds what it sends to its in-flight count, so it is always ready: a PUSH goes on handing messages to a PULL that reads nothing, without bound.",
    families: ["inproc"],
    observe:
      "push to a PULL that does not read: after about the send bound the PUSH must stop being ready (sends time out)",
    patch: [
      {
        file: "reference/transport/inproc/pipe.ts",
        search: "    this.inFlight += msg.length;\n",
        replace: "",
      },
    ],
  },
  {
    id: "inproc/names-case-folded",
    requirements: ["SP-INPROC-1"],
    description:
      "inproc names are folded to lower case, as if they were host names, so `inproc://Jobs` and `inproc://jobs` are one address: the second bind fails and a dialer of one reaches the listener of the other.",
    families: ["inproc"],
    observe:
      "bind two names that differ only in case on two sockets: both binds must succeed and a dialer of each reach only its own listener",
    patch: [
      {
        file: "reference/transport/inproc/index.ts",
        search: '      InprocListener.bind(url.path ?? "", host, machines.pipe),',
        replace: '      InprocListener.bind((url.path ?? "").toLowerCase(), host, machines.pipe),',
      },
      {
        file: "reference/transport/inproc/index.ts",
        search: '      new InprocDialer(url.path ?? "", host, {',
        replace: '      new InprocDialer((url.path ?? "").toLowerCase(), host, {',
      },
    ],
  },
  {
    id: "tls/client-cert-not-enforced",
    requirements: ["SP-TLS-10"],
    description:
      "A listener that requires client certificates asks for one (`requestCert`) but leaves node's `rejectUnauthorized` off, so a client that presents none (or one that does not verify) still gets a session and an SP pipe.",
    families: ["tls"],
    observe:
      "with requireClientCert, connect with no client certificate: the IUT must close the connection and never send its SP header",
    patch: [
      {
        file: "reference/transport/tls/index.ts",
        search: "        rejectUnauthorized: tls.requireClientCert === true,\n",
        replace: "        rejectUnauthorized: false,\n",
      },
    ],
  },
  {
    id: "tls/handshake-unbounded",
    requirements: ["SP-TLS-13"],
    description:
      "The TLS listener bounds only the SP header exchange, which starts once the TLS session is up; the TLS handshake itself gets no timeout, so a client that stops in the middle of its ClientHello holds the connection for good.",
    families: ["tls"],
    observe:
      "send half a ClientHello and stop: the IUT must close the connection within its handshake timeout",
    patch: [
      {
        file: "reference/transport/tls/index.ts",
        search: "        handshakeTimeout: host.options.handshakeTimeout,\n",
        replace: "",
      },
    ],
  },
  {
    id: "tls/client-error-keeps-socket",
    requirements: ["SP-TLS-13"],
    description:
      "The listener counts failed TLS handshakes in a tlsClientError handler but does not destroy the socket; node leaves closing to the handler, so a timed-out handshake leaves the connection open (the reference had this bug until 2026-12-08).",
    families: ["tls"],
    observe:
      "send half a ClientHello and stop: the IUT must close the connection within its handshake timeout",
    patch: [
      {
        file: "reference/transport/tls/index.ts",
        search: "      socket.destroy();\n    });",
        replace: "      void socket;\n    });",
      },
    ],
  },
  {
    id: "tls/listener-allows-tls1",
    requirements: ["SP-TLS-2"],
    description:
      "For the sake of old clients the TLS listener is configured with `minVersion: TLSv1` and OpenSSL's security level 0, so a client that offers only TLS 1.0 or 1.1 gets a session.",
    families: ["tls"],
    observe: "connect to a TLS listener offering only TLS 1.0/1.1: the handshake must fail",
    patch: [
      {
        file: "reference/transport/tls/index.ts",
        search:
          "        ca: tls.ca,\n        minVersion: MIN_VERSION,\n        // SP-TLS-17: optional client certificates; SP-TLS-10: required ones are enforced.\n",
        replace:
          '        ca: tls.ca,\n        minVersion: "TLSv1",\n        ciphers: "DEFAULT:@SECLEVEL=0",\n        // SP-TLS-17: optional client certificates; SP-TLS-10: required ones are enforced.\n',
      },
    ],
  },
  {
    id: "ws/subprotocol-refusal-403",
    requirements: ["SP-WS-23"],
    description:
      "The WebSocket listener refuses a client that does not offer its subprotocol with HTTP 403 Forbidden instead of 400 Bad Request.",
    families: ["ws"],
    observe:
      "offer no subprotocol (or a foreign one) to an IUT listener: the refusal should carry status 400",
    patch: [
      {
        file: "reference/transport/ws/pipe.ts",
        search:
          '      s.end("HTTP/1.1 400 Bad Request\\r\\nConnection: close\\r\\nContent-Length: 0\\r\\n\\r\\n");',
        replace:
          '      s.end("HTTP/1.1 403 Forbidden\\r\\nConnection: close\\r\\nContent-Length: 0\\r\\n\\r\\n");',
      },
    ],
  },
  {
    id: "ws/local-close-going-away",
    requirements: ["SP-WS-19"],
    description:
      "A pipe closed because its socket or listener closes sends status 1001 (going away) in its Close frame instead of 1000.",
    families: ["ws"],
    observe: "close a socket with an open WebSocket pipe: the Close frame should carry 1000",
    patch: [
      {
        file: "reference/transport/ws/pipe-core.ts",
        search:
          '          this.closeWith(WS_CLOSE.normal, "", event.arg instanceof SPError ? event.arg : undefined),',
        replace:
          '          this.closeWith(1001, "", event.arg instanceof SPError ? event.arg : undefined),',
      },
    ],
  },
  {
    id: "ws/empty-target-refused",
    requirements: ["SP-WS-22"],
    description:
      "The WebSocket listener leaves the request line to node's HTTP parser, which refuses `GET  HTTP/1.1` (an empty request target, what nng 1.5.2 sends for a URL without a path) with 400.",
    families: ["ws"],
    observe:
      "send an upgrade whose request target is empty to a listener on `/`: it should complete as for `/`",
    patch: [
      {
        file: "reference/transport/ws/http-registry.ts",
        search:
          '  acceptEmptyTarget(server, scheme === "wss" ? "secureConnection" : "connection");\n',
        replace: "",
      },
    ],
  },
  {
    id: "ws/request-wait-unbounded",
    requirements: ["SP-WS-17"],
    description:
      "The WebSocket listener times the upgrade only once the request has arrived (the pipe's machine); a connection that never finishes its request is left to node's HTTP header timeout (60 s, checked every 30 s).",
    families: ["ws"],
    observe:
      "open a connection to a WebSocket listener (handshake-timeout shortened) and send half a request: it should be closed after about the timeout",
    patch: [
      {
        file: "reference/transport/ws/http-registry.ts",
        search:
          "    const t = setTimeout(() => socket.destroy(), ep.handshakeMs);\n    t.unref();\n",
        replace: "    const t = setTimeout(() => {}, ep.handshakeMs);\n    t.unref();\n",
      },
    ],
  },
  {
    id: "ws/no-auto-pong",
    requirements: ["SP-WS-12"],
    description:
      "The WebSocket endpoints turn off the library's automatic PONG (`autoPong: false`), meaning to answer pings themselves, and never do: a PING goes unanswered.",
    families: ["ws"],
    observe:
      "send a PING to an IUT WebSocket endpoint: a PONG with the same payload must come back",
    patch: [
      {
        file: "reference/transport/ws/listener.ts",
        search: "      perMessageDeflate: false,\n",
        replace: "      perMessageDeflate: false,\n      autoPong: false,\n",
      },
      {
        file: WS_DIALER,
        search: "    perMessageDeflate: false,\n",
        replace: "    perMessageDeflate: false,\n    autoPong: false,\n",
      },
    ],
  },
  {
    id: "ws/close-waits-library-timeout",
    requirements: ["SP-WS-18"],
    description:
      "The closing handshake is bounded only by the ws library's own close timer (30 s): a peer that never answers the Close frame keeps the TCP connection open that long.",
    families: ["ws"],
    observe:
      "have the IUT close (or send it a TEXT message) and never answer its Close frame: TCP should close within about a second",
    patch: [
      {
        file: "reference/transport/ws/pipe-core.ts",
        search: "        wsCloseTimeout: defaults.wsCloseTimeoutMs,\n",
        replace: "        wsCloseTimeout: 30_000,\n",
      },
    ],
  },
  {
    id: "ws/dialer-offers-both-names",
    requirements: ["SP-WS-2"],
    description:
      "The WebSocket dialer offers its own protocol's name after the peer's (`rep.sp.nanomsg.org, req.sp.nanomsg.org` from a REQ), 'so that either kind of server can answer'.",
    families: ["ws"],
    observe:
      "accept a REQ dialer's upgrade at a suite server: Sec-WebSocket-Protocol must hold exactly rep.sp.nanomsg.org",
    patch: [
      {
        file: WS_DIALER,
        search:
          "  const ws = new WebSocket(url.text, [subprotocolName(host.identity.peerName)], options);",
        replace:
          "  const ws = new WebSocket(\n    url.text,\n    [subprotocolName(host.identity.peerName), subprotocolName(host.identity.name)],\n    options,\n  );",
      },
    ],
  },
  {
    id: "ws/server-echoes-first-offer",
    requirements: ["SP-WS-3"],
    description:
      "The WebSocket listener's `handleProtocols` echoes the first subprotocol the client offered, as in the ws library's examples, rather than its own name; with a list such as `chat.example, rep.sp.nanomsg.org` the 101 carries `chat.example`.",
    families: ["ws"],
    observe:
      "offer `chat.example, rep.sp.nanomsg.org` to a REP listener: if it completes the upgrade, the 101 must echo rep.sp.nanomsg.org",
    patch: [
      {
        file: "reference/transport/ws/listener.ts",
        search: "      handleProtocols: () => own,\n",
        replace: "      handleProtocols: (offered) => [...offered][0] ?? own,\n",
      },
    ],
  },
  {
    id: "ws/wss-verify-inverted",
    requirements: ["SP-WS-15", "SP-TLS-9"],
    description:
      "The wss:// dialer verifies the server only when `insecure` is explicitly false (`rejectUnauthorized: tls.insecure === false`), so by default it accepts any certificate.",
    families: ["tls", "ws"],
    observe:
      "dial wss:// with default options at a server whose certificate the IUT does not trust: the upgrade must not happen",
    patch: [
      {
        file: WS_DIALER,
        search: "    rejectUnauthorized: tls.insecure !== true,\n",
        replace: "    rejectUnauthorized: tls.insecure === false,\n",
      },
    ],
  },
  {
    id: "ipc/socket-file-owner-only",
    requirements: ["SP-IPC-12"],
    description:
      "The IPC listener restricts its socket file to the owner (chmod 0600 after the bind) instead of leaving the mode the process's umask gives, so peers of other users in the group cannot connect.",
    families: ["ipc"],
    observe:
      "listen on an IPC path: the socket file's mode should be the one a socket bound by this process's umask gets (0755 with umask 022)",
    patch: [
      {
        file: "reference/transport/ipc/listener.ts",
        search: 'import { createServer, type Server } from "node:net";\n',
        replace:
          'import { chmod } from "node:fs/promises";\nimport { createServer, type Server } from "node:net";\n',
      },
      {
        file: "reference/transport/ipc/listener.ts",
        search: "    listener.file = await fileId(path);\n    return listener;\n",
        replace:
          "    await chmod(path, 0o600).catch(() => {});\n    listener.file = await fileId(path);\n    return listener;\n",
      },
    ],
  },
  {
    id: "tcp/ipv6-brackets-kept",
    requirements: ["SP-TCP-14"],
    description:
      "The address parser slices the bracketed host one character too wide, keeping the brackets (`[::1]`), so its IPv6 check refuses every bracketed address as invalid (EADDRINVAL) while IPv4 and DNS names work.",
    families: ["reqrep", "tcp"],
    observe:
      "listen on tcp://[::1]:0 and connect to it: the bind must succeed and the socket serve",
    patch: [
      {
        file: "reference/core/url.ts",
        search: "    host = rest.slice(1, close);\n",
        replace: "    host = rest.slice(0, close + 1);\n",
      },
    ],
  },
];
