import { describe, expect, it } from "vitest";
import { APT_COMMAND, ensurePeers, type Probe, requirements } from "./ensure.ts";

interface Fake extends Probe {
  present: Set<string>;
  ran: string[];
  out: string[];
  err: string[];
}

/** A fake system: `present` lists the commands/files that exist; `install` what a run adds. */
function fake(opts: {
  present: string[];
  root: boolean;
  install?: string[];
  status?: number;
}): Fake {
  const f: Fake = {
    present: new Set(opts.present),
    ran: [],
    out: [],
    err: [],
    hasCommand: (n) => f.present.has(n),
    hasFile: (p) => f.present.has(p),
    isRoot: () => opts.root,
    run: (cmd) => {
      f.ran.push(cmd);
      for (const x of opts.install ?? []) f.present.add(x);
      return opts.status ?? 0;
    },
    log: (l) => f.out.push(l),
    error: (l) => f.err.push(l),
  };
  return f;
}

const all = requirements.map((r) => r.name);
const withoutPeers = all.filter((n) => n === "cc");

describe("ensurePeers", () => {
  it("is quiet and succeeds when everything is there", () => {
    const f = fake({ present: all, root: false });
    expect(ensurePeers(f)).toBe(0);
    expect(f.out).toHaveLength(1);
    expect(f.err).toEqual([]);
    expect(f.ran).toEqual([]);
  });

  it("prints the apt command and fails when not root", () => {
    const f = fake({ present: withoutPeers, root: false });
    expect(ensurePeers(f)).toBe(1);
    expect(f.ran).toEqual([]);
    expect(f.err.join("\n")).toContain(APT_COMMAND);
    expect(f.err[0]).toContain(
      "nngcat, nanocat, /usr/include/nng/nng.h, /usr/include/nanomsg/nn.h",
    );
  });

  it("installs as root and re-checks", () => {
    const f = fake({ present: withoutPeers, root: true, install: all });
    expect(ensurePeers(f)).toBe(0);
    expect(f.ran).toEqual([APT_COMMAND]);
  });

  it("adds gcc to the install when cc is missing", () => {
    const f = fake({ present: all.filter((n) => n !== "cc"), root: true, install: ["cc"] });
    expect(ensurePeers(f)).toBe(0);
    expect(f.ran).toEqual([`${APT_COMMAND} gcc`]);
  });

  it("fails when the install does not provide everything", () => {
    const f = fake({ present: [], root: true, install: ["nngcat"], status: 100 });
    expect(ensurePeers(f)).toBe(1);
    expect(f.ran).toHaveLength(1);
    expect(f.err.join("\n")).toMatch(/still missing nanocat.*status 100/);
  });

  it("asks for exactly nngcat, nanocat, nng.h, nn.h and cc", () => {
    expect(all).toEqual([
      "nngcat",
      "nanocat",
      "/usr/include/nng/nng.h",
      "/usr/include/nanomsg/nn.h",
      "cc",
    ]);
    expect(APT_COMMAND).toBe(
      "apt-get update && apt-get install -y libnng-dev nng-utils libnanomsg-dev nanomsg-utils",
    );
  });
});
