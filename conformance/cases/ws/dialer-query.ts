/**
 * A ws:// dialer sends the URL path and query unchanged as the request target (SP-WS-14).
 */
import type { ConformanceCase } from "../types.ts";

/** Cases of this file, in run order. */
export const wsDialerQueryCases: readonly ConformanceCase[] = [];
