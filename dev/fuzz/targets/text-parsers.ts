/**
 * Text parsers a peer or a user controls: spcat's argument parser, the
 * transport URL parser and the WebSocket subprotocol header splitter.
 */
import fc from "fast-check";
import { parseUrl } from "../../../reference/core/url.ts";
import { offeredSubprotocols } from "../../../reference/transport/ws/subprotocol.ts";
import { ArgError, parseArgs } from "../../../spcat/args.ts";
import { optionTable } from "../../../spcat/options.ts";
import type { Rng } from "../rng.ts";
import { type FuzzTarget, invariant, typedOnly } from "../target.ts";

const LONG = optionTable.map((o) => o.name);
const SHORT = optionTable.flatMap((o) => (o.short ? [o.short] : []));

/** One spcat command line (without the program name). */
export type ArgvInput = readonly string[];

function checkArgs(argv: ArgvInput): void {
  let r: ReturnType<typeof parseArgs>;
  try {
    r = parseArgs(argv, optionTable);
  } catch (e) {
    invariant(e instanceof ArgError, () => `parseArgs threw a non-ArgError: ${String(e)}`);
    invariant(e.message.length > 0, "ArgError without a message");
    return;
  }
  // Every parsed option is an argument as written; the rest is a suffix of argv.
  const rest = argv.slice(argv.length - r.rest.length);
  invariant(
    rest.every((a, i) => a === r.rest[i]),
    "rest is not a suffix of argv",
  );
  for (const o of r.options) {
    invariant(argv.includes(o.raw), `option ${o.raw} not from argv`);
    invariant((o.value !== undefined) === (o.spec.value !== undefined), "value presence wrong");
  }
}

function genArg(rng: Rng): string {
  const word = () => {
    const n = rng.int(8);
    let s = "";
    for (let i = 0; i < n; i++)
      s += String.fromCharCode(rng.chance(0.9) ? 0x61 + rng.int(26) : rng.int(0x3000));
    return s;
  };
  switch (rng.int(7)) {
    case 0:
      return `--${rng.pick(LONG)}`;
    case 1:
      return `--${rng.pick(LONG).slice(0, 1 + rng.int(5))}`;
    case 2:
      return `--${rng.pick(LONG)}${rng.pick(["=", ":"])}${word()}`;
    case 3:
      return `-${rng.pick(SHORT)}${rng.chance(0.5) ? word() : ""}`;
    case 4:
      return rng.pick(["-", "--", "-=", "--=", "---", ""]);
    case 5:
      return `-${word()}`;
    default:
      return word();
  }
}

const argArb = fc.oneof(
  fc.constantFrom(...LONG).map((n) => `--${n}`),
  fc
    .tuple(fc.constantFrom(...LONG), fc.nat())
    .map(([n, k]) => `--${n.slice(0, 1 + (k % n.length))}`),
  fc
    .tuple(fc.constantFrom(...LONG), fc.constantFrom("=", ":"), fc.string())
    .map((t) => `--${t.join("")}`),
  fc.tuple(fc.constantFrom(...SHORT), fc.string({ maxLength: 4 })).map(([s, v]) => `-${s}${v}`),
  fc.string({ maxLength: 10 }),
);

/** spcat's argument parser: only ArgError escapes; results are consistent with argv. */
export const spcatArgs: FuzzTarget<ArgvInput> = {
  name: "spcat-args",
  about: "parseArgs over spcat's table: only ArgError escapes, parsed options come from argv",
  weight: 1,
  arbitrary: fc.array(argArb, { maxLength: 8 }),
  generate: (rng) => Array.from({ length: rng.int(8) }, () => genArg(rng)),
  check: checkArgs,
};

/** A URL text and whether it is parsed for listen. */
export interface UrlInput {
  readonly text: string;
  readonly listen: boolean;
}

function checkUrl({ text, listen }: UrlInput): void {
  const r = typedOnly(() => parseUrl(text, listen), ["EADDRINVAL"]);
  if (r instanceof Error) return;
  invariant(r.text === text, "text not kept");
  invariant(/^[a-z][a-z0-9+.-]*$/.test(r.scheme), "scheme not lower-case");
  invariant(Number.isInteger(r.port) && r.port >= 0 && r.port <= 65535, () => `port ${r.port}`);
  if (!listen && (r.scheme === "tcp" || r.scheme === "tls+tcp")) {
    invariant(r.port !== 0 && r.host !== "", "a dial URL with port 0 or no host");
  }
}

const SCHEMES = ["tcp", "ipc", "inproc", "ws", "wss", "tls+tcp", "TCP", "x", ""];
const HOSTS = ["127.0.0.1", "[::1]", "::1", "*", "", "localhost", "[::1", "[zz]", "a:b", "0.0.0.0"];
const PORTS = ["0", "1", "5555", "65535", "65536", "-1", "", "99999999999", "1e3", " 80", "0x10"];

function genUrl(rng: Rng): UrlInput {
  const listen = rng.chance(0.5);
  if (rng.chance(0.1)) {
    let s = "";
    for (let i = rng.int(30); i > 0; i--) s += String.fromCharCode(rng.int(128));
    return { text: s, listen };
  }
  const tail = rng.chance(0.3) ? rng.pick(["/", "/a?b", "?q", "/p/../x", "#f", "%00"]) : "";
  const sep = rng.chance(0.9) ? "://" : rng.pick([":/", "//", ":"]);
  return { text: `${rng.pick(SCHEMES)}${sep}${rng.pick(HOSTS)}:${rng.pick(PORTS)}${tail}`, listen };
}

/** The transport URL parser: only SPError EADDRINVAL escapes; results are sane. */
export const urls: FuzzTarget<UrlInput> = {
  name: "url",
  about: "parseUrl: only EADDRINVAL escapes, port in range, dial URLs name a host and port",
  weight: 1,
  arbitrary: fc.record({
    text: fc.oneof(
      fc
        .tuple(
          fc.constantFrom(...SCHEMES),
          fc.constantFrom(...HOSTS),
          fc.constantFrom(...PORTS),
          fc.string({ maxLength: 6 }),
        )
        .map(([s, h, p, t]) => `${s}://${h}:${p}${t}`),
      fc.string({ maxLength: 40 }),
    ),
    listen: fc.boolean(),
  }),
  generate: genUrl,
  check: checkUrl,
};

function checkSubprotocols(header: string): void {
  const tokens = offeredSubprotocols(header);
  for (const t of tokens) {
    invariant(
      t.length > 0 && t === t.trim() && !t.includes(","),
      () => `bad token ${JSON.stringify(t)}`,
    );
  }
}

/** The Sec-WebSocket-Protocol splitter (the only pure decoder of the ws mapping). */
export const wsSubprotocols: FuzzTarget<string> = {
  name: "ws-subprotocol",
  about: "Sec-WebSocket-Protocol splitting: no throw, trimmed non-empty tokens",
  weight: 0.5,
  arbitrary: fc.string({ maxLength: 60 }),
  generate: (rng) => {
    const parts = Array.from({ length: rng.int(5) }, () =>
      rng.pick(["rep.sp.nanomsg.org", " req.sp.nanomsg.org ", "", " ", ",", "chat", "\t"]),
    );
    return parts.join(rng.pick([",", ", ", " ,", ""]));
  },
  check: checkSubprotocols,
};
