// Writes ERRORS.md at the repository's root from the error catalog: `npm run errors:doc`.

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderErrorsDocument } from "../error-codes/catalog/render.js";

export const ERRORS_DOCUMENT = fileURLToPath(new URL("../../ERRORS.md", import.meta.url));

writeFileSync(ERRORS_DOCUMENT, renderErrorsDocument());
console.log(`wrote ${ERRORS_DOCUMENT}`);
