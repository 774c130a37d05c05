import { lstat, unlink } from "node:fs/promises";
import { connect } from "node:net";
import { SPError } from "../../core/errors.ts";

/** How long a stale-file probe may wait for an answer before the file counts as live. */
const PROBE_MS = 1000;

/**
 * The path `node:net` takes for an `ipc://` address: the path itself on POSIX,
 * a named pipe `\\.\pipe\<name>` on Windows (draft-sp-ipc §Addresses).
 *
 * @example
 * ```ts
 * nativePath("/tmp/a.sock"); // "/tmp/a.sock" on Linux
 * ```
 */
export function nativePath(path: string): string {
  if (process.platform !== "win32" || path.startsWith("\\\\")) return path;
  return `\\\\.\\pipe\\${path.replace(/^\/+/, "")}`;
}

/**
 * Connects once to `path` and reports whether a listener answered. A refusal
 * or a missing file means "nobody"; anything else (a connection, a timeout,
 * a permission error) counts as alive, so the file is left alone.
 *
 * With `hello` (our SP header), a connection that succeeds sends it and waits
 * briefly for the peer's header before closing, so the live listener sees a
 * complete header exchange rather than a connection dropped mid-handshake,
 * which nng 1.5.2 handles badly (nanomsg/nng#1518).
 *
 * @example
 * ```ts
 * if (!(await isLive("/tmp/a.sock"))) await unlink("/tmp/a.sock");
 * ```
 */
export function isLive(path: string, hello?: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    let got = 0;
    const done = (live: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(live);
    };
    const timer = setTimeout(() => done(true), PROBE_MS);
    s.once("connect", () => {
      if (!hello) return done(true);
      s.on("data", (d: Buffer) => {
        got += d.length;
        if (got >= 8) done(true);
      });
      s.once("close", () => done(true));
      s.write(hello);
    });
    s.on("error", (e: NodeJS.ErrnoException) =>
      done(e.code !== "ECONNREFUSED" && e.code !== "ENOENT"),
    );
  });
}

/**
 * Prepares `path` for a bind: nothing there is fine; a socket file nobody
 * answers on is stale and removed (SP-IPC-9); a live socket or a file that is
 * not a socket is kept and the bind fails with EADDRINUSE (SP-IPC-10).
 *
 * @example
 * ```ts
 * await clearStaleSocket("/tmp/a.sock"); // throws SPError EADDRINUSE when in use
 * ```
 */
export async function clearStaleSocket(path: string, hello?: Uint8Array): Promise<void> {
  if (process.platform === "win32") return; // named pipes leave no file behind
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch {
    return; // nothing there (or unreadable: the bind reports it)
  }
  if (!isSocket) throw new SPError("EADDRINUSE", `${path} exists and is not a socket`);
  // SP-IPC-10: never remove a file on which a listener answers.
  if (await isLive(path, hello)) throw new SPError("EADDRINUSE", `${path} has a live listener`);
  // SP-IPC-9: the socket file is stale; remove it so the bind can succeed.
  await unlink(path).catch(() => {});
}

/** Identity of a file, to remove a socket file only while it is still ours (SP-IPC-11). */
export interface FileId {
  dev: number;
  ino: number;
}

/**
 * Returns the device and inode of `path`, or undefined when it cannot be read.
 *
 * @example
 * ```ts
 * const id = await fileId("/tmp/a.sock");
 * ```
 */
export async function fileId(path: string): Promise<FileId | undefined> {
  try {
    const st = await lstat(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

/**
 * Removes `path` if it is still the file identified by `id` (SP-IPC-11).
 *
 * @example
 * ```ts
 * await removeIfOurs("/tmp/a.sock", id);
 * ```
 */
export async function removeIfOurs(path: string, id: FileId | undefined): Promise<void> {
  if (!id) return;
  const now = await fileId(path);
  if (now && now.dev === id.dev && now.ino === id.ino) await unlink(path).catch(() => {});
}
