/**
 * Test helper: makes throw-away certificates with the `openssl` command in a
 * temporary folder: a CA, a server certificate it signed (localhost,
 * 127.0.0.1), and an unrelated CA for the "wrong CA" cases.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM texts and their file paths (for command-line peers such as nngcat). */
export interface TestCerts {
  dir: string;
  caCert: string;
  caPath: string;
  serverCert: string;
  serverCertPath: string;
  serverKey: string;
  serverKeyPath: string;
  otherCaCert: string;
  otherCaPath: string;
  cleanup(): void;
}

/** Throws a clear error when `openssl` is missing. */
function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: "pipe" });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === "ENOENT")
      throw new Error("the openssl command is needed to make test certificates");
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

/**
 * Creates the certificates; call `cleanup()` when done.
 *
 * @example
 * ```ts
 * const certs = makeTestCerts();
 * await rep.listen("tls+tcp://127.0.0.1:0", { tls: { cert: certs.serverCert, key: certs.serverKey } });
 * ```
 */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "sp-tls-"));
  const days = ["-days", "2"];
  for (const ca of ["ca", "other"]) {
    openssl(
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${ca}.key`,
        "-out",
        `${ca}.pem`,
        ...days,
        "-subj",
        `/CN=sp-test-${ca}`,
      ],
      dir,
    );
  }
  openssl(
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "server.key",
      "-out",
      "server.csr",
      "-subj",
      "/CN=localhost",
    ],
    dir,
  );
  writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
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
      "-out",
      "server.pem",
      ...days,
      "-extfile",
      "ext.cnf",
    ],
    dir,
  );
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    dir,
    caCert: read("ca.pem"),
    caPath: join(dir, "ca.pem"),
    serverCert: read("server.pem"),
    serverCertPath: join(dir, "server.pem"),
    serverKey: read("server.key"),
    serverKeyPath: join(dir, "server.key"),
    otherCaCert: read("other.pem"),
    otherCaPath: join(dir, "other.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
