// What ERRORS.md says of one code. The catalog is documentation data: no runtime module imports
// it (it stays out of the issuer, verifier and SDK bundles); test/docs/errors.test.ts ties each
// entry's status and retryability to the runtime tables that answer with it.

export type Raiser =
  | "issuer RPC"
  | "issuer HTTP"
  | "verifier"
  | "edge middleware"
  | "mTLS origin"
  | "SDK"
  | "option checks"
  | "stack config"
  | "Pulumi program";

export interface CatalogEntry {
  /** Who answers or throws it. */
  readonly raisedBy: readonly [Raiser, ...Raiser[]];
  /** The HTTP status it is answered with; null where it is thrown, never answered over HTTP. */
  readonly status: number | null;
  /** Whether the same call may succeed later unchanged; "varies" where the error carries `retryable`. */
  readonly retryable: boolean | "varies";
  /** What went wrong, in a line. */
  readonly meaning: string;
  /** What the caller should do. */
  readonly action: string;
}
