import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from './markdown.js';
import type { BenchResults } from './results.js';
import { renderSvg } from './svg.js';

export function resultFileName(date: Date, mode: string): string {
  const iso = date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return mode === 'quick' ? `${iso}-quick.json` : `${iso}.json`;
}

export function writeReports(results: BenchResults, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'latest.md');
  const svg = join(dir, 'latest.svg');
  writeFileSync(md, renderMarkdown(results));
  writeFileSync(svg, renderSvg(results));
  return [md, svg];
}
