/**
 * Conformance adapter for the reference stack (reference/index.ts): the
 * JSON-lines loop of conformance/ADAPTER.md on stdin/stdout around the
 * request handling of ./handler.ts (features in ./features.ts, handles in
 * ./registry.ts). Run with `node --import tsx conformance/adapters/reference/main.ts`.
 */
import { createInterface } from "node:readline";
import { answerOf, closeAll, type Request } from "./handler.ts";

function stderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function serve(line: string): Promise<void> {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
  } catch {
    stderr(`reference-adapter: not JSON: ${line}`);
    return;
  }
  const answer = await answerOf(req, stderr);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  if (req.op === "exit" && answer.ok === true) process.exit(0);
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (line.trim() !== "") void serve(line);
});
rl.on("close", () => {
  // stdin EOF: close what is open (bounded) and leave.
  const timer = setTimeout(() => process.exit(0), 1000);
  void closeAll().then(() => {
    clearTimeout(timer);
    process.exit(0);
  });
});
