// Every code's ERRORS.md entry; the type makes a code without one, or an unknown one, a compile error.

import type { ErrorCode } from "../index.js";
import type { CatalogEntry } from "./entry.js";
import { ISSUER_CATALOG } from "./issuer.js";
import { MIDDLEWARE_CATALOG } from "./middleware.js";
import { DEPLOYMENT_CATALOG, SDK_CATALOG } from "./sdk.js";
import { VERIFICATION_CATALOG } from "./verification.js";

export type { CatalogEntry, Raiser } from "./entry.js";

/** The families in the order ERRORS.md lists them, each a section. */
export const CATALOG_SECTIONS = [
  { title: "Issuer", entries: ISSUER_CATALOG },
  { title: "Verifier", entries: VERIFICATION_CATALOG },
  { title: "Edge middleware and mTLS origin", entries: MIDDLEWARE_CATALOG },
  { title: "Workload SDK", entries: SDK_CATALOG },
  { title: "Deploy time and options", entries: DEPLOYMENT_CATALOG },
] as const;

export const ERROR_CATALOG: Readonly<Record<ErrorCode, CatalogEntry>> = {
  ...ISSUER_CATALOG,
  ...VERIFICATION_CATALOG,
  ...MIDDLEWARE_CATALOG,
  ...SDK_CATALOG,
  ...DEPLOYMENT_CATALOG,
} satisfies Record<ErrorCode, CatalogEntry>;
