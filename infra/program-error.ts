// The refusals of the Pulumi program itself, raised before any resource reaches a provider: one
// class a failure, each with its code (ERRORS.md, "Deploy time and options").

import type { ProgramErrorCode } from "../worker/error-codes/deployment.js";

export abstract class ProgramError extends Error {
  abstract readonly code: ProgramErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
