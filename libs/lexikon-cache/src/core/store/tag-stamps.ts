/**
 * Tag versions after a soft invalidation: `<hard version>~<soft version>`.
 * A hard bump replaces the whole version; a soft bump keeps its hard part
 * and gives it a new soft part (the next number of the same sequence). An
 * entry stamped with a version that differs from its tag's only by soft
 * parts is outdated but servable within its grace; any other difference
 * means it is gone. Versions written before soft invalidations existed have
 * no `~` and compare exactly as before. The Redis scripts do the same in Lua
 * (see `lua-common.ts`).
 */
const SOFT = '~';

export const STAMP_FRESH = 0;
export const STAMP_SOFT = 1;
export const STAMP_GONE = 2;
export type StampState =
  typeof STAMP_FRESH | typeof STAMP_SOFT | typeof STAMP_GONE;

function hardPart(version: string): string {
  const i = version.indexOf(SOFT);
  return i < 0 ? version : version.slice(0, i);
}

/** The number a version was last given (its soft part, if any), to compare with a lease's `since`. */
export function latestPart(version: string): string {
  const i = version.lastIndexOf(SOFT);
  return i < 0 ? version : version.slice(i + 1);
}

/** The version a soft bump gives a tag now at `current`, `next` being the sequence's next number. */
export function softened(current: string, next: string): string {
  return hardPart(current) + SOFT + next;
}

/** Whether `current` differs from `stamped` by soft bumps only. */
export function softOnly(
  current: string | null | undefined,
  stamped: string,
): boolean {
  return (
    typeof current === 'string' &&
    current.includes(SOFT) &&
    hardPart(current) === hardPart(stamped)
  );
}

/** How an entry's stamped versions stand against its tags' current ones. */
export function stampState(
  stamped: readonly string[],
  current: readonly (string | null | undefined)[],
): StampState {
  let state: StampState = STAMP_FRESH;
  for (let i = 0; i < stamped.length; i++) {
    if (current[i] === stamped[i]) continue;
    if (!softOnly(current[i], stamped[i])) return STAMP_GONE;
    state = STAMP_SOFT;
  }
  return state;
}
