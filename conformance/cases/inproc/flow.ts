/**
 * inproc flow control (SP-INPROC-12): an in-process pipe has no kernel buffer
 * to carry a slow receiver's pace back to the sender, so the pipe must bound
 * what is in flight itself. Both ends are IUT sockets of one adapter process.
 */
import { hex } from "../../harness/sp.ts";
import { expectErrorName } from "../common/error-name.ts";
import { inprocName, openCooked, recvNothing, T } from "../raw/common.ts";
import type { CaseContext, ConformanceCase } from "../types.ts";

/** Size of each message: large enough that a few of them fill any sane bound. */
const SIZE = 64 * 1024;
/**
 * Most bytes a PULL that never reads may make its PUSH accept: no kernel buffer sits
 * between them, so this is the two sockets' own buffers (the reference: 64 KiB each;
 * nanomsg: 128 KiB NN_SNDBUF/NN_RCVBUF queues; nng: a message or two) with room to
 * spare. A stack whose inproc pipe queues without limit accepts all of it.
 */
const BOUND = 16 * 1024 * 1024;

/** Message `seq`: the number in its first four bytes, the rest a fixed pattern. */
function numbered(seq: number): Uint8Array {
  const m = new Uint8Array(SIZE).fill(0x6b);
  new DataView(m.buffer).setUint32(0, seq);
  return m;
}

/** SP-INPROC-12, SP-FRAMEWORK-27: sends to a PULL that does not read stop, then resume losslessly. */
const inprocNoreadBounded: ConformanceCase = {
  id: "inproc/push-to-noread-pull-bounded",
  title:
    "inproc: a PUSH sending to a PULL that does not read is held back after a bounded amount, and everything it sent arrives, in order, once the PULL reads",
  requirements: [
    "SP-INPROC-12",
    "SP-FRAMEWORK-27",
    "SP-FRAMEWORK-22",
    "SP-FRAMEWORK-23",
    "SP-PIPELINE-5",
    "SP-PIPELINE-21",
    "SP-FRAMEWORK-20",
  ],
  kind: "example",
  needs: { protocols: ["push0", "pull0"], transports: ["inproc"] },
  covers: ["recv-flow:reading:full", "recv-flow:paused:room"],
  timeoutMs: 20000,
  async run(ctx: CaseContext) {
    const name = inprocName(ctx, "flow");
    const pull = await openCooked(ctx, "pull0");
    await pull.listen(name);
    const push = await openCooked(ctx, "push0");
    await push.dial(name);
    // The application of the PULL does not receive: a send must time out before BOUND.
    let sent = 0;
    let held = false;
    while (sent * SIZE < BOUND) {
      const r = await push.trySend(numbered(sent), { timeoutMs: 300 });
      if (r.ok) {
        sent++;
        continue;
      }
      expectErrorName(ctx, r.code, "ETIMEDOUT", `send ${sent}`);
      held = true;
      break;
    }
    if (!held) {
      ctx.fail(
        `the PUSH accepted ${(sent * SIZE) / 1048576} MiB for a PULL that reads nothing, with no send held back: the in-process pipe is not bounded`,
      );
    }
    ctx.note(`${sent} sends of ${SIZE / 1024} KiB went through before one timed out`);
    if (sent === 0) ctx.fail("not even one message went through to an idle PULL");
    // The PULL reads: exactly the messages whose send succeeded, in order, nothing lost.
    for (let i = 0; i < sent; i++) {
      const r = await pull.tryRecv({ timeoutMs: T.prompt });
      if (!r.ok) ctx.fail(`message ${i} of ${sent} sent did not arrive: ${r.code}`);
      const got =
        r.value.length >= 4 ? new DataView(r.value.buffer, r.value.byteOffset).getUint32(0) : -1;
      if (r.value.length !== SIZE || got !== i) {
        ctx.fail(
          `receive ${i} gave ${r.value.length} bytes numbered ${got} (${hex(r.value.subarray(0, 8))}), expected message ${i}`,
        );
      }
    }
    // The timed-out send was never delivered, and the flow goes on.
    await recvNothing(ctx, pull, "the send that timed out was not delivered");
    const again = await push.trySend(numbered(sent), { timeoutMs: T.prompt });
    if (!again.ok) ctx.fail(`a send after the PULL drained its buffer failed with ${again.code}`);
    const last = await pull.tryRecv({ timeoutMs: T.prompt });
    if (!last.ok) ctx.fail(`the send after the drain did not arrive: ${last.code}`);
  },
};

export const inprocFlowCases: readonly ConformanceCase[] = [inprocNoreadBounded];
