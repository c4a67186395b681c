// The `keyEncryptionKey` stack key: which generation of the stack-generated key-encryption key
// (KEK) seals the signing keys (KEY_ENCRYPTION_KEY), and, during a KEK rotation, which generation
// the issuer still opens rows with (KEY_ENCRYPTION_KEY_PREVIOUS). The program makes one
// RandomBytes per generation (infra/cloudflare/key-encryption-keys.ts); the rotation's steps are
// in infra/README.md ("Rotating the key-encryption key").

import { describeValue, type FieldReader, integerValue, readMapSection } from "./fields.js";
import { memberKey } from "./key-path.js";

/** `<project>:keyEncryptionKey`; absent: `{generation: 1}`, the KEK every stack made first. */
export interface KeyEncryptionKeySettings {
  /** The generation bound as KEY_ENCRYPTION_KEY: it seals every key created or re-sealed. */
  readonly generation: number;
  /** While a rotation is under way: `generation - 1`, bound as KEY_ENCRYPTION_KEY_PREVIOUS. */
  readonly previous?: number;
}

/** The KEK a stack has without the key: the one `${issuer}-kek` of every release before the key. */
export const FIRST_KEY_ENCRYPTION_KEY: KeyEncryptionKeySettings = Object.freeze({ generation: 1 });

/** A bound no rotation schedule reaches (daily rotations for 27 years), keeping resource names short. */
export const MAX_KEY_ENCRYPTION_KEY_GENERATION = 9999;

const SHAPE = "a map like {generation: 2, previous: 1}";
const GENERATION_RULE =
  `a whole number from 1 to ${MAX_KEY_ENCRYPTION_KEY_GENERATION} (1 is the KEK the stack generated first; ` +
  "each KEK rotation adds one)";

const readGeneration: FieldReader<number> = (value, key, issues) => {
  const generation = integerValue(value);
  if (generation !== undefined && generation >= 1 && generation <= MAX_KEY_ENCRYPTION_KEY_GENERATION) return generation;
  issues.add(key, `is ${describeValue(value)}, but must be ${GENERATION_RULE}`);
  return undefined;
};

const FIELDS = {
  generation: {
    read: readGeneration,
    required:
      "is missing; name the KEK generation that seals the signing keys (2 for the first rotation): " +
      "pulumi config set --path keyEncryptionKey.generation 2",
  },
  previous: { read: readGeneration },
} as const;

export const KEY_ENCRYPTION_KEY_STACK_KEY_EMPTY =
  "is empty; write keyEncryptionKey: {generation: 2, previous: 1} to rotate the KEK (infra/README.md, " +
  "'Rotating the key-encryption key'), or delete the line to keep generation 1, the KEK the stack generated first";

/**
 * The `keyEncryptionKey` stack key. `previous` must be exactly `generation - 1`: the program keeps
 * only the KEK the current one replaced, and a rotation that skipped a generation would leave rows
 * sealed under a KEK the issuer can no longer open.
 */
export const readKeyEncryptionKeySettings: FieldReader<KeyEncryptionKeySettings> = (value, key, issues) => {
  const fields = readMapSection(value, key, issues, FIELDS, {
    what: "a keyEncryptionKey field",
    jsonText: true,
    shape: SHAPE,
  });
  if (fields === undefined || fields.generation === undefined) return undefined;
  const { generation, previous } = fields;
  if (previous === undefined) return { generation };
  const previousKey = memberKey(key, "previous");
  if (generation === 1) {
    issues.add(
      previousKey,
      `is ${previous}, but generation 1 is the first KEK and has none before it; remove previous, ` +
        "or set generation to 2 with previous: 1 to rotate the KEK",
    );
    return undefined;
  }
  if (previous >= generation) {
    issues.add(
      previousKey,
      `is ${previous}, but must be the generation before generation ${generation}: previous names the KEK the ` +
        `keys were sealed with before this rotation; write previous: ${generation - 1}`,
    );
    return undefined;
  }
  if (previous !== generation - 1) {
    issues.add(
      previousKey,
      `is ${previous}, but must be ${generation - 1}, the generation before ${generation}: the stack keeps only the ` +
        `KEK the current one replaced. Rotate one generation at a time: go back to {generation: ${previous + 1}, ` +
        `previous: ${previous}} and run \`wid keys rewrap\` until it reports removable before the next rotation`,
    );
    return undefined;
  }
  return { generation, previous };
};
