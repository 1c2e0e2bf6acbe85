/**
 * Thrown when the environment does not describe a valid configuration.
 * The message is meant to be shown as is: it names every offending variable
 * and never echoes a value (values may hold secrets).
 */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = new.target.name;
  }
}
