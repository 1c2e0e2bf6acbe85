/** Whether a failed `import()` was of the optional peer `name` not being installed. */
export function isModuleNotFound(err: unknown, name: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    String(e.message).includes(name)
  );
}
