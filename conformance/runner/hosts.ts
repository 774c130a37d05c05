/**
 * Decides the two hosts of a run for one IUT (harness/hosts.ts says what
 * they mean):
 *
 * - the IUT host: `--iut-host`, else the `host` the adapter declared in its
 *   `hello` answer, else 127.0.0.1;
 * - the suite host: `--suite-host`, else the loopback address of the IUT
 *   host's family when that host is a loopback address, else the address
 *   this machine sends from when it talks to the IUT host (the source address
 *   of the route there; no packet is sent). That guess is right on a plain
 *   network or a container bridge, and wrong behind NAT: say `--suite-host`
 *   there.
 *
 * The suite host must be an address of this machine: the suite's listeners
 * bind to it. That is checked here, before any case runs.
 */
import { createSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { createServer } from "node:net";
import {
  type Hosts,
  isLoopback,
  isThisMachine,
  LOOPBACK,
  loopbackFor,
  parseHost,
} from "../harness/hosts.ts";

/** The hosts the command line gave (already checked by {@link parseHost}). */
export interface HostArgs {
  iut?: string;
  suite?: string;
}

/** A host setting that cannot work; the message says which and what to do. */
export class HostError extends Error {
  override name = "HostError";
}

/** The address of this machine that packets to `address` leave from. */
async function routeSource(address: string, family: 4 | 6): Promise<string> {
  const sock = createSocket(family === 6 ? "udp6" : "udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      // connect() on UDP only picks the route and the source address.
      sock.connect(9, address, () => resolve());
    });
    return sock.address().address;
  } finally {
    sock.close();
  }
}

/** Fails unless something can listen on `host` here. */
async function checkBindable(host: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new HostError(
      `the suite cannot listen on ${host} (${why}); --suite-host must be an address of this machine that the IUT can reach`,
    );
  } finally {
    server.close();
  }
}

/**
 * The hosts for an IUT whose adapter declared `declared` (its `hello` host,
 * if any). Throws {@link HostError} when the suite host cannot be found or
 * used.
 *
 * @example
 * await resolveHosts({ iut: "127.0.0.2" }, undefined);
 * // { iut: "127.0.0.2", suite: "127.0.0.1", local: true }
 */
export async function resolveHosts(args: HostArgs, declared: string | undefined): Promise<Hosts> {
  let iut = args.iut;
  if (iut === undefined && declared !== undefined) {
    try {
      iut = parseHost(declared);
    } catch (e) {
      throw new HostError(
        `the adapter's hello declares host ${JSON.stringify(declared)}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  iut ??= LOOPBACK;
  let suite = args.suite;
  let local = isLoopback(iut);
  if (!local || suite === undefined) {
    let address: string;
    let family: 4 | 6;
    try {
      const found = await lookup(iut);
      address = found.address;
      family = found.family === 6 ? 6 : 4;
    } catch (e) {
      throw new HostError(
        `cannot resolve the IUT host ${iut}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    local ||= isThisMachine(address);
    if (suite === undefined) {
      if (isLoopback(iut)) suite = loopbackFor(address);
      else {
        try {
          suite = await routeSource(address, family);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          throw new HostError(
            `cannot tell which address of this machine the IUT at ${iut} reaches (${why}); give --suite-host`,
          );
        }
      }
    }
  }
  await checkBindable(suite);
  return { iut, suite, local };
}
