/**
 * createSpecActor and recordTransitions on real spec machines, in both forms
 * (the statechart and the compiled form the reference runs): each transition
 * taken is reported as the id of its row in the draft's table (guards, negated
 * guards, eventless and delayed rows, entry rows), the same ids for both
 * forms, and nothing is inspected while no recorder is installed.
 */

import { afterEach, describe, expect, test } from "vitest";
import type { AnyActorLogic } from "xstate";
import { compiledLogic } from "../../spec/machines/compiled.ts";
import {
  allTransitions,
  machineForms,
  pairSlotActionNames,
  reqActionNames,
  tcpPipeActionNames,
} from "../../spec/machines/index.ts";
import { Rep0Socket } from "../protocol/rep0/rep.ts";
import { Req0Socket } from "../protocol/req0/req.ts";
import { createSpecActor, recordTransitions, type TransitionInfo } from "./spec-actor.ts";

const noop = () => {};
const noops = <T extends string>(names: readonly T[]) =>
  Object.fromEntries(names.map((n) => [n, noop])) as Record<T, () => void>;
const known = new Set(allTransitions.map((t) => t.id));

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
});

/** Installs a recorder and returns the ids it hears, in order. */
function record(tag?: () => unknown): { ids: string[]; infos: TransitionInfo[] } {
  const ids: string[] = [];
  const infos: TransitionInfo[] = [];
  uninstall = recordTransitions(
    (id, info) => {
      ids.push(id);
      infos.push(info);
    },
    tag ? { tag } : {},
  );
  return { ids, infos };
}

type Form = "statechart" | "compiled";

/** Machine `id` in `form`, bound to `impl`. */
function logicOf(form: Form, id: keyof typeof machineForms, impl: object): AnyActorLogic {
  const forms = machineForms[id];
  if (form === "compiled") return compiledLogic(forms.compiled as never, impl as never);
  return (forms.statechart as unknown as { provide(i: object): AnyActorLogic }).provide(impl);
}

describe.each<Form>(["statechart", "compiled"])("createSpecActor, %s form", (form) => {
  function reqActor(guards: { pipeAvailable: boolean; idMatches: boolean }, resendTime = 60000) {
    return createSpecActor(
      logicOf(form, "req", {
        actions: noops(reqActionNames),
        guards: {
          pipeAvailable: () => guards.pipeAvailable,
          idMatches: () => guards.idMatches,
          carriedRequest: () => true,
        },
        delays: { resendTime },
      }),
    );
  }

  test("without a recorder it passes no inspect callback to xstate", () => {
    const actor = reqActor({ pipeAvailable: false, idMatches: false });
    expect(actor.options.inspect).toBeUndefined();
    actor.start();
    actor.send({ type: "send" });
    expect(actor.getSnapshot().value).toBe("pending");
    actor.stop();
  });

  test("req: plain, eventless and guarded rows, and the unguarded row sharing state and event", () => {
    const { ids, infos } = record();
    const guards = { pipeAvailable: true, idMatches: false };
    const actor = reqActor(guards);
    actor.start();
    actor.send({ type: "send" }); // idle → pending, then always[pipeAvailable] → waiting
    actor.send({ type: "reply" }); // id does not match: dropped
    guards.idMatches = true;
    actor.send({ type: "reply" }); // delivered
    actor.send({ type: "close" });
    actor.stop();
    expect(ids).toEqual([
      "req:idle:send",
      "req:pending:always[pipeAvailable]",
      "req:waiting:reply",
      "req:waiting:reply[idMatches]",
      "req:idle:close",
    ]);
    expect(infos.every((i) => i.machine === "req" && i.known)).toBe(true);
  });

  test("req: a delayed row is after:<delay name>", async () => {
    const { ids } = record();
    const actor = reqActor({ pipeAvailable: false, idMatches: false }, 5);
    actor.start();
    actor.send({ type: "send" });
    actor.send({ type: "pipeAdded" });
    await expect.poll(() => ids.includes("req:waiting:after:resendTime")).toBe(true);
    actor.stop();
    expect(ids.slice(0, 3)).toEqual([
      "req:idle:send",
      "req:pending:pipeAdded",
      "req:waiting:after:resendTime",
    ]);
  });

  test("tcp-pipe: the initial state's entry row and negated guards in table order", () => {
    const { ids } = record();
    const valid = { magic: false, reserved: true, peer: true };
    const make = () =>
      createSpecActor(
        logicOf(form, "tcp-pipe", {
          actions: noops(tcpPipeActionNames),
          guards: {
            magicValid: () => valid.magic,
            reservedZero: () => valid.reserved,
            peerCompatible: () => valid.peer,
          },
          delays: { handshakeTimeout: 60000 },
        }),
      );
    const bad = make().start();
    bad.send({ type: "header" });
    valid.magic = true;
    valid.peer = false;
    const incompatible = make().start();
    incompatible.send({ type: "header" });
    valid.peer = true;
    const good = make().start();
    good.send({ type: "header" });
    good.send({ type: "close" });
    expect(ids).toEqual([
      "tcp-pipe:handshake:entry",
      "tcp-pipe:handshake:header[!magicValid]",
      "tcp-pipe:handshake:entry",
      "tcp-pipe:handshake:header[!peerCompatible]",
      "tcp-pipe:handshake:entry",
      "tcp-pipe:handshake:header",
      "tcp-pipe:active:close",
    ]);
  });

  test("pair-slot: an eventless row with a negated guard", () => {
    const { ids } = record();
    let parked = 1;
    const actor = createSpecActor(
      logicOf(form, "pair-slot", {
        actions: noops(pairSlotActionNames),
        guards: { sendsParked: () => parked > 0, isOccupant: () => true },
        delays: { sendTimeout: 60000 },
      }),
    ).start();
    actor.send({ type: "send" }); // empty → waiting, a send parked
    parked = 0;
    actor.send({ type: "send" }); // stays, then always[!sendsParked] → empty
    actor.stop();
    expect(ids).toEqual([
      "pair-slot:empty:send",
      "pair-slot:waiting:send",
      "pair-slot:waiting:always[!sendsParked]",
    ]);
  });

  test("only actors created while a recorder is installed report, to that recorder, until it is removed", () => {
    const before = reqActor({ pipeAvailable: true, idMatches: true }).start();
    let n = 0;
    const { ids, infos } = record(() => `tag${++n}`);
    const during = reqActor({ pipeAvailable: true, idMatches: true }).start();
    before.send({ type: "send" });
    during.send({ type: "send" });
    const stop = uninstall;
    stop?.();
    during.send({ type: "reply" });
    expect(ids).toEqual(["req:idle:send", "req:pending:always[pipeAvailable]"]);
    expect(infos.map((i) => i.tag)).toEqual(["tag1", "tag1"]);
    before.stop();
    during.stop();
  });

  test("a reference REQ/REP exchange reports rows of the req, rep and pipe tables only", async () => {
    const { ids } = record();
    const rep = new Rep0Socket();
    const req = new Req0Socket();
    try {
      await rep.listen("inproc://spec-actor-test");
      req.dial("inproc://spec-actor-test");
      await req.send("ping");
      await rep.send(await rep.recv());
      await req.recv();
    } finally {
      await Promise.all([req.close(), rep.close()]);
    }
    expect(ids).toContain("req:idle:send");
    expect(ids).toContain("req:waiting:reply[idMatches]");
    expect(ids.some((id) => id.startsWith("rep:"))).toBe(true);
    expect(ids.some((id) => id.startsWith("inproc-pipe:"))).toBe(true);
    expect(ids.filter((id) => !known.has(id))).toEqual([]);
  });
});
