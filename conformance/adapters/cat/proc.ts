/**
 * Readiness of a CLI seen from the kernel's tables (Linux /proc), so that cat
 * mode can tell when a started CLI listens or has connected without making a
 * connection of its own (the CLI would count it as a peer).
 */
import { readFileSync } from "node:fs";

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** The TCP sockets of /proc/net/tcp{,6}: local port, remote port, state (hex, `0A` = LISTEN). */
function tcpSockets(): { local: number; remote: number; state: string }[] {
  const out: { local: number; remote: number; state: string }[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of read(file).split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      const local = f[1]?.split(":").pop();
      const remote = f[2]?.split(":").pop();
      if (local === undefined || remote === undefined || f[3] === undefined) continue;
      out.push({
        local: Number.parseInt(local, 16),
        remote: Number.parseInt(remote, 16),
        state: f[3],
      });
    }
  }
  return out;
}

/** The UNIX sockets of /proc/net/unix bound to `path`: their state (`01` unconnected, `03` connected) and flags. */
function unixSockets(path: string): { state: string; listening: boolean }[] {
  const out: { state: string; listening: boolean }[] = [];
  for (const line of read("/proc/net/unix").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[7] !== path || f[3] === undefined || f[5] === undefined) continue;
    // Flags 00010000 is __SO_ACCEPTCON: a listening socket.
    out.push({ state: f[5], listening: f[3] === "00010000" });
  }
  return out;
}

/** The port of a `tcp://`, `ws://`, `tls+tcp://` or `wss://` URL, or undefined. */
export function portOfUrl(url: string): number | undefined {
  const m = /^(?:tcp|ws|tls\+tcp|wss):\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)(?:\/.*)?$/.exec(url);
  return m ? Number(m[1]) : undefined;
}

/** The socket path of an `ipc://` URL, or undefined. */
export function pathOfUrl(url: string): string | undefined {
  return url.startsWith("ipc://") ? url.slice("ipc://".length) : undefined;
}

/** True once something listens at `url` (a TCP port or an IPC path). */
export function isListening(url: string): boolean {
  const port = portOfUrl(url);
  if (port !== undefined) return tcpSockets().some((s) => s.state === "0A" && s.local === port);
  const path = pathOfUrl(url);
  if (path !== undefined) return unixSockets(path).some((s) => s.listening);
  return true;
}

/**
 * True once a connection to `url` is established: a TCP socket whose remote
 * port is the URL's, or a connected UNIX socket bound to the URL's path (the
 * accepting side of a connection carries the listener's path).
 */
export function isConnected(url: string): boolean {
  const port = portOfUrl(url);
  if (port !== undefined) return tcpSockets().some((s) => s.state === "01" && s.remote === port);
  const path = pathOfUrl(url);
  if (path !== undefined) return unixSockets(path).some((s) => s.state === "03");
  return true;
}

/**
 * True once some TCP connection towards the port of `url` exists or existed
 * (any state but LISTEN, TIME_WAIT included): the dialer has tried. Used for
 * TLS dials, where a handshake the CLI refuses (an untrusted certificate)
 * leaves a connection too short-lived to be seen established.
 */
export function hasTried(url: string): boolean {
  const port = portOfUrl(url);
  if (port === undefined) return isConnected(url);
  return tcpSockets().some((s) => s.state !== "0A" && s.remote === port);
}
