/**
 * nng 1.5.2's URL verdicts, as measured with nngcat (each row's message is
 * what `nngcat --rep0 --dial URL` printed). The spawning tests in
 * dial-errors.test.ts compare a few of them with nngcat itself.
 */
import { describe, expect, it } from "vitest";
import { describeDialError, describeError } from "./errors.ts";
import { nngUrlVerdict } from "./nng-url.ts";

describe("nngUrlVerdict", () => {
  it.each([
    // Malformed for nng whatever the scheme: "Invalid argument".
    ["bad", "EINVAL"],
    ["x:/y", "EINVAL"],
    ["foo://[bad", "EINVAL"],
    ["foo://[::1]x", "EINVAL"],
    ["foo://a:", "EINVAL"],
    ["foo://a@b@c", "EINVAL"],
    ["foo://h/%zz", "EINVAL"],
    ["tcp://[::1:5", "EINVAL"],
    ["tcp://[::1]:", "EINVAL"],
    ["tcp://127.0.0.1:", "EINVAL"],
    ["tcp://:", "EINVAL"],
    ["TCP://[bad", "EINVAL"],
    ["ws://127.0.0.1:1/%4", "EINVAL"],
    ["ws://127.0.0.1:1/a?%zz", "EINVAL"],
    // Well formed, but no transport can have the scheme: "Not supported".
    ["://x", "ENOTSUP"],
    ["a b://x:1", "ENOTSUP"],
  ])("%s is %s", (url, verdict) => {
    expect(nngUrlVerdict(url)).toBe(verdict);
  });

  it.each([
    // Left to the library: it answers Not supported, Address invalid or dials.
    "foo://127.0.0.1:1",
    "foo://a:b",
    "foo://[x]",
    "tcp://127.0.0.1:5555",
    "tcp://[::1]:1",
    "tcp://a@b:5",
    "tcp://127.0.0.1",
    "tcp://h:1/x",
    "tcp://127.0.0.1:abc",
    "ipc:///tmp/x.sock",
    "ipc://[bad",
    "ipc://a@b@c",
    "inproc://[x",
    "ws://127.0.0.1:1/%41",
  ])("%s is the library's to judge", (url) => {
    expect(nngUrlVerdict(url)).toBeUndefined();
  });
});

describe("nng's words for dial failures", () => {
  it("names the new library codes as nng does", () => {
    expect(describeError({ code: "ECONNSHUT" })).toBe("Connection shutdown");
    expect(describeError({ code: "EPEERAUTH" })).toBe("Peer could not be authenticated");
    expect(describeError({ code: "ECRYPTO" })).toBe("Cryptographic error");
  });

  it("says Cryptographic error for a verification failure when a CA was given", () => {
    expect(describeDialError({ code: "EPEERAUTH" }, true)).toBe("Cryptographic error");
    expect(describeDialError({ code: "EPEERAUTH" }, false)).toBe("Peer could not be authenticated");
    expect(describeDialError({ code: "ECONNREFUSED" }, true)).toBe("Connection refused");
  });
});
