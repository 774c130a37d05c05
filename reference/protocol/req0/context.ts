import { createReqLogic, type ReqImplementation, reqCompiled } from "../../../spec/machines/req.ts";
import type { RecvOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import { neverIfZero } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import { createSpecActor } from "../../core/spec-actor.ts";
import type { Waiter } from "../../core/waiter.ts";
import { AskingContext, type ContextLink } from "../shared/contexts.ts";
import { carriesId } from "../shared/request-ids.ts";

/** The compiled `req` table the reference runs (or one regenerated from an edited draft). */
export type ReqMachine = typeof reqCompiled;

/** What each `req` event carries in `arg` (the payload map the machine is bound with). */
interface ReqArgs {
  /** The request body. */
  send: Buffer;
  /** The caller's pending recv. */
  recv: Waiter<Buffer>;
  /** A whole reply, request id word first. */
  reply: Buffer;
  close: undefined;
  pipeAdded: Pipe;
  pipeRemoved: Pipe;
}

/** What a {@link ReqContext} needs from its socket (shared pipes, the one id map). */
export interface ReqContextHost
  extends ContextLink<ReqContext, { readonly resendTime: number; readonly recvTimeout: number }> {
  /** True when some pipe can take a request now (attached, and its write backlog not full). */
  pipeReady(): boolean;
  /** The next pipe that can take a request, round robin (SP-REQREP-21); undefined if none can. */
  pickPipe(): Pipe | undefined;
  /** A fresh request id, unique on the socket (SP-REQREP-23), mapped to `ctx` in its id map. */
  claimId(ctx: ReqContext): number;
  /** Forgets `id` in the socket's id map. */
  releaseId(id: number): void;
}

/**
 * One REQ context (as nng's `nng_ctx`): its own outstanding request, resend
 * timer and pending `recv`, driven by its own `req` actor. Many contexts share
 * one socket's pipes; replies reach the right context through the socket's
 * request-id map. The socket's own `send`/`recv` use a default context.
 *
 * @example
 * ```ts
 * const ctx = req.openContext();
 * await ctx.send("ping");
 * const reply = await ctx.recv();
 * ctx.close();
 * ```
 */
export class ReqContext extends AskingContext<ReqContextHost> {
  /** The outstanding request: its id and the `[id] body` payload parts. */
  private reqId = -1;
  private idWord: Buffer | null = null;
  private body: Buffer | null = null;
  /** The pipe that carried the last transmission. */
  private carrier: Pipe | null = null;
  private waiter: Waiter<Buffer> | null = null;
  /** A reply that arrived before anybody called recv. */
  private kept: Buffer | null = null;
  private readonly word = Buffer.alloc(4);
  private readonly actor;

  constructor(host: ReqContextHost, machine: ReqMachine = reqCompiled) {
    super(host);
    const impl: ReqImplementation<ReqArgs> = {
      actions: {
        newRequest: ({ event }) => {
          // SP-REQREP-3/-23: the next id, top bit set, unique across the socket's contexts.
          this.forgetRequest();
          this.reqId = host.claimId(this);
          // One id word per context, rewritten in place: the request's id word is
          // copied by a pipe with a copyLimit, or taken fresh in `transmit` otherwise.
          this.word.writeUInt32BE(this.reqId, 0);
          this.idWord = this.word;
          this.body = event.arg;
          this.kept = null;
        },
        transmit: () => {
          // SP-REQREP-5: the request goes out as exactly `[id] body`.
          // SP-REQREP-21: pipes are used round robin, skipping those whose backlog is full.
          // A resend that finds every pipe backed up is skipped: the earlier copy still waits
          // in its carrier's queue, and the next resend interval tries again.
          const pipe = host.pickPipe();
          if (!pipe || !this.idWord || !this.body) return;
          this.carrier = pipe;
          const copied = 4 + this.body.length <= (pipe.copyLimit ?? -1);
          pipe.send(copied ? this.idWord : Buffer.from(this.idWord), this.body);
        },
        cancelRequest: ({ event }) => {
          // SP-REQREP-10: the old id is forgotten, so its late reply fails idMatches.
          // SP-REQREP-37: a recv waiting for it fails with ECANCELED;
          // SP-REQREP-20: on close the pending recv fails with ECLOSED instead.
          this.forgetRequest();
          this.kept = null;
          const code = event.type === "close" ? "ECLOSED" : "ECANCELED";
          this.waiter?.fail(new SPError(code));
          this.waiter = null;
        },
        awaitReply: ({ event }) => {
          const w = event.arg;
          if (this.waiter && !this.waiter.settled) {
            w.fail(new SPError("ESTATE", "another recv is already waiting"));
            return;
          }
          this.waiter = w;
        },
        deliverReply: ({ event }) => {
          // SP-REQREP-7: the id word is stripped before delivery.
          // SP-REQREP-24: forgetting the id drops every later reply to this request.
          const body = event.arg.subarray(4);
          this.forgetRequest();
          const w = this.waiter;
          this.waiter = null;
          // SP-REQREP-33: with no recv waiting, the reply is kept for the next one.
          if (!w?.resolve(body)) this.kept = body;
        },
        // SP-REQREP-6: replies that do not answer the outstanding request are ignored;
        // SP-FRAMEWORK-26: decided as each reply arrives, so a REQ never stops reading.
        dropReply: () => host.count("rxDropped"),
        failRecvState: ({ event }) => {
          // SP-REQREP-11: recv with no request outstanding fails.
          event.arg.fail(new SPError("ESTATE", "no request outstanding"));
        },
      },
      guards: {
        // SP-REQREP-12: a request waits while no pipe can take it (none, or all backed up).
        pipeAvailable: () => host.pipeReady(),
        // SP-REQREP-6: at least 4 bytes, top bit set, and the outstanding id.
        idMatches: ({ event }) => carriesId(event.arg, this.reqId),
        // SP-REQREP-9: only the loss of the carrying pipe triggers a resend.
        carriedRequest: ({ event }) => event.arg === this.carrier,
      },
      delays: {
        // SP-REQREP-8: resend after resendTime; 0 means never.
        resendTime: () => neverIfZero(host.options.resendTime),
      },
    };
    const provided = createReqLogic(impl, machine);
    this.actor = createSpecActor(provided);
    this.actor.start();
  }

  protected ask(body: Buffer): void {
    this.actor.send({ type: "send", arg: body });
  }

  /**
   * Receives the reply to this context's outstanding request (id stripped).
   * ETIMEDOUT after `recvTimeout` (or `opts.timeoutMs`), ECANCELED when
   * `opts.signal` aborts. Either way only this recv ends: the request stays
   * outstanding (and is resent as usual), and a reply that comes later is
   * kept for the next recv. A new `send` is what cancels a request.
   *
   * @example
   * ```ts
   * const reply = await ctx.recv({ signal: AbortSignal.timeout(1000) });
   * ```
   */
  recv(opts?: RecvOptions): Promise<Buffer> {
    const refused = this.refusal(opts);
    if (refused) return Promise.reject(refused);
    // SP-REQREP-33: a reply that came before recv was kept for it; this recv takes it at once.
    if (this.kept) {
      const body = this.kept;
      this.kept = null;
      return Promise.resolve(body);
    }
    // A recv that times out or is aborted only unlinks itself (the same path for both).
    const w = this.recvWaiter(opts, (gone) => {
      if (this.waiter === gone) this.waiter = null;
    });
    this.actor.send({ type: "recv", arg: w });
    return w.promise;
  }

  /**
   * Closes the context: its pending recv fails with ECLOSED, its request is forgotten.
   *
   * @example
   * ```ts
   * ctx.close();
   * ```
   */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    // SP-REQREP-34: the machine leaves `waiting` (no more resends) and the id is
    // released below, so a late reply to it matches no context and is dropped.
    if (this.actor.getSnapshot().status === "active") this.actor.send({ type: "close" });
    this.waiter?.fail(new SPError("ECLOSED"));
    this.waiter = null;
    this.kept = null;
    this.forgetRequest();
    this.host.forget(this);
  }

  /** Socket → context: a reply whose id the map gave to this context (or, default context: one naming no context). */
  reply(msg: Buffer): void {
    if (this.actor.getSnapshot().status === "active") this.actor.send({ type: "reply", arg: msg });
  }

  /**
   * Socket → context: a pipe was added or can take messages again after its
   * backlog drained (`pipeAdded`, SP-REQREP-12), or was removed (SP-REQREP-9).
   */
  pipeEvent(type: "pipeAdded" | "pipeRemoved", pipe: Pipe): void {
    if (this.actor.getSnapshot().status === "active") this.actor.send({ type, arg: pipe });
  }

  private forgetRequest(): void {
    if (this.reqId >= 0) this.host.releaseId(this.reqId);
    this.reqId = -1;
    this.idWord = null;
    this.body = null;
    this.carrier = null;
  }
}
