/**
 * Runs one case against one IUT: builds its context, enforces the case's
 * time bound, cleans up every socket and connection it made, and turns what
 * happened into a verdict with a reason, notes and (for non-passes) the
 * transcript and the IUT's stderr.
 */
import {
  type Iut,
  IutDiedError,
  IutError,
  type IutSocket,
  IutUnsupportedError,
} from "../adapters/iut.ts";
import {
  type CaseContext,
  CaseFailure,
  type CaseIut,
  type ConformanceCase,
  type Verdict,
} from "../cases/types.ts";
import { type Endpoint, endpointUrl, type Hosts, LOCAL_HOSTS, urlPort } from "../harness/hosts.ts";
import { Transcript, type TranscriptEntry } from "../harness/transcript.ts";
import { WireError, WirePeer, WireServer } from "../harness/wire.ts";

/** The outcome of one case for one IUT. */
export interface CaseOutcome {
  verdict: Verdict;
  reason?: string;
  notes: string[];
  durationMs: number;
  /** Set for non-pass verdicts (or always, with `keepTranscripts`). */
  transcript?: string;
  /** The same transcript as structured entries (for the HTML report). */
  events?: TranscriptEntry[];
  /** IUT stderr written during the case, when any. */
  stderr?: string;
  /** The adapter died during the case. */
  died: boolean;
}

/** Options for {@link executeCase}. */
export interface ExecuteOptions {
  seed: number;
  replayPath?: string;
  /** Keep the transcript of passing cases too. */
  keepTranscripts?: boolean;
  /** Where the IUT and the suite are; default both on 127.0.0.1. */
  hosts?: Hosts;
}

/**
 * Transports whose endpoints the suite reaches only on its own machine: an
 * `ipc://` path names a file in the suite's file system. (inproc is not one:
 * both of its ends are inside the IUT.)
 */
export const LOCAL_ONLY_TRANSPORTS: readonly string[] = ["ipc"];

/** Why `c` cannot run against an IUT on another machine, or undefined when it can. */
export function remoteObstacle(c: ConformanceCase, hosts: Hosts): string | undefined {
  if (hosts.local) return undefined;
  const local = c.needs.transports.filter((t) => LOCAL_ONLY_TRANSPORTS.includes(t));
  if (local.length === 0) return undefined;
  return `transport ${local.join(", ")} reaches only an IUT on the suite's machine, and the IUT is at ${hosts.iut}`;
}

/** Returns the missing capabilities for a case, or an empty list. */
export function missingCapabilities(c: ConformanceCase, iut: Iut): string[] {
  const caps = iut.info.capabilities;
  return [
    ...c.needs.protocols.filter((p) => !caps.protocols.includes(p)).map((p) => `protocol ${p}`),
    ...c.needs.transports.filter((t) => !caps.transports.includes(t)).map((t) => `transport ${t}`),
    ...(c.needs.options ?? []).filter((o) => !caps.options.includes(o)).map((o) => `option ${o}`),
    ...(c.needs.features ?? [])
      .filter((f) => !(caps.features ?? []).includes(f))
      .map((f) => `feature ${f}`),
  ];
}

