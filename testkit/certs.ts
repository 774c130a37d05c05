/**
 * Throw-away TLS certificates for tests: the suite's maker
 * (conformance/harness/certs.ts), so that every test and every TLS case
 * works from the same material.
 */
export { makeTestCerts, type TestCerts } from "../conformance/harness/certs.ts";
