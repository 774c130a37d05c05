// Types of reference/entry.js: exactly those of reference/index.ts.
export * from "./index.ts";

declare const sp: typeof import("./index.ts");
export default sp;
