/**
 * The option registry: every protocol, by the name its factory has, mapped to
 * its {@link OptionSet} (the generic rows of `core/options.ts` plus the rows the
 * protocol declares in its own `options.ts`). Sockets take their set from here,
 * so `setOption`, `getOption` and the factories check against it; spcat and the
 * conformance adapter list and look up options here too.
 *
 * @module
 */

import { SPError } from "../core/errors.ts";
import {
  type CoreOptionRows,
  type CoreOptions,
  type NoOptionRows,
  type OptionInit,
  type OptionRows,
  OptionSet,
  type OptionSpec,
  type OptionValues,
} from "../core/options.ts";
import { pair1Options, pair1polyOptions, xpair1Options } from "./pair1/options.ts";
import { push0Options } from "./push0/options.ts";
import { rep0Options, xrep0Options } from "./rep0/options.ts";
import { req0Options, xreq0Options } from "./req0/options.ts";
import { respondent0Options, xrespondent0Options } from "./respondent0/options.ts";
import { sub0Options } from "./sub0/options.ts";
import { surveyor0Options, xsurveyor0Options } from "./surveyor0/options.ts";

/** Every name (ours and nng's) some protocol has; filled below, once every set exists. */
const everyName = new Set<string>();

const none: NoOptionRows = {};

/** Builds the set of one protocol; `everyName` tells other protocols' names apart. */
function set<R extends OptionRows>(protocol: string, own: R): OptionSet<R> {
  return new OptionSet(protocol, own, everyName);
}

/**
 * Protocol name → its options. The keys are those of `protocolFactories`.
 *
 * @example
 * ```ts
 * optionRegistry.req0.find("req:resend-time").default; // 60000
 * optionRegistry.pub0.has("resendTime"); // false
 * ```
 */
export const optionRegistry = {
  req0: set("req0", req0Options),
  rep0: set("rep0", rep0Options),
  pub0: set("pub0", none),
  sub0: set("sub0", sub0Options),
  push0: set("push0", push0Options),
  pull0: set("pull0", none),
  surveyor0: set("surveyor0", surveyor0Options),
  respondent0: set("respondent0", respondent0Options),
  pair0: set("pair0", none),
  pair1: set("pair1", pair1Options),
  pair1poly: set("pair1poly", pair1polyOptions),
  bus0: set("bus0", none),
  xreq0: set("xreq0", xreq0Options),
  xrep0: set("xrep0", xrep0Options),
  xpub0: set("xpub0", none),
  xsub0: set("xsub0", none),
  xpush0: set("xpush0", none),
  xpull0: set("xpull0", none),
  xsurveyor0: set("xsurveyor0", xsurveyor0Options),
  xrespondent0: set("xrespondent0", xrespondent0Options),
  xpair0: set("xpair0", none),
  xpair1: set("xpair1", xpair1Options),
  xbus0: set("xbus0", none),
};

for (const s of Object.values(optionRegistry)) {
  for (const spec of s.specs) everyName.add(spec.name).add(spec.nngName);
}

/** A protocol of the registry (`req0`, `xreq0`, `pair1poly`...). */
export type ProtocolName = keyof typeof optionRegistry;

/** The own rows of protocol `P`. */
export type ProtocolOptionRows<P extends ProtocolName> =
  (typeof optionRegistry)[P] extends OptionSet<infer R> ? R : never;

/** Our name of any option of any protocol (`recvTimeout`, `resendTime`, `subscribe`...). */
export type OptionName =
  | {
      [P in ProtocolName]: keyof ProtocolOptionRows<P> & string;
    }[ProtocolName]
  | keyof CoreOptionRows;

/**
 * What protocol `P`'s factory takes: any of its numeric options, generic or its own.
 *
 * @example
 * ```ts
 * const o: ProtocolOptions<"req0"> = { resendTime: 100, recvTimeout: 1000 };
 * ```
 */
export type ProtocolOptions<P extends ProtocolName> = OptionInit<ProtocolOptionRows<P>>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;

/**
 * The numeric options of any protocol, for code that opens sockets by a name known
 * at run time (`openSocket`): an option the protocol does not have is ENOTSUP then.
 */
export type AnyProtocolOptions = Partial<
  CoreOptions &
    UnionToIntersection<{ [P in ProtocolName]: OptionValues<ProtocolOptionRows<P>> }[ProtocolName]>
>;

/**
 * The option set of protocol `name`, or undefined for an unknown protocol.
 *
 * @example
 * ```ts
 * optionsOf("surveyor0")?.find("surveyor:survey-time").name; // "surveyTime"
 * ```
 */
export function optionsOf(name: string): OptionSet<OptionRows> | undefined {
  return Object.hasOwn(optionRegistry, name)
    ? (optionRegistry[name as ProtocolName] as OptionSet<OptionRows>)
    : undefined;
}

/**
 * Every option of every protocol, each name once: the generic rows first, then
 * the protocols' own. For listing (spcat's help, the adapter's `hello`).
 *
 * @example
 * ```ts
 * optionTable.map((o) => o.nngName); // ["recv-size-max", ..., "req:resend-time", ...]
 * ```
 */
export const optionTable: readonly OptionSpec[] = (() => {
  const seen = new Map<string, OptionSpec>();
  for (const s of Object.values(optionRegistry)) {
    for (const spec of s.specs) if (!seen.has(spec.name)) seen.set(spec.name, spec);
  }
  return [...seen.values()];
})();

/** The protocols that have option `name` (ours or nng's), in registry order. */
export function protocolsWithOption(name: string): ProtocolName[] {
  return (Object.keys(optionRegistry) as ProtocolName[]).filter((p) => optionRegistry[p].has(name));
}

/**
 * Finds an option of any protocol by our name or nng's; EINVAL when no protocol has it.
 *
 * @example
 * ```ts
 * lookupOption("req:resend-time").name; // "resendTime"
 * ```
 */
export function lookupOption(name: string): OptionSpec {
  const spec = optionTable.find((o) => o.name === name || o.nngName === name);
  if (!spec) throw new SPError("EINVAL", `unknown option ${JSON.stringify(name)}`);
  return spec;
}
