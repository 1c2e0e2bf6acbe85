/**
 * Draws indexes 0..n-1 with Zipf popularity: the item of rank r (1-based)
 * has weight 1 / r^s. Ranks are assigned to items through a seeded
 * shuffle, so the popular items are spread over the table, not its first
 * rows. Each draw is a binary search in the cumulative weights.
 */
export class ZipfSampler {
  private readonly cumulative: Float64Array;
  private readonly itemOfRank: Uint32Array;

  constructor(
    readonly n: number,
    readonly s: number,
    private readonly rand: () => number,
    shuffleSeed: () => number,
  ) {
    if (n < 1) throw new Error('ZipfSampler needs at least one item');
    this.cumulative = new Float64Array(n);
    let sum = 0;
    for (let r = 0; r < n; r++) {
      sum += 1 / (r + 1) ** s;
      this.cumulative[r] = sum;
    }
    this.itemOfRank = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.itemOfRank[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(shuffleSeed() * (i + 1));
      const t = this.itemOfRank[i];
      this.itemOfRank[i] = this.itemOfRank[j];
      this.itemOfRank[j] = t;
    }
  }

  next(): number {
    const u = this.rand() * this.cumulative[this.n - 1];
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return this.itemOfRank[lo];
  }

  /** Share of all draws that go to the `k` most popular items. */
  topShare(k: number): number {
    return (
      this.cumulative[Math.min(k, this.n) - 1] / this.cumulative[this.n - 1]
    );
  }
}
