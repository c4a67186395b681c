// The random provider as the test suite's fake: values are generated once per resource and kept
// in state (a later deploy reads the same value), and regenerated only when the resource is
// replaced, which any change of its inputs does (every argument of random_bytes and
// random_password forces a new value). Values are derived from the fake cloud's seed, so a test
// run is reproducible.

import { createHash } from "node:crypto";
import type { ProviderFake, RegisterContext, ResourceFake } from "./model.js";
import { TYPE } from "./types.js";

const EVERY_INPUT = [
  "length",
  "keepers",
  "special",
  "upper",
  "lower",
  "numeric",
  "minLower",
  "minUpper",
  "minNumeric",
  "minSpecial",
  "overrideSpecial",
];
const PASSWORD_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

function length(context: RegisterContext): number {
  const value = context.inputs.length;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    context.refuse(
      `length must be an integer of at least 1, got ${JSON.stringify(value)}`,
      "terraform-provider-random: length, 'The number of bytes/characters requested', at least 1",
    );
  }
  return value;
}

/** The value as state holds it: kept unless this registration creates the resource anew. */
function kept<T>(context: RegisterContext, key: string, fresh: () => T): T {
  if (context.prior !== undefined && !context.replacing) return context.prior.outputs[key] as T;
  return fresh();
}

const randomBytes: ResourceFake = {
  replaceOn: EVERY_INPUT,
  register(context: RegisterContext) {
    const size = length(context);
    const bytes = kept(context, "base64", () =>
      context.deploy.bytes(`${context.name}/${context.generation}`, size).toString("base64"),
    );
    return { ...context.inputs, base64: bytes, hex: Buffer.from(bytes, "base64").toString("hex") };
  },
};

const randomPassword: ResourceFake = {
  replaceOn: EVERY_INPUT,
  register(context: RegisterContext) {
    const size = length(context);
    const alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" +
      (context.inputs.special === false ? "" : String(context.inputs.overrideSpecial ?? PASSWORD_SPECIAL));
    const result = kept(context, "result", () => {
      const bytes = context.deploy.bytes(`${context.name}/${context.generation}`, size);
      return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join("");
    });
    return {
      ...context.inputs,
      result,
      bcryptHash: `$2a$10$${createHash("sha256").update(result).digest("base64").slice(0, 53)}`,
    };
  },
};

export const randomFake: ProviderFake = {
  resources: {
    [TYPE.randomBytes]: randomBytes,
    [TYPE.randomPassword]: randomPassword,
  },
  functions: {},
};
