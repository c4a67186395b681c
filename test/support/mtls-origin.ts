// Real TLS on loopback for the mTLS tests: a stack's certificates from the same code `pulumi up`
// runs (worker/mtls-ca), a server certificate for 127.0.0.1, Node origins (https, http2) on
// 127.0.0.1 with a port the OS picks, and a client that presents a certificate or none.

import { createHash } from "node:crypto";
import { connect as connectHttp2, createSecureServer } from "node:http2";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { StackConfig } from "../../worker/config/types.js";
import { validateStackConfig } from "../../worker/config/validate.js";
import { nodeOriginTls, type OriginMtlsOptions, originIdentity, originMtls } from "../../worker/mtls/node-origin.js";
import { issueStackCertificates, type StackCertificates } from "../../worker/mtls-ca/authority.js";
import { issueCertificate } from "../../worker/mtls-ca/certificate.js";
import { deriveKeyPair } from "../../worker/mtls-ca/keys.js";
import { PROJECT, STACK } from "./stack-fixture.js";

export const HOST = "127.0.0.1";
export const DAY_MS = 86_400_000;

/** A fixed seed per name: tests are reproducible, and two names are two unrelated CAs. */
export function testSeed(name: string): Uint8Array {
  return createHash("sha256").update(`test seed ${name}`).digest();
}

export function validated(raw: Record<string, unknown>): StackConfig {
  return validateStackConfig(raw, { project: PROJECT, stack: STACK });
}

export function stackCertificates(config: StackConfig, seedName = "stack", nowMs = Date.now()): StackCertificates {
  if (!config.mtls) throw new Error("the config has no mtls");
  return issueStackCertificates({
    seed: testSeed(seedName),
    accountId: config.issuer.accountId,
    mtls: config.mtls,
    workloads: config.workloads,
    nowMs,
  });
}

/** A self-signed server certificate for 127.0.0.1 (the origins' own TLS identity). */
export const serverCredentials = (() => {
  const key = deriveKeyPair(testSeed("server"), "test-server");
  const now = Date.now();
  const certificate = issueCertificate({
    serialNumber: Uint8Array.of(0x01),
    subject: { organization: "worker-identity tests", commonName: HOST },
    subjectKey: key,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + DAY_MS),
    kind: "server",
    uri: HOST,
  });
  return { cert: certificate.pem, key: key.privateKeyPem };
})();

export interface ClientCredentials {
  readonly cert: string;
  readonly key: string;
}

export interface OriginAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
}

export interface RunningOrigin {
  readonly url: string;
  readonly server: Server | ReturnType<typeof createSecureServer>;
  close(): Promise<void>;
}

/** An https origin whose every route is behind `originMtls(options)`; it answers 200 with the identity. */
export async function startOrigin(
  options: OriginMtlsOptions,
  flavour: "https" | "http2" = "https",
): Promise<RunningOrigin> {
  const mtls = originMtls({ log: () => {}, ...options });
  const tls = { ...serverCredentials, ...nodeOriginTls(options.caBundle) };
  const handler = (req: Parameters<typeof mtls>[0], res: Parameters<typeof mtls>[1]) =>
    mtls(req, res, () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(originIdentity(req)));
    });
  const server = flavour === "https" ? createServer(tls, handler) : createSecureServer(tls, handler);
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${HOST}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A GET over TLS 1.3 presenting `client` (or no certificate), trusting only the test server certificate. */
export function get(
  url: string,
  client?: ClientCredentials,
  headers: Record<string, string> = {},
): Promise<OriginAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: serverCredentials.cert, agent: false, headers, ...(client ?? {}) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: JSON.parse(text) as Record<string, unknown>,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** The same GET over HTTP/2 (http2.connect), for origins built on http2.createSecureServer. */
export function getHttp2(url: string, client?: ClientCredentials): Promise<OriginAnswer> {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(url, { ca: serverCredentials.cert, ...(client ?? {}) });
    session.on("error", reject);
    const stream = session.request({ ":path": "/" });
    let text = "";
    let status = 0;
    let headers: OriginAnswer["headers"] = {};
    stream.setEncoding("utf8");
    stream.on("response", (received) => {
      status = Number(received[":status"]);
      headers = received as OriginAnswer["headers"];
    });
    stream.on("data", (chunk: string) => (text += chunk));
    stream.on("end", () => {
      session.close();
      resolve({ status, headers, body: JSON.parse(text) as Record<string, unknown> });
    });
    stream.on("error", reject);
    stream.end();
  });
}
