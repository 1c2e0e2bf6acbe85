import { monotonicMs } from '../time/monotonic.js';

/**
 * Stops waiting on a store that keeps failing: after `threshold` consecutive
 * failures every call is refused for `cooldownMs`, then one call is let
 * through as a probe; its success closes the breaker again. Time is
 * monotonic, so a clock stepped backwards cannot keep it open.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private open = false;
  private probing = false;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly onChange: (open: boolean) => void = () => undefined,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Whether a call may go to the store now. */
  allow(): boolean {
    if (!this.open) return true;
    if (this.probing || monotonicMs() < this.openUntil) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    if (this.failures === 0 && !this.open) return;
    const wasOpen = this.open;
    this.failures = 0;
    this.open = false;
    this.probing = false;
    if (wasOpen) this.onChange(false);
  }

  failure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.threshold) {
      const wasOpen = this.open;
      this.probing = false;
      this.open = true;
      this.openUntil = monotonicMs() + this.cooldownMs;
      if (!wasOpen) this.onChange(true);
    }
  }
}
