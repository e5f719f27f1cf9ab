/**
 * An input the function cannot compose from. `field` is the path a user would look for in
 * their manifest (`spec.environments[2].addressSpace`), so the Fatal result points at it.
 */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'FieldError';
  }
}
