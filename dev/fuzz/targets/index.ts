import type { AnyTarget } from "../target.ts";
import { ipcFrames, tcpFrames } from "./frames.ts";
import { spHeader } from "./header.ts";
import { backtrace, pair1Header } from "./protocol-headers.ts";
import { subscriptions } from "./subscriptions.ts";
import { spcatArgs, urls, wsSubprotocols } from "./text-parsers.ts";

/** Every fuzz target, in run order. */
export const targets: readonly AnyTarget[] = [
  tcpFrames,
  ipcFrames,
  spHeader,
  backtrace,
  pair1Header,
  subscriptions,
  spcatArgs,
  urls,
  wsSubprotocols,
];
