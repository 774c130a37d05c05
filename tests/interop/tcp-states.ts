/**
 * What the kernel knows about the TCP sockets of one local port, read from
 * /proc/net/tcp (Linux only; elsewhere the list is empty). Used to say, when
 * an interop cell prints nothing, whether its two processes were ever
 * connected.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Kernel state numbers of include/net/tcp_states.h. */
const STATES = [
  "",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
];

/** One socket: local and remote ports, state, bytes queued to send and to read. */
export interface TcpSocketState {
  readonly local: number;
  readonly remote: number;
  readonly state: string;
  readonly txQueue: number;
  readonly rxQueue: number;
}

/** Parses the text of /proc/net/tcp (or tcp6). */
export function parseProcNetTcp(text: string): TcpSocketState[] {
  const out: TcpSocketState[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const port = (addr: string | undefined) => Number.parseInt(addr?.split(":")[1] ?? "", 16);
    const [tx, rx] = (f[4] ?? "").split(":").map((h) => Number.parseInt(h, 16));
    out.push({
      local: port(f[1]),
      remote: port(f[2]),
      state: STATES[Number.parseInt(f[3] ?? "", 16)] ?? `state ${f[3]}`,
      txQueue: tx ?? 0,
      rxQueue: rx ?? 0,
    });
  }
  return out;
}

/** The sockets whose local or remote port is `port`. */
export function socketsOnPort(port: number): TcpSocketState[] {
  const all: TcpSocketState[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      all.push(...parseProcNetTcp(readFileSync(file, "utf8")));
    } catch {
      // not Linux, or no IPv6
    }
  }
  return all.filter((s) => s.local === port || s.remote === port);
}

/** One line, e.g. `LISTEN :4000; ESTABLISHED :51234→:4000 (rx 0, tx 0)`. */
export function describePort(port: number): string {
  const s = socketsOnPort(port);
  if (s.length === 0) return `no socket on port ${port}`;
  return s
    .map((x) =>
      x.state === "LISTEN"
        ? `LISTEN :${x.local}`
        : `${x.state} :${x.local}→:${x.remote} (rx ${x.rxQueue}, tx ${x.txQueue})`,
    )
    .join("; ");
}

/**
 * Bytes each connection of `port` sent and received so far, from `ss -tin`
 * (iproute2), e.g. `:51234→:4000 sent 8 received 30`; empty when `ss` is
 * missing. Tells whether the two sides ever exchanged more than their headers.
 */
export function portTraffic(port: number): string {
  let out: string;
  try {
    out = execFileSync("ss", ["-tinH", `( sport = :${port} or dport = :${port} )`], {
      encoding: "utf8",
      timeout: 2000,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return "";
  }
  const lines: string[] = [];
  let head: string | undefined;
  for (const line of out.split("\n")) {
    const ports = /:(\d+)\s+\S*:(\d+)\s*$/.exec(line.trimEnd());
    if (ports && !line.startsWith("\t") && !line.startsWith(" ")) {
      head = `:${ports[1]}→:${ports[2]}`;
      continue;
    }
    if (head === undefined) continue;
    const sent = /bytes_sent:(\d+)/.exec(line)?.[1] ?? "0";
    const received = /bytes_received:(\d+)/.exec(line)?.[1] ?? "0";
    lines.push(`${head} sent ${sent} received ${received}`);
    head = undefined;
  }
  return lines.join("; ");
}
