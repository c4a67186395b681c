// Cloudflare Access in front of the issuer's operator page (`<project>:access`): the team whose
// Access JWTs (`Cf-Access-Jwt-Assertion`) the issuer accepts at /admin/, beside the admin token,
// and the Access application's audience tag those JWTs must carry. Read by access.ts.

/** `<project>:access`; absent: only the admin token opens /admin/. */
export interface AccessSettings {
  /** `https://<team>.cloudflareaccess.com`: the Access JWTs' `iss`; its keys are at `<teamDomain>/cdn-cgi/access/certs`. */
  readonly teamDomain: string;
  /** The Access application's Application Audience (AUD) tag: 64 lowercase hex characters, the JWTs' `aud`. */
  readonly audience: string;
}