/** Runs `c` against `iut`. Never throws. */
export async function executeCase(
  c: ConformanceCase,
  iut: Iut,
  opts: ExecuteOptions,
): Promise<CaseOutcome> {
  const started = performance.now();
  const hosts = opts.hosts ?? LOCAL_HOSTS;
  const missing = missingCapabilities(c, iut);
  const obstacle =
    missing.length > 0
      ? `the IUT does not declare ${missing.join(", ")}`
      : remoteObstacle(c, hosts);
  if (obstacle !== undefined) {
    return { verdict: "unsupported", reason: obstacle, notes: [], durationMs: 0, died: false };
  }

  const transcript = new Transcript();
  const sockets: IutSocket[] = [];
  const peers: WirePeer[] = [];
  const servers: WireServer[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const notes: string[] = [];
  const stderrMark = iut.stderrMark();
  let peerCount = 0;
  iut.beginCase?.(c);

  iut.setObserver((event, text) =>
    transcript.event("iut", `${event === "request" ? "→" : "←"} ${text}`),
  );

  const siblings: Iut[] = [];
  const caseIut = (target: Iut, label: string): CaseIut => ({
    name: target.info.name,
    async open(protocol, openOpts) {
      const s = await target.open(protocol, openOpts);
      sockets.push(s);
      return s;
    },
    device: (a, b) => target.device(a, b),
    stats: (sock) => target.stats(sock),
    hasFeature: (name) => (target.info.capabilities.features ?? []).includes(name),
    async sibling() {
      if (!iut.spawnSibling) {
        throw new IutUnsupportedError("the IUT cannot start a second instance of itself");
      }
      const other = await iut.spawnSibling();
      siblings.push(other);
      const tag = `${label}${siblings.length + 1}`;
      other.setObserver((event, text) =>
        transcript.event(tag, `${event === "request" ? "→" : "←"} ${text}`),
      );
      return caseIut(other, tag);
    },
  });

  const ctx: CaseContext = {
    iut: caseIut(iut, "iut"),
    seed: opts.seed,
    replayPath: opts.replayPath,
    caseId: c.id,
    transcript,
    hosts,
    iutUrl: (scheme, path = "", port = 0) => endpointUrl(scheme, hosts.iut, port, path),
    suiteUrl: (scheme, port, path = "") => endpointUrl(scheme, hosts.suite, port, path),
    iutEndpoint: (target) => iutEndpoint(hosts, target),
    async connect(target, label) {
      const to = iutEndpoint(hosts, target);
      const p = await WirePeer.connect(to, label ?? `peer${++peerCount}`, transcript);
      peers.push(p);
      return p;
    },
    async server(label) {
      const name = label ?? `srv${servers.length + 1}`;
      const s = await WireServer.listen(hosts.suite, name, transcript);
      servers.push(s);
      return s;
    },
    fail(message) {
      throw new CaseFailure(message);
    },
    warn(message) {
      transcript.event("case", `WARN ${message}`);
      warnings.push(message);
    },
    info(message) {
      transcript.event("case", `INFO ${message}`);
      infos.push(message);
    },
    note(message) {
      transcript.event("case", `note: ${message}`);
      notes.push(message);
    },
  };

  let failure: string | undefined;
  let unsupported: string | undefined;
  let died = false;
  const limit = c.timeoutMs ?? 10000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CaseFailure(`the case did not finish within ${limit} ms`)),
          limit,
        );
      }),
    ]);
  } catch (e) {
    if (e instanceof IutUnsupportedError) {
      unsupported = e.message;
    } else if (e instanceof IutDiedError) {
      died = true;
      failure = `the IUT died or stopped answering: ${e.message}`;
    } else if (e instanceof CaseFailure || e instanceof WireError) {
      failure = e.message;
    } else if (e instanceof IutError) {
      failure = `unexpected IUT error ${e.message}`;
    } else {
      failure = `harness error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    }
    if (failure !== undefined) transcript.event("case", `FAIL ${failure}`);
    else transcript.event("case", `UNSUPPORTED ${unsupported}`);
  } finally {
    clearTimeout(timer);
  }

  // Cleanup: our connections first, then the IUT's sockets (bounded, errors ignored).
  for (const p of peers) p.close();
  for (const s of servers) s.close();
  if (!iut.dead) {
    await Promise.allSettled(sockets.map((s) => s.close()));
  }
  // A sibling that died says nothing more than the case already does; end them all.
  await Promise.allSettled(siblings.map((s) => s.shutdown()));
  iut.setObserver(undefined);
  if (iut.dead) died = true;
  if (!died && unsupported === undefined) {
    // The IUT may know that the outcome says nothing about it (cat mode).
    const why = iut.unsupportedReason?.(failure !== undefined);
    if (why !== undefined) {
      if (failure !== undefined) notes.push(`the case failed with: ${failure}`);
      unsupported = why;
      failure = undefined;
    }
  }

  const verdict: Verdict =
    unsupported !== undefined && !died
      ? "unsupported"
      : failure !== undefined || died
        ? "fail"
        : warnings.length > 0
          ? "warn"
          : infos.length > 0
            ? "info"
            : "pass";
  const reason =
    failure ??
    (warnings.length > 0 ? warnings.join("; ") : infos.length > 0 ? infos.join("; ") : undefined);
  const stderr = iut.stderrSince(stderrMark);
  return {
    verdict,
    ...(reason !== undefined ? { reason } : {}),
    notes,
    durationMs: Math.round(performance.now() - started),
    ...(verdict !== "pass" || opts.keepTranscripts
      ? {
          transcript: transcript.format(),
          events: transcript.entries.map((e) => ({ ...e, t: Math.round(e.t * 10) / 10 })),
        }
      : {}),
    ...(stderr ? { stderr } : {}),
    died,
  };
}

/** The IUT's host with the port of `target` (a URL the IUT answered, or a port). */
function iutEndpoint(hosts: Hosts, target: string | number): Endpoint {
  if (typeof target === "number") return { host: hosts.iut, port: target };
  const port = urlPort(target);
  if (port === undefined) throw new WireError(`cannot find a port in ${target}`);
  return { host: hosts.iut, port };
}
