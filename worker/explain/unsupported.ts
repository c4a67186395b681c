// The one refusal of the evaluators themselves: a trust document (or CEL expression) using
// something `wid explain` does not evaluate. It covers exactly what the program's own documents
// use, so this fires only for a document the program did not build; it never guesses an answer.

export class UnsupportedTrustError extends Error {
  readonly code = "unsupported_trust";

  constructor(what: string) {
    super(`wid explain does not evaluate ${what}: it covers the elements worker-identity's own trust documents use`);
    this.name = "UnsupportedTrustError";
  }
}
