/**
 * The option table of `spcat`.
 *
 * The long names are exactly nngcat's (1.5.x), including the options spcat does
 * not implement, so that abbreviations resolve the same way in both tools
 * (`--re` is ambiguous, `--req` means `--req0`, `--list` means `--listen`).
 * Options spcat cannot honour are rejected later with a clear message.
 *
 * @module
 */
import type { OptionSpec } from "./args.ts";

/** What an option means to spcat. Aliases share a key. */
export type OptionKey =
  | "help"
  | "verbose"
  | "silent"
  | "version"
  | "req0"
  | "rep0"
  | "push0"
  | "pull0"
  | "pub0"
  | "sub0"
  | "surveyor0"
  | "respondent0"
  | "pair"
  | "pair0"
  | "pair1"
  | "bus0"
  | "dial"
  | "listen"
  | "dial-local"
  | "listen-local"
  | "dial-ipc"
  | "listen-ipc"
  | "data"
  | "file"
  | "subscribe"
  | "format"
  | "ascii"
  | "quoted"
  | "raw"
  | "hex"
  | "msgpack"
  | "compat"
  | "async"
  | "recv-maxsz"
  | "count"
  | "delay"
  | "interval"
  | "recv-timeout"
  | "send-timeout"
  | "socket-name"
  | "insecure"
  | "cacert"
  | "key"
  | "cert"
  | "zt-home";

/** Protocol keys, in the order the help lists them. */
export const protocolKeys = [
  "req0",
  "rep0",
  "pub0",
  "sub0",
  "push0",
  "pull0",
  "surveyor0",
  "respondent0",
  "pair0",
  "pair1",
  "pair",
  "bus0",
] as const satisfies readonly OptionKey[];

/** A protocol option key. */
export type ProtocolKey = (typeof protocolKeys)[number];

/** Output format keys (the `--format` values map onto these, plus `no`). */
export const formatKeys = ["ascii", "quoted", "raw", "hex", "msgpack"] as const;

/**
 * The table; rows without `help` are aliases, listed in `--help` with the row of
 * their key that has help. Every option nngcat accepts is listed.
 */
export const optionTable: readonly OptionSpec<OptionKey>[] = [
  {
    name: "help",
    short: "h",
    key: "help",
    help: "print this help and exit (status 1, like nngcat)",
  },
  { name: "verbose", short: "v", key: "verbose", help: "print where the socket listens/dials" },
  { name: "silent", short: "q", key: "silent", help: "print no progress messages" },
  { name: "req0", key: "req0", help: "REQ socket (abbreviation: --req)" },
  { name: "rep0", key: "rep0", help: "REP socket (abbreviation: --rep)" },
  { name: "push0", key: "push0", help: "PUSH socket, send only (abbreviation: --push)" },
  { name: "pull0", key: "pull0", help: "PULL socket, receive only (abbreviation: --pull)" },
  { name: "pub0", key: "pub0", help: "PUB socket, send only (abbreviation: --pub)" },
  { name: "sub", key: "sub0" },
  { name: "sub0", key: "sub0", help: "SUB socket, receive only (see --subscribe)" },
  { name: "surveyor0", key: "surveyor0", help: "SURVEYOR socket (abbreviation: --surveyor)" },
  {
    name: "respondent0",
    key: "respondent0",
    help: "RESPONDENT socket (abbreviation: --respondent)",
  },
  { name: "pair", key: "pair", help: "PAIR socket: pair1, or pair0 with --compat" },
  { name: "pair0", key: "pair0", help: "PAIR v0 socket" },
  { name: "pair1", key: "pair1", help: "PAIR v1 socket" },
  { name: "bus0", key: "bus0", help: "BUS socket (abbreviation: --bus)" },
  {
    name: "dial",
    key: "dial",
    value: "url",
    help: "dial URL (repeatable; see --async)",
  },
  { name: "listen", key: "listen", value: "url", help: "listen at URL (repeatable)" },
  {
    name: "data",
    short: "D",
    key: "data",
    value: "data",
    help: "message to send (the reply for REP/RESPONDENT)",
  },
  {
    name: "file",
    short: "F",
    key: "file",
    value: "path",
    help: "like --data, read from PATH (- = stdin)",
  },
  {
    name: "subscribe",
    key: "subscribe",
    value: "topic",
    help: "SUB: subscribe to TOPIC (repeatable; none = everything)",
  },
  {
    name: "format",
    key: "format",
    value: "no|ascii|hex|msgpack|quoted|raw",
    help: "output format",
  },
  { name: "ascii", short: "A", key: "ascii", help: "printable bytes, others as '.'" },
  { name: "quoted", short: "Q", key: "quoted", help: 'C-style "quoted" line per message' },
  { name: "raw", key: "raw", help: "bytes as received, no delimiter" },
  { name: "hex", key: "hex", help: 'every byte as \\xNN in a "quoted" line' },
  { name: "compat", key: "compat", help: "nanomsg compatibility (implies --async)" },
  {
    name: "async",
    key: "async",
    help: "do not wait for dials; retry failures quietly",
  },
  { name: "msgpack", key: "msgpack", help: "each message as a msgpack bin object" },
  {
    name: "recv-maxsz",
    short: "Z",
    key: "recv-maxsz",
    value: "size",
    help: "largest message accepted (0 = no limit)",
  },
  {
    name: "count",
    short: "C",
    key: "count",
    value: "num",
    help: "stop after NUM messages (0 = no limit)",
  },
  { name: "delay", short: "d", key: "delay", value: "secs", help: "wait before the first send" },
  {
    name: "interval",
    short: "i",
    key: "interval",
    value: "secs",
    help: "send again every SECS",
  },
  {
    name: "recv-timeout",
    key: "recv-timeout",
    value: "secs",
    help: "give up receiving after SECS",
  },
  { name: "send-timeout", key: "send-timeout", value: "secs", help: "give up sending after SECS" },
  { name: "socket-name", key: "socket-name", value: "name", help: "accepted and ignored" },
  { name: "bind", key: "listen", value: "url" },
  { name: "connect", key: "dial", value: "url" },
  {
    name: "bind-ipc",
    short: "X",
    key: "listen-ipc",
    value: "path",
    help: "listen at ipc:///PATH",
  },
  { name: "connect-ipc", short: "x", key: "dial-ipc", value: "path", help: "dial ipc:///PATH" },
  {
    name: "bind-local",
    short: "L",
    key: "listen-local",
    value: "port",
    help: "listen at tcp://127.0.0.1:PORT",
  },
  {
    name: "connect-local",
    short: "l",
    key: "dial-local",
    value: "port",
    help: "dial tcp://127.0.0.1:PORT",
  },
  { name: "insecure", short: "k", key: "insecure", help: "TLS: do not verify the peer" },
  { name: "cacert", key: "cacert", value: "file", help: "TLS: CA certificate chain (PEM)" },
  { name: "key", key: "key", value: "file", help: "TLS: private key (PEM; default: --cert)" },
  { name: "cert", short: "E", key: "cert", value: "file", help: "TLS: own certificate (PEM)" },
  {
    name: "zt-home",
    key: "zt-home",
    value: "path",
    help: "accepted and ignored (no ZeroTier transport)",
  },
  { name: "version", short: "V", key: "version", help: "print the version and exit" },
];
