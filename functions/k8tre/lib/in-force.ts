import { FieldError } from './field-error.js';

/**
 * A rule that new values must follow. A value that breaks it but is already in force (an XR made
 * by an earlier version, with the defaults it had) is kept, with a warning: refusing it would stop
 * every other change to a live platform until it is fixed. Returns the warnings to report.
 */
export function ruleOrInForce(broken: boolean, inForce: boolean, field: string, reason: string): string[] {
  if (!broken) return [];
  if (inForce) return [`${field}: ${reason}; kept because it is in force, change it when you can`];
  throw new FieldError(field, reason);
}
