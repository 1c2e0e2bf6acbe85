import { createProgress, renderBar } from './progress.js';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    columns: 60,
    write: (text: string) => writes.push(text) > 0,
  };
}

describe('progress bar', () => {
  it('renders the fraction done, clamped to 0..100 %', () => {
    expect(renderBar(0.5, 10)).toBe('[#####.....]  50%');
    expect(renderBar(2, 4)).toBe('[####] 100%');
    expect(renderBar(Number.NaN, 4)).toBe('[....]   0%');
  });

  it('draws on a terminal, throttled, and clears the line when done', () => {
    const s = stream(true);
    const p = createProgress(s, true, 1_000);
    p.update(0.1, 'a');
    p.update(0.2, 'b'); // within the interval: skipped
    p.done();
    expect(s.writes).toHaveLength(2);
    expect(s.writes[0]).toBe(`\r${renderBar(0.1, 24)}  a\x1b[K`);
    expect(s.writes[1]).toBe('\r\x1b[K');
  });

  it('draws nothing when the stream is no terminal or the bar is off (--json)', () => {
    for (const [tty, on] of [
      [false, true],
      [true, false],
    ] as const) {
      const s = stream(tty);
      const p = createProgress(s, on, 0);
      p.update(0.5, 'x');
      p.done();
      expect(s.writes).toEqual([]);
    }
  });
});
