import type { CallOptions } from "../../core/call-options.ts";
import { SPError } from "../../core/errors.ts";
import type { OptionInit, OptionSet, TtlOptionRows } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { ProtocolIdentity } from "../../core/transport.ts";
import { splitBacktrace } from "../rep0/backtrace.ts";
import { type RawInternals, RawSocket } from "./raw-socket.ts";

/**
 * Raw requesting side (XREQ, XSURVEYOR): the header of a received reply is its
 * backtrace (words up to the one with the top bit set); sends carry the
 * application's header unchanged, round robin (REQ) or to every pipe (SURVEYOR).
 *
 * @example
 * ```ts
 * class XReq0Socket extends RawRequester { ... "roundRobin" ... }
 * ```
 */
export abstract class RawRequester extends RawSocket<TtlOptionRows> {
  readonly canSend = true;
  readonly canRecv = true;

  protected constructor(
    identity: ProtocolIdentity,
    private readonly mode: "roundRobin" | "broadcast",
    options: OptionInit<TtlOptionRows> | undefined,
    internals: RawInternals | undefined,
    optionSet: OptionSet<TtlOptionRows>,
  ) {
    super(identity, options, internals, optionSet);
  }

  protected split(_pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } | undefined {
    const r = splitBacktrace(msg, this.options.maxTtl);
    if (r.kind === "ok") return { header: r.backtrace, body: r.body };
    // SP-REQREP-6 / SP-SURVEY-11: a reply without a well-formed id answers nothing.
    this.count(r.kind === "malformed" ? "rxMalformedDropped" : "rxTtlExceeded");
    return undefined;
  }

  protected route(header: Buffer, body: Buffer, opts?: CallOptions): Promise<void> | undefined {
    if (this.mode === "roundRobin") return this.sendRoundRobin(header, body, opts);
    this.broadcast(Buffer.concat([header, body]));
    return undefined;
  }
}

/**
 * Raw replying side (XREP, XRESPONDENT): on receive the pipe id is pushed as the
 * first backtrace word (top bit clear) ahead of the received backtrace; on send
 * the first header word picks the pipe and is removed, the rest of the header
 * and the body go out on that pipe. Unknown pipe ids drop the message.
 *
 * @example
 * ```ts
 * const m = await xrep.recvMsg(); // header: [pipe id][...backtrace][request id]
 * await xrep.sendMsg({ header: m.header, body: "answer" });
 * ```
 */
export abstract class RawReplier extends RawSocket<TtlOptionRows> {
  readonly canSend = true;
  readonly canRecv = true;

  protected split(pipe: Pipe, msg: Buffer): { header: Buffer; body: Buffer } | undefined {
    // The received words are checked against maxTtl, as the cooked side does.
    const r = splitBacktrace(msg, this.options.maxTtl);
    if (r.kind === "malformed") {
      // SP-REQREP-14 / SP-SURVEY-15: never answered; the pipe closes (SP-REQREP-28 /
      // SP-SURVEY-30), counted.
      this.count("rxMalformed");
      pipe.close(new SPError("EPROTO", "message without a request id"));
      return undefined;
    }
    if (r.kind === "tooManyHops") {
      // SP-REQREP-15 / SP-SURVEY-16: dropped; the connection stays (SP-REQREP-29 / SP-SURVEY-31).
      this.count("rxTtlExceeded");
      return undefined;
    }
    return { header: Buffer.concat([RawSocket.pipeWord(pipe.id), r.backtrace]), body: r.body };
  }

  protected route(header: Buffer, body: Buffer): void {
    if (header.length < 4) {
      this.count("txNoRoute");
      return;
    }
    const pipe = this.byId.get(header.readUInt32BE(0));
    // SP-REQREP-17 / SP-SURVEY-21: the pipe the question came on is gone: the answer is dropped.
    if (!pipe || pipe.isClosed) {
      this.count("txNoRoute");
      return;
    }
    // SP-REQREP-18, SP-SURVEY-22, SP-FRAMEWORK-27: a pipe that is not ready (its peer
    // stopped reading) drops the answer rather than queue it without bound.
    if (!pipe.writable) {
      this.count("txDropped");
      return;
    }
    pipe.send(header.subarray(4), body);
  }
}
