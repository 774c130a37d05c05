/**
 * Throw-away certificates for the TLS hardening test, made with `openssl`
 * at test time: one CA, and server keys signed by it that are valid,
 * expired, or issued for another name; plus an unrelated CA.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM texts of the generated material. */
export interface BadCerts {
  ca: string;
  otherCa: string;
  key: string;
  valid: string;
  expired: string;
  wrongName: string;
  cleanup(): void;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Generates the set; call `cleanup()` when done.
 *
 * @example
 * ```ts
 * const c = makeBadCerts();
 * await rep.listen("tls+tcp://127.0.0.1:0", { tls: { cert: c.expired, key: c.key } });
 * ```
 */
export function makeBadCerts(): BadCerts {
  const dir = mkdtempSync(join(tmpdir(), "sp-hard-tls-"));
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  for (const ca of ["ca", "other"]) {
    run(
      ["req", "-x509", ...EC, "-keyout", `${ca}.key`, "-out", `${ca}.pem`, "-days", "2"].concat([
        "-subj",
        `/CN=sp-hard-${ca}`,
      ]),
    );
  }
  run([
    "req",
    "-new",
    ...EC,
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=127.0.0.1",
  ]);
  const sign = (out: string, san: string, days: string) => {
    writeFileSync(join(dir, `${out}.ext`), `subjectAltName=${san}\n`);
    run(
      [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
      ].concat(["-out", `${out}.pem`, "-days", days, "-extfile", `${out}.ext`]),
    );
  };
  sign("valid", "IP:127.0.0.1,DNS:localhost", "2");
  // -days -1: notAfter is a day before notBefore, so the certificate has expired.
  sign("expired", "IP:127.0.0.1,DNS:localhost", "-1");
  sign("wrong", "DNS:wrong-name.invalid", "2");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    ca: read("ca.pem"),
    otherCa: read("other.pem"),
    key: read("server.key"),
    valid: read("valid.pem"),
    expired: read("expired.pem"),
    wrongName: read("wrong.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
