/**
 * Base of the errors services throw. They carry no HTTP knowledge; the
 * exception filter maps each subclass to a status code.
 */
export abstract class DomainError extends Error {
  /** A stable, machine-readable code, e.g. `NOT_FOUND`. */
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
