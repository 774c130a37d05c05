// Stryker ignore-plugin "sp-messages": leaves error message texts alone.
// The message of `new SPError(code, message)` (every argument after the code) and
// everything passed to `new Error(...)` are prose for people; the conformance cases
// compare error codes and wire bytes, never wording, so such mutants can only survive
// and cost a run each. Codes (the first SPError argument) stay mutated.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

const MESSAGE = "error message text (only codes and wire behaviour are observable)";

/** @param {import('@babel/core').NodePath} path */
function shouldIgnore(path) {
  const parent = path.parentPath;
  if (!parent?.isNewExpression()) return undefined;
  const callee = parent.node.callee;
  if (callee.type !== "Identifier") return undefined;
  const index = parent.node.arguments.indexOf(path.node);
  if (index < 0) return undefined;
  if (callee.name === "SPError" && index >= 1) return MESSAGE;
  if (callee.name === "Error" || callee.name === "TypeError") return MESSAGE;
  return undefined;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "sp-messages", { shouldIgnore }),
];
