/**
 * Stops waiting on a Redis that keeps failing: after `threshold` consecutive
 * failures every call is refused for `cooldownMs`, then one call is let
 * through as a probe; its success closes the breaker again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly onChange: (open: boolean) => void = () => undefined,
  ) {}

  get isOpen(): boolean {
    return this.openUntil !== 0;
  }

  /** Whether a call may go to the store now. */
  allow(): boolean {
    if (this.openUntil === 0) return true;
    if (this.probing || Date.now() < this.openUntil) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    if (this.failures === 0 && this.openUntil === 0) return;
    const wasOpen = this.openUntil !== 0;
    this.failures = 0;
    this.openUntil = 0;
    this.probing = false;
    if (wasOpen) this.onChange(false);
  }

  failure(): void {
    this.failures++;
    const wasOpen = this.openUntil !== 0;
    if (this.probing || this.failures >= this.threshold) {
      this.probing = false;
      this.openUntil = Date.now() + this.cooldownMs;
      if (!wasOpen) this.onChange(true);
    }
  }
}
