import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.ts";
import { buildCommand, type Command, intArg, type RunConfig, secondsArg } from "./config.ts";
import { CliError } from "./errors.ts";
import { optionTable } from "./options.ts";

const files: Record<string, string> = { "/tmp/req.bin": "from-file" };
const deps = {
  readFile(path: string): Uint8Array {
    const f = files[path];
    if (f === undefined) throw Object.assign(new Error("nope"), { code: "ENOENT" });
    return Buffer.from(f);
  },
};

function command(argv: string[]): Command {
  return buildCommand(parseArgs(argv, optionTable).options, deps);
}

function config(argv: string[]): RunConfig {
  const c = command(argv);
  if (c.kind !== "run") throw new Error(`expected a run, got ${c.kind}`);
  return c.config;
}

function error(argv: string[]): string {
  try {
    command(argv);
  } catch (e) {
    if (e instanceof CliError) return e.message;
    throw e;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

const U = "tcp://127.0.0.1:5555";

describe("buildCommand", () => {
  it("builds a REQ run with every option", () => {
    const c = config([
      "--req",
      "--dial",
      U,
      "--connect",
      "tcp://h:1",
      "-Q",
      "-D",
      "ping",
      "--count=3",
      "--interval",
      "0.25",
      "-d",
      "2",
      "--recv-timeout",
      "1",
      "--send-timeout:4",
      "-v",
      "-Z",
      "0",
    ]);
    expect(c).toMatchObject({
      protocol: "req0",
      endpoints: [
        { mode: "dial", url: U },
        { mode: "dial", url: "tcp://h:1" },
      ],
      format: "quoted",
      count: 3,
      intervalMs: 250,
      delayMs: 2000,
      recvTimeoutMs: 1000,
      sendTimeoutMs: 4000,
      verbose: true,
      recvMaxSize: 0,
      async: false,
    });
    expect(Buffer.from(c.data ?? []).toString()).toBe("ping");
  });

  it("builds a REP run from nanocat-style short options", () => {
    const c = config(["--rep", "-L1234", "-l", "99", "-A", "-F", "/tmp/req.bin", "-q"]);
    expect(c.endpoints).toEqual([
      { mode: "listen", url: "tcp://127.0.0.1:1234" },
      { mode: "dial", url: "tcp://127.0.0.1:99" },
    ]);
    expect(c.format).toBe("ascii");
    expect(Buffer.from(c.data ?? []).toString()).toBe("from-file");
    expect(c.verbose).toBe(false);
  });

  it("maps --format names, and defaults to printing nothing", () => {
    expect(config(["--rep0", "--bind", U, "--format=hex"]).format).toBe("hex");
    expect(config(["--rep0", "--bind", U, "--format", "no"]).format).toBe("no");
    expect(config(["--rep0", "--bind", U]).format).toBe("no");
    expect(error(["--rep0", "--bind", U, "--format", "xml"])).toBe("Invalid format specified.");
  });

  it("stops at --help and --version", () => {
    expect(command(["--help", "--req0", "--rep0"])).toEqual({ kind: "help" });
    expect(command(["-V"])).toEqual({ kind: "version" });
    expect(error(["--req0", "--rep0", "--help"])).toBe("Only one protocol may be specified.");
  });

  it("uses nngcat's messages, in nngcat's order", () => {
    expect(error(["--req0", "--rep0", "--dial", U])).toBe("Only one protocol may be specified.");
    expect(error(["--pub0", "--sub0", `--dial=${U}`])).toBe("Only one protocol may be specified.");
    expect(error(["--req0"])).toBe("No address specified.");
    expect(error([])).toBe("No address specified.");
    expect(error(["--dial", U])).toBe("No protocol specified.");
    expect(error(["--dial", U, "-D", "x"])).toBe("No protocol specified.");
    expect(error(["--req0", "--dial", U])).toBe("Protocol requires either --file or --data.");
    expect(error(["--rep0", "--dial", U, "--interval", "1"])).toBe(
      "Protocol does not support --interval.",
    );
    expect(error(["--req0", "--dial", U, "-A", "-Q"])).toBe("Format may be specified only once.");
    expect(error(["--req0", "--dial", U, "--format=raw", "--raw"])).toBe(
      "Format may be specified only once.",
    );
    expect(error(["--req0", "--dial", U, "-D", "a", "-F", "/tmp/req.bin"])).toBe(
      "Data (--file, --data) may be specified only once.",
    );
    expect(error(["--req0", "--dial", U, "-F", "/nosuchfile"])).toBe(
      "Cannot open file /nosuchfile: No such file or directory",
    );
    expect(error(["--req0", "--dial", U, "--subscribe=oops", "-D", "x"])).toBe(
      "Protocol does not support --subscribe.",
    );
    expect(error(["--pub0", "--dial", U, "-A", "-D", "x"])).toBe(
      "Protocol does not support --format options.",
    );
    expect(error(["--push0", "--dial", U])).toBe("Protocol requires either --file or --data.");
    expect(error(["--surveyor0", "--dial", U])).toBe("Protocol requires either --file or --data.");
    expect(error(["--sub0", "--dial", U, "-D", "x"])).toBe(
      "Protocol does not support --file or --data.",
    );
    expect(error(["--bus0", "--dial", U, "-i", "1"])).toBe(
      "Option --interval requires either --file or --data.",
    );
    expect(error(["--respondent0", "--dial", U, "-i", "1"])).toBe(
      "Protocol does not support --interval.",
    );
    expect(
      error([
        "--req0",
        "--dial",
        U,
        "-D",
        "x",
        "--cacert",
        "/tmp/req.bin",
        "--cacert=/tmp/req.bin",
      ]),
    ).toBe("CA Certificate (--cacert) may be specified only once.");
    expect(error(["--req0", "--dial", U, "-D", "x", "--cert", "/nosuchfile"])).toBe(
      "Cannot open file /nosuchfile: No such file or directory",
    );
    expect(error(["--compat", "--count=1", "--pair0", "--dial", U])).toBe(
      "Options --count and --compat are incompatible.",
    );
    expect(error(["--compat", "--pair1", "--dial", U])).toBe("Protocol does not support --compat.");
    expect(error(["--pull0", "--interval", "1", "--dial", U])).toBe(
      "Protocol does not support --interval.",
    );
  });

  it("rejects bad numbers like nngcat", () => {
    expect(error(["--req0", "--dial", U, "--count=xyz"])).toBe("Integer argument expected.");
    expect(error(["--req0", "--dial", U, "--count", "-1"])).toBe("Integer argument expected.");
    expect(error(["--req0", "-L", "99999"])).toBe("Integer argument too large.");
    expect(error(["--req0", "--dial", U, "--count="])).toBe("Empty integer argument.");
    expect(error(["--req0", "--dial", U, "-i", "1.2.3"])).toBe("Integer argument expected.");
  });

  it("makes --compat imply --async", () => {
    expect(config(["--compat", "--rep0", "--dial", U]).async).toBe(true);
    expect(error(["--compat", "--async", "--rep0", "--dial", U])).toBe(
      "Options --async and --compat are incompatible.",
    );
  });
});

describe("protocols, topics and TLS", () => {
  it("resolves --pair to pair1, or pair0 with --compat; aliases by prefix", () => {
    expect(config(["--pair", "--dial", U]).protocol).toBe("pair1");
    expect(config(["--pair", "--compat", "--dial", U]).protocol).toBe("pair0");
    expect(config(["--bus", "--dial", U]).protocol).toBe("bus0");
    expect(config(["--pub", "--dial", U, "-D", "x"]).protocol).toBe("pub0");
    expect(config(["--push", "--dial", U, "-D", "x"]).protocol).toBe("push0");
    expect(config(["--pull", "--dial", U]).protocol).toBe("pull0");
    expect(config(["--surv", "--dial", U, "-D", "x"]).protocol).toBe("surveyor0");
    expect(config(["--resp", "--dial", U]).protocol).toBe("respondent0");
    expect(config(["--sub", "--dial", U]).protocol).toBe("sub0");
  });

  it("a SUB without --subscribe subscribes to everything; topics keep their order", () => {
    expect(config(["--sub0", "--dial", U]).topics).toEqual([""]);
    expect(config(["--sub0", "--dial", U, "--subscribe=one", "--subscribe", "two"]).topics).toEqual(
      ["one", "two"],
    );
    expect(config(["--req0", "--dial", U, "-D", "x"]).topics).toEqual([]);
  });

  it("reads TLS files; the key defaults to the certificate file", () => {
    const c = config(["--req0", "--dial", U, "-D", "x", "-E", "/tmp/req.bin", "-k"]);
    expect(Buffer.from(c.tls.cert ?? []).toString()).toBe("from-file");
    expect(Buffer.from(c.tls.key ?? []).toString()).toBe("from-file");
    expect(c.tls.insecure).toBe(true);
    expect(c.tls.cacert).toBeUndefined();
  });
});

describe("number arguments", () => {
  it("intArg accepts digits up to the maximum", () => {
    expect(intArg("0", 5)).toBe(0);
    expect(intArg("65536", 65536)).toBe(65536);
    expect(() => intArg("65537", 65536)).toThrow("Integer argument too large.");
    expect(() => intArg("1e3", 9999)).toThrow("Integer argument expected.");
  });

  it("secondsArg takes whole or decimal seconds, up to a day", () => {
    expect(secondsArg("3")).toBe(3000);
    expect(secondsArg("0.5")).toBe(500);
    expect(secondsArg(".25")).toBe(250);
    expect(secondsArg("86400")).toBe(86400000);
    expect(() => secondsArg("86401")).toThrow("Integer argument too large.");
    expect(() => secondsArg("86400.5")).toThrow("Integer argument too large.");
    expect(() => secondsArg("1.")).toThrow("Integer argument expected.");
  });
});
