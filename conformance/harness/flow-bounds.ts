/**
 * The bounds a flow-control case compares the bytes that went through with
 * (framework draft, "Flow Control"): what can sit between a raw peer and an
 * IUT that stopped reading is the two kernels' socket buffers, read from the
 * Linux TCP limits at run time, plus what the IUT itself may hold, plus slack.
 */
import { readFileSync } from "node:fs";

const MiB = 1024 * 1024;

/** Slack for one transport read in flight and rounding, added to every bound. */
export const BOUND_SLACK = MiB;

/** Fallback for a sysctl that cannot be read (not Linux, or /proc hidden). */
export const SYSCTL_FALLBACK = 16 * MiB;

/** The Linux TCP buffer limits that bound what can sit between two sockets. */
export interface TcpLimits {
  /** tcp_wmem[2]: the largest send buffer autotuning gives a TCP socket. */
  wmemMax: number;
  /** tcp_rmem[1]: the receive buffer a TCP socket starts with. */
  rmemInitial: number;
  /** tcp_rmem[2]: the largest receive buffer autotuning gives a TCP socket. */
  rmemMax: number;
  /** net.core.wmem_max: the largest SO_SNDBUF an application may set (Linux doubles it). */
  coreWmemMax: number;
  /** net.core.rmem_max: the largest SO_RCVBUF an application may set (Linux doubles it). */
  coreRmemMax: number;
  /** Where the values came from, for the case's note. */
  source: string;
}

/**
 * Reads the limits from /proc/sys at run time; a value that cannot be read
 * becomes {@link SYSCTL_FALLBACK} (16 MiB). `read` is injectable for tests.
 */
export function tcpLimits(
  read: (path: string) => string = (p) => readFileSync(p, "latin1"),
): TcpLimits {
  const missing: string[] = [];
  const field = (path: string, index: number): number => {
    try {
      const v = Number(read(path).trim().split(/\s+/)[index]);
      if (Number.isFinite(v) && v > 0) return v;
    } catch {
      // fall through to the fallback
    }
    missing.push(`${path.replace("/proc/sys/net/", "")}[${index}]`);
    return SYSCTL_FALLBACK;
  };
  const limits = {
    wmemMax: field("/proc/sys/net/ipv4/tcp_wmem", 2),
    rmemInitial: field("/proc/sys/net/ipv4/tcp_rmem", 1),
    rmemMax: field("/proc/sys/net/ipv4/tcp_rmem", 2),
    coreWmemMax: field("/proc/sys/net/core/wmem_max", 0),
    coreRmemMax: field("/proc/sys/net/core/rmem_max", 0),
  };
  const source =
    missing.length === 0
      ? "/proc/sys/net"
      : `/proc/sys/net, with ${fmt(SYSCTL_FALLBACK)} for unreadable ${missing.join(", ")}`;
  return { ...limits, source };
}

/** What an IUT may hold in user space on top of the kernels' buffers, and why. */
export interface Allowance {
  bytes: number;
  why: string;
}

/** A derived upper bound in bytes, with its derivation for a note. */
export interface Bound {
  bytes: number;
  derivation: string;
}

/** `1.5 MiB` / `96 KiB` / `12 B`. */
export function fmt(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} B`;
}

/**
 * Bound on what a raw peer can get accepted by an IUT that stopped reading its
 * pipe: the largest send buffer Linux may give the peer's socket (tcp_wmem[2];
 * the suite sets no SO_SNDBUF), the largest receive buffer the IUT's kernel may
 * hold for the connection (tcp_rmem[2] by autotuning, or twice rmem_max if the
 * IUT sets SO_RCVBUF, whichever is larger), the IUT's user-space allowance, and
 * {@link BOUND_SLACK}.
 */
export function receiverBound(l: TcpLimits, allowance: Allowance): Bound {
  const iutKernel = Math.max(l.rmemMax, 2 * l.coreRmemMax);
  const bytes = l.wmemMax + iutKernel + allowance.bytes + BOUND_SLACK;
  const derivation =
    `bound ${fmt(bytes)} = peer send buffer ≤ tcp_wmem[2] ${fmt(l.wmemMax)}` +
    ` + IUT kernel receive buffer ≤ max(tcp_rmem[2], 2×rmem_max) ${fmt(iutKernel)}` +
    ` + IUT allowance ${fmt(allowance.bytes)} (${allowance.why})` +
    ` + slack ${fmt(BOUND_SLACK)} (limits from ${l.source})`;
  return { bytes, derivation };
}

/**
 * Bound on what an IUT can hand to a raw peer that read only the SP header and
 * then nothing: the IUT's kernel send buffer (tcp_wmem[2] by autotuning, or
 * twice wmem_max if the IUT sets SO_SNDBUF, whichever is larger), the peer's
 * kernel receive buffer (it starts at tcp_rmem[1] and grows only while the
 * application reads, which the peer does not: twice tcp_rmem[1] leaves room for
 * the kernel's accounting), what node buffers above that socket
 * (`nodeBuffered`), the IUT's user-space allowance, and {@link BOUND_SLACK}.
 */
export function senderBound(l: TcpLimits, allowance: Allowance, nodeBuffered: number): Bound {
  const iutKernel = Math.max(l.wmemMax, 2 * l.coreWmemMax);
  const peerKernel = 2 * l.rmemInitial;
  const bytes = iutKernel + peerKernel + nodeBuffered + allowance.bytes + BOUND_SLACK;
  const derivation =
    `bound ${fmt(bytes)} = IUT kernel send buffer ≤ max(tcp_wmem[2], 2×wmem_max) ${fmt(iutKernel)}` +
    ` + peer kernel receive buffer ≤ 2×tcp_rmem[1] ${fmt(peerKernel)} (it never reads, so it does not grow)` +
    ` + node's buffer above it ${fmt(nodeBuffered)}` +
    ` + IUT allowance ${fmt(allowance.bytes)} (${allowance.why})` +
    ` + slack ${fmt(BOUND_SLACK)} (limits from ${l.source})`;
  return { bytes, derivation };
}
