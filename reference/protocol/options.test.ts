import { afterEach, describe, expect, it } from "vitest";
import { coreOptions } from "../core/options.ts";
import type { SocketBase } from "../core/socket.ts";
import { protocolFactories } from "../protocols.ts";
import { optionRegistry, optionsOf, optionTable, protocolsWithOption } from "./options.ts";
import { pair1 } from "./pair1/pair.ts";
import { pair1poly } from "./pair1/poly.ts";
import { pub0 } from "./pub0/pub.ts";
import { push0 } from "./push0/push.ts";
import type { Rep0Socket } from "./rep0/rep.ts";
import { req0 } from "./req0/req.ts";
import { xreq0 } from "./req0/xreq.ts";
import { sub0 } from "./sub0/sub.ts";
import { surveyor0 } from "./surveyor0/surveyor.ts";

const open: SocketBase[] = [];
const track = <T extends SocketBase>(s: T): T => {
  open.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const code = (c: string) => expect.objectContaining({ code: c });

/**
 * Never called: `tsc --noEmit` checks it. Each `@ts-expect-error` must meet an
 * error, so the lines below it are what does not compile.
 */
function typedOptionApi(): void {
  // @ts-expect-error a REQ has no survey time
  req0({ surveyTime: 100 });
  req0({ resendTime: 100, recvTimeout: 5 });
  surveyor0({ surveyTime: 100 });

  const req = req0();
  // @ts-expect-error a misspelt name
  req.setOption("resendTme", 1);
  // @ts-expect-error a number, not a string
  req.setOption("resendTime", "1");
  req.setOption("resendTime", 1);
  req.setOption("req:resend-time", 1);
  req.setOption("recv-timeout", 1);
  req.getOption("resendTime");
  // @ts-expect-error another protocol's option
  req.setOption("ttl-max", 4);

  // @ts-expect-error PUB has only the generic options
  pub0().setOption("resendTime", 1);
  pub0().setOption("sendTimeout", 1);

  const sub = sub0();
  sub.setOption("sub:subscribe", "weather.");
  sub.setOption("unsubscribe", new Uint8Array([1]));
  // @ts-expect-error a topic is bytes or a string
  sub.setOption("subscribe", 1);
  // @ts-expect-error a topic cannot be read back
  sub.getOption("subscribe");

  // @ts-expect-error fixed by the factory
  pair1().setOption("polyamorous", 1);
  pair1poly().getOption("pair1:polyamorous");
  xreq0().setOption("ttl-max", 4);
  // @ts-expect-error a raw REQ does not resend
  xreq0().setOption("resendTime", 1);
  push0().setOption("send-priority", 2);

  // Through the base type, or a union of socket types: what they all have.
  const any: SocketBase = req;
  any.setOption("sendTimeout", 1);
  // @ts-expect-error not every socket has it
  any.setOption("resendTime", 1);
  const either = req as typeof req | Rep0Socket;
  either.setOption("recvTimeout", 1);
  // @ts-expect-error REP has no resend time
  either.setOption("resendTime", 1);
  // A name known only at run time takes the checked, untyped path.
  any.setOptionDynamic(String("resendTime"), 1);
}

describe("the option registry", () => {
  it("has an entry for every protocol factory, and each socket uses its entry", () => {
    expect(Object.keys(optionRegistry).sort()).toEqual(Object.keys(protocolFactories).sort());
    for (const [name, open] of Object.entries(protocolFactories)) {
      const s = track(open());
      expect(s.optionSet).toBe(optionsOf(name));
    }
  });

  it("gives each protocol the generic rows and its own, nothing else", () => {
    const own = (p: keyof typeof optionRegistry) =>
      optionRegistry[p].specs.filter((s) => !s.generic).map((s) => s.name);
    expect(own("req0")).toEqual(["resendTime"]);
    expect(own("surveyor0")).toEqual(["surveyTime"]);
    expect(own("pub0")).toEqual([]);
    expect(own("sub0")).toEqual(["subscribe", "unsubscribe"]);
    expect(own("push0")).toEqual(["sendPriority"]);
    expect(own("pair1")).toEqual(["maxTtl", "polyamorous"]);
    expect(own("xreq0")).toEqual(["maxTtl"]);
    expect(own("rep0")).toEqual(["maxTtl"]);
    for (const s of Object.values(optionRegistry)) {
      expect(s.specs.filter((o) => o.generic).map((o) => o.name)).toEqual(Object.keys(coreOptions));
    }
    expect(protocolsWithOption("req:resend-time")).toEqual(["req0"]);
  });

  it("lists every option once, with the nng names the adapters declare", () => {
    const names = optionTable.map((o) => o.nngName);
    expect(new Set(names).size).toBe(names.length);
    for (const n of [
      "recv-size-max",
      "req:resend-time",
      "surveyor:survey-time",
      "ttl-max",
      "sub:subscribe",
      "send-priority",
      "pair1:polyamorous",
    ]) {
      expect(names).toContain(n);
    }
  });
});

describe("options on sockets", () => {
  it("take our names and nng's, through setOption and the factory", () => {
    const req = track(req0({ resendTime: 250 }));
    expect(req.getOption("req:resend-time")).toBe(250);
    req.setOption("req:resend-time", 300);
    expect(req.options.resendTime).toBe(300);
    const byNng = track(req0({ "req:resend-time": 40 } as never));
    expect(byNng.getOption("resendTime")).toBe(40);
  });

  it("refuse another protocol's option with ENOTSUP and an unknown name with EINVAL", () => {
    const pub = track(pub0());
    expect(() => pub.setOptionDynamic("resendTime", 1)).toThrow(code("ENOTSUP"));
    expect(() => pub.setOptionDynamic("req:resend-time", 1)).toThrow(code("ENOTSUP"));
    expect(() => pub.getOptionDynamic("surveyor:survey-time")).toThrow(code("ENOTSUP"));
    expect(() => pub.setOptionDynamic("resendTme", 1)).toThrow(code("EINVAL"));
    expect(() => pub.getOptionDynamic("bogus")).toThrow(code("EINVAL"));
    expect(() => track(req0({ surveyTime: 1 } as never))).toThrow(code("ENOTSUP"));
    expect(() => track(req0({ bogus: 1 } as never))).toThrow(code("EINVAL"));
  });

  it("check values against the row (EINVAL)", () => {
    const req = track(req0());
    expect(() => req.setOption("resendTime", -1)).toThrow(code("EINVAL"));
    expect(() => req.setOption("resendTime", 1.5)).toThrow(code("EINVAL"));
    expect(() => req.setOptionDynamic("resendTime", "100")).toThrow(code("EINVAL"));
    expect(() => track(push0({ sendPriority: 17 }))).toThrow(code("EINVAL"));
    expect(req.getOption("resendTime")).toBe(60000);
  });

  it("keep read-only options fixed (pair1 or pair1poly)", () => {
    const mono = track(pair1());
    const poly = track(pair1poly());
    expect(mono.getOption("pair1:polyamorous")).toBe(0);
    expect(poly.getOption("polyamorous")).toBe(1);
    expect(() => mono.setOptionDynamic("pair1:polyamorous", 1)).toThrow(code("ENOTSUP"));
    expect(() => track(pair1({ polyamorous: 1 } as never))).toThrow(code("ENOTSUP"));
  });

  it("apply PUSH's send priority to the endpoints created after it is set", async () => {
    const push = track(push0());
    expect(push.getOption("send-priority")).toBe(8);
    push.setOption("sendPriority", 2);
    expect(push.options.sendPriority).toBe(2);
    expect(typeof typedOptionApi).toBe("function");
  });
});
