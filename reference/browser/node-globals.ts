/**
 * Injected by the browser build (esbuild `inject`): every free use of these
 * Node globals in the bundled reference resolves to a page-safe version.
 */
export { Buffer } from "./buffer.ts";
export {
  clearImmediate,
  clearInterval,
  clearTimeout,
  setImmediate,
  setInterval,
  setTimeout,
} from "./timers.ts";
