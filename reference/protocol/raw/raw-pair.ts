import type { CallOptions } from "../../core/call-options.ts";
import type { NoOptionRows, OptionInit, OptionRows, OptionSet } from "../../core/options.ts";
import type { Pipe } from "../../core/pipe.ts";
import type { ProtocolIdentity } from "../../core/transport.ts";
import { PeerSlot } from "../pair0/peer-slot.ts";
import { type RawInternals, RawSocket } from "./raw-socket.ts";

/**
 * Raw PAIR (v0 or v1): one peer at a time through the same `pair-slot`
 * machine as the cooked socket (SP-PAIR-3, SP-PAIR-4); sends to an absent or
 * busy peer wait in the slot. Subclasses define the header.
 */
export abstract class RawPairBase<R extends OptionRows = NoOptionRows> extends RawSocket<R> {
  readonly canSend = true;
  readonly canRecv = true;
  private readonly slot: PeerSlot;

  protected constructor(
    identity: ProtocolIdentity,
    options: OptionInit<R> | undefined,
    internals: RawInternals | undefined,
    optionSet: OptionSet<R>,
  ) {
    super(identity, options, internals, optionSet);
    this.slot = new PeerSlot({
      write: (pipe, payload) => pipe.send(payload),
      // SP-PAIR-21: the peer's pipe gets a bounded receive buffer; a full one stops reading.
      attach: (pipe) => this.attachReader(pipe),
      detach: (pipe) => this.detachReader(pipe),
      sendTimeout: () => this.options.sendTimeout,
      count: (stat) => this.count(stat),
    });
  }

  /** The payload (header + body) for the wire, or undefined to drop. */
  protected abstract outgoing(header: Buffer, body: Buffer): Buffer | undefined;

  protected route(header: Buffer, body: Buffer, opts?: CallOptions): Promise<void> | undefined {
    const payload = this.outgoing(header, body);
    return payload ? this.slot.send(payload, opts) : undefined;
  }

  protected override pipeAdded(pipe: Pipe): void {
    this.slot.pipeAdded(pipe);
  }

  protected override pipeRemoved(pipe: Pipe): void {
    this.slot.pipeRemoved(pipe);
  }

  protected override protocolClose(): void {
    this.slot.close();
    super.protocolClose();
  }
}
