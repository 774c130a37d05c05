/**
 * The time helpers for tests: the suite's own (conformance/harness/), so that
 * the repository has one free-port finder, one pause and one bounded poll.
 */
export { freePort } from "../conformance/harness/port.ts";
export { sleep, until, waitFor } from "../conformance/harness/wait.ts";
