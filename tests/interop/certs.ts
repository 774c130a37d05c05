/**
 * Throw-away TLS material for the interop tests, made with the `openssl`
 * command at test time: a CA and a server certificate for 127.0.0.1 /
 * localhost signed by it (both as IP and DNS names, so that nng's mbedTLS and
 * Node's verifier each find the name they look for).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Paths and contents of the generated files. */
export interface TestCerts {
  readonly dir: string;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
  /** Removes the directory. */
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8", timeout: 20_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr}`);
}

/**
 * Generates a CA and a server certificate in a new temporary directory.
 *
 * @example
 * ```ts
 * const certs = makeTestCerts();
 * // nngcat --rep0 --listen tls+tcp://127.0.0.1:0 --cert certs.certPath --key certs.keyPath
 * certs.cleanup();
 * ```
 */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), "sp-certs-"));
  const ext = join(dir, "server.ext");
  writeFileSync(
    ext,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:127.0.0.1",
      "",
    ].join("\n"),
  );
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2"]
      .concat(["-subj", "/CN=sp-test-ca", "-addext", "basicConstraints=critical,CA:TRUE"])
      .concat(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
    dir,
  );
  openssl(
    ["req", "-new", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
    dir,
  );
  openssl(
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"].concat([
      "-CAcreateserial",
      "-out",
      "server.pem",
      "-days",
      "2",
      "-extfile",
      ext,
    ]),
    dir,
  );
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    dir,
    caCertPath: join(dir, "ca.pem"),
    certPath: join(dir, "server.pem"),
    keyPath: join(dir, "server.key"),
    caCert: read("ca.pem"),
    cert: read("server.pem"),
    key: read("server.key"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
