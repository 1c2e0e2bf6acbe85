import type { CacheLogger } from '../logger.js';
import { FaultLog } from './fault-log.js';

function recording(): CacheLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    log: () => undefined,
    debug: () => undefined,
    error: () => undefined,
    warn: (m: string) => warnings.push(m),
  };
}

describe('fault log', () => {
  it('logs the first fault of an operation and counts the rest quietly', () => {
    const logger = recording();
    const log = new FaultLog(logger);
    for (let i = 0; i < 100; i++) log.report('read', 'user', new Error('down'));
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('"user"');
  });

  it('says each distinct message once, and stays bounded whatever the input', () => {
    const logger = recording();
    const log = new FaultLog(logger);
    log.once('same');
    log.once('same');
    expect(logger.warnings).toEqual(['same']);
    for (let i = 0; i < 100_000; i++) log.once(`namespace ${i}`);
    const retained = (log as unknown as { said: { size: number } }).said.size;
    expect(retained).toBeLessThanOrEqual(500);
  });
});
