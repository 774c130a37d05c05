import type { SocketBase } from "./core/socket.ts";
import { bus0 } from "./protocol/bus0/bus.ts";
import { xbus0 } from "./protocol/bus0/xbus.ts";
import type { AnyProtocolOptions } from "./protocol/options.ts";
import { pair0 } from "./protocol/pair0/pair.ts";
import { xpair0 } from "./protocol/pair0/xpair.ts";
import { pair1 } from "./protocol/pair1/pair.ts";
import { pair1poly } from "./protocol/pair1/poly.ts";
import { xpair1 } from "./protocol/pair1/xpair.ts";
import { pub0 } from "./protocol/pub0/pub.ts";
import { xpub0 } from "./protocol/pub0/xpub.ts";
import { pull0 } from "./protocol/pull0/pull.ts";
import { xpull0 } from "./protocol/pull0/xpull.ts";
import { push0 } from "./protocol/push0/push.ts";
import { xpush0 } from "./protocol/push0/xpush.ts";
import { rep0 } from "./protocol/rep0/rep.ts";
import { xrep0 } from "./protocol/rep0/xrep.ts";
import { req0 } from "./protocol/req0/req.ts";
import { xreq0 } from "./protocol/req0/xreq.ts";
import { respondent0 } from "./protocol/respondent0/respondent.ts";
import { xrespondent0 } from "./protocol/respondent0/xrespondent.ts";
import { sub0 } from "./protocol/sub0/sub.ts";
import { xsub0 } from "./protocol/sub0/xsub.ts";
import { surveyor0 } from "./protocol/surveyor0/surveyor.ts";
import { xsurveyor0 } from "./protocol/surveyor0/xsurveyor.ts";

/**
 * Opens a socket of one protocol with optional options. Through this type the
 * options are those of any protocol; one the protocol lacks is ENOTSUP at run time
 * (each factory itself, e.g. `req0`, takes only its protocol's options).
 */
export type SocketFactory = (options?: AnyProtocolOptions) => SocketBase;

/**
 * Every protocol the reference offers, by its versioned name (as nngcat's flags and the
 * conformance adapter contract spell them). A new protocol registers itself here with one line.
 *
 * @example
 * ```ts
 * const sock = protocolFactories.rep0?.();
 * ```
 */
export const protocolFactories: Readonly<Record<string, SocketFactory>> = {
  req0,
  rep0,
  pub0,
  sub0,
  push0,
  pull0,
  surveyor0,
  respondent0,
  pair0,
  pair1,
  pair1poly,
  bus0,
  // Raw ("x") variants, as nng's *_open_raw: the SP header is exposed (recvMsg/sendMsg), for devices.
  xreq0,
  xrep0,
  xpub0,
  xsub0,
  xpush0,
  xpull0,
  xsurveyor0,
  xrespondent0,
  xpair0,
  xpair1,
  xbus0,
};

/** Unversioned aliases (`--req` means `--req0`), as nngcat accepts them. */
export const protocolAliases: Readonly<Record<string, string>> = {
  req: "req0",
  rep: "rep0",
  pub: "pub0",
  sub: "sub0",
  push: "push0",
  pull: "pull0",
  surveyor: "surveyor0",
  respondent: "respondent0",
  // As nngcat: --pair means PAIR v1 (pair0 only with --compat).
  pair: "pair1",
  bus: "bus0",
};

/**
 * Opens a socket by protocol name or alias; undefined when the name is unknown.
 * The options are checked against the protocol's entry of the option registry
 * (ENOTSUP for another protocol's option, EINVAL for a bad value).
 *
 * @example
 * ```ts
 * const s = openSocket("req", { resendTime: 100 });
 * ```
 */
export function openSocket(name: string, options?: AnyProtocolOptions): SocketBase | undefined {
  const factory = protocolFactories[protocolAliases[name] ?? name];
  return factory?.(options);
}
