// The issuer's key-encryption keys (KEKs), one RandomBytes per generation the `keyEncryptionKey`
// stack key names (worker/config/key-encryption-key.ts): `generation` is bound as
// KEY_ENCRYPTION_KEY, `previous` (during a rotation) as KEY_ENCRYPTION_KEY_PREVIOUS. A generation
// the key no longer names leaves the stack, and with it its value: the engine refuses that delete
// until an operator runs `pulumi state unprotect` on it, which infra/README.md ("Rotating the
// key-encryption key") says to do only once `wid keys rewrap` reports it removable.

import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KeyEncryptionKeySettings } from "../../worker/config/key-encryption-key.js";

/** 256 bits: the AES-256-GCM key worker/keys/kek.ts imports (KEK_BYTES there). */
const KEK_BYTES = 32;

/**
 * The resource name of a KEK generation. Generation 1 keeps the name every release before the
 * generation key gave the one KEK (`<issuer>-kek`): a new name would replace it, and every key
 * sealed under it would become unreadable.
 */
export function keyEncryptionKeyName(issuer: string, generation: number): string {
  return generation === 1 ? `${issuer}-kek` : `${issuer}-kek-g${generation}`;
}

export interface IssuerKeyEncryptionKeys {
  /** KEY_ENCRYPTION_KEY: seals everything (secret). */
  readonly current: pulumi.Output<string>;
  /** KEY_ENCRYPTION_KEY_PREVIOUS while `previous` is set (secret): opens the rows not yet rewrapped. */
  readonly previous: pulumi.Output<string> | undefined;
}

/**
 * Declares the KEK generations `settings` names, as children of `parent`. Protected: a generation
 * dropped from the key (a rotation's second deploy, or a mistake such as a new generation without
 * `previous`) is not deleted, and its value not lost, without an explicit `pulumi state unprotect`.
 * Changing `protect` alone changes no input, so a stack from a release without it is not updated.
 */
export function issuerKeyEncryptionKeys(
  issuer: string,
  settings: KeyEncryptionKeySettings,
  parent: pulumi.Resource,
): IssuerKeyEncryptionKeys {
  const declare = (n: number): random.RandomBytes =>
    new random.RandomBytes(keyEncryptionKeyName(issuer, n), { length: KEK_BYTES }, { parent, protect: true });
  const current = declare(settings.generation);
  if (settings.previous === undefined) return { current: pulumi.secret(current.base64), previous: undefined };
  const previous = declare(settings.previous);
  // Every deploy of the rotation's first step says what is left to do, with the exact URN.
  previous.urn.apply((urn) => void pulumi.log.warn(rotationUnderWay(settings, urn), previous));
  return { current: pulumi.secret(current.base64), previous: pulumi.secret(previous.base64) };
}

/** The warning of a deploy while `previous` is bound: the rotation's remaining steps. */
export function rotationUnderWay(settings: KeyEncryptionKeySettings, previousUrn: string): string {
  return (
    `KEK rotation under way: KEY_ENCRYPTION_KEY is generation ${settings.generation} and ` +
    `KEY_ENCRYPTION_KEY_PREVIOUS generation ${settings.previous}. Run \`wid keys rewrap\` until it reports ` +
    `removable: true, then remove keyEncryptionKey.previous, run \`pulumi state unprotect '${previousUrn}'\` and ` +
    "`pulumi up` (infra/README.md, 'Rotating the key-encryption key')"
  );
}
