/**
 * `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for logs:
 * URLs may carry passwords.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}
