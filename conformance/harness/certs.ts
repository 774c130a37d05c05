/**
 * Throw-away TLS material, made with the `openssl` command in a fresh
 * temporary folder. The one certificate maker of the repository: the TLS
 * cases need it at run time, and the tests reach it through testkit/.
 *
 * What it makes: a CA; one server key with three certificates that CA signed
 * (a good one, an expired one and one for another name); and an unrelated CA
 * for the "wrong CA" cases. Every piece is given as PEM text and as a file
 * path (for command-line peers such as nngcat).
 *
 * The good certificate names the server as IP 127.0.0.1 and as DNS names
 * localhost and 127.0.0.1, so that both Node's verifier and mbed TLS (nng),
 * which matches DNS names only, accept it; every host in `hosts` (the IUT's
 * and the suite's addresses of a run, {@link certNames}) is named the same
 * way. Keys are EC P-256: quick to make.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOOPBACK } from "./hosts.ts";

/** The generated material; `…Cert` fields hold PEM text, `…Path` fields its file. */
export interface TestCerts {
  /** The temporary folder holding every file (removed by {@link TestCerts.cleanup}). */
  readonly dir: string;
  /** The CA that signed the server certificates. */
  readonly caCert: string;
  readonly caPath: string;
  /** Valid for 127.0.0.1, localhost and the extra hosts asked for, signed by the CA. */
  readonly serverCert: string;
  readonly serverCertPath: string;
  /** The private key of every server certificate here. */
  readonly serverKey: string;
  readonly serverKeyPath: string;
  /** A CA that signed nothing here. */
  readonly otherCaCert: string;
  readonly otherCaPath: string;
  /** Signed by the CA for the right names, but already past its end date. */
  readonly expiredCert: string;
  readonly expiredCertPath: string;
  /** Signed by the CA for `wrong-name.invalid` only. */
  readonly wrongNameCert: string;
  readonly wrongNameCertPath: string;
  /** Removes the folder. */
  cleanup(): void;
}

/** Runs one openssl command in `cwd`; says plainly when openssl is missing. */
function openssl(args: readonly string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8", timeout: 20_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("making test certificates needs the openssl command");
  }
  if (r.status !== 0) {
    throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr || r.error?.message}`);
  }
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const LOCAL_NAMES = [LOOPBACK, "localhost"];

/**
 * The subjectAltName list that names every host in `hosts` (after 127.0.0.1
 * and localhost): an IP literal as `IP:` and, for IPv4, also as `DNS:` (for
 * verifiers that match DNS names only); a host name as `DNS:`.
 *
 * @example
 * certNames(["192.0.2.7"]); // "IP:127.0.0.1,DNS:127.0.0.1,DNS:localhost,IP:192.0.2.7,DNS:192.0.2.7"
 */
export function certNames(hosts: readonly string[] = []): string {
  const names: string[] = [];
  for (const h of new Set([...LOCAL_NAMES, ...hosts])) {
    const kind = isIP(h);
    if (kind !== 0) names.push(`IP:${h}`);
    if (kind !== 6) names.push(`DNS:${h}`);
  }
  return names.join(",");
}

/** What {@link makeTestCerts} makes beyond the defaults. */
export interface TestCertsOptions {
  /** More names for the good and the expired certificate (IP literals or host names). */
  hosts?: readonly string[];
}

/**
 * Makes the whole set; call `cleanup()` when done.
 *
 * @example
 * ```ts
 * const certs = makeTestCerts();
 * await rep.listen("tls+tcp://localhost:0", { tls: { cert: certs.serverCert, key: certs.serverKey } });
 * req.dial(url, { tls: { ca: certs.caCert } });
 * certs.cleanup();
 * ```
 */
export function makeTestCerts(opts: TestCertsOptions = {}): TestCerts {
  const good = certNames(opts.hosts);
  const dir = mkdtempSync(join(tmpdir(), "sp-certs-"));
  try {
    for (const ca of ["ca", "other"]) {
      openssl(
        ["req", "-x509", ...EC_KEY, "-keyout", `${ca}.key`, "-out", `${ca}.pem`, "-days", "2"]
          .concat(["-subj", `/CN=sp-test-${ca}`])
          .concat(["-addext", "basicConstraints=critical,CA:TRUE"])
          .concat(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
        dir,
      );
    }
    openssl(
      ["req", "-new", ...EC_KEY, "-keyout", "server.key", "-out", "server.csr"].concat([
        "-subj",
        "/CN=sp-test-server",
      ]),
      dir,
    );
    const sign = (name: string, altNames: string, days: number) => {
      writeFileSync(
        join(dir, `${name}.ext`),
        [
          "basicConstraints=CA:FALSE",
          "keyUsage=digitalSignature,keyEncipherment",
          "extendedKeyUsage=serverAuth,clientAuth",
          `subjectAltName=${altNames}`,
          "",
        ].join("\n"),
      );
      openssl(
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"]
          .concat(["-CAcreateserial", "-out", `${name}.pem`, "-days", String(days)])
          .concat(["-extfile", `${name}.ext`]),
        dir,
      );
    };
    sign("server", good, 2);
    // A negative validity puts the end date a day before the start: expired on arrival.
    sign("expired", good, -1);
    sign("wrong-name", "DNS:wrong-name.invalid", 2);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const path = (file: string) => join(dir, file);
  const read = (file: string) => readFileSync(path(file), "utf8");
  return {
    dir,
    caCert: read("ca.pem"),
    caPath: path("ca.pem"),
    serverCert: read("server.pem"),
    serverCertPath: path("server.pem"),
    serverKey: read("server.key"),
    serverKeyPath: path("server.key"),
    otherCaCert: read("other.pem"),
    otherCaPath: path("other.pem"),
    expiredCert: read("expired.pem"),
    expiredCertPath: path("expired.pem"),
    wrongNameCert: read("wrong-name.pem"),
    wrongNameCertPath: path("wrong-name.pem"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
