import { QueryFailedError } from 'typeorm';
import { TransactionTimeoutError } from './transaction-timeout.error.js';

/**
 * - `unreachable`: no connection could be had (refused, no route, DNS, connect
 *   timeout, no pooled connection free in time); nothing was sent.
 * - `no-answer`: a statement was sent and no answer came in time (the
 *   client-side query or transaction timeout).
 * - `statement-timeout`: PostgreSQL cancelled a statement that ran too long.
 * - `connection-lost`: the connection broke (reset, closed) while in use.
 * - `server-unavailable`: PostgreSQL refuses work for now (shutting down,
 *   starting up, out of connections).
 */
export type DatabaseFaultKind =
  | 'unreachable'
  | 'no-answer'
  | 'statement-timeout'
  | 'connection-lost'
  | 'server-unavailable';

/** A database error that is the database being unavailable, not a bug. */
export interface DatabaseFault {
  kind: DatabaseFaultKind;
  /** For logs: the code or message that decided it. */
  detail: string;
  /**
   * Whether the statement in flight may have taken effect without the app
   * hearing of it (it was sent, and the connection then failed or was given
   * up); false when it cannot have (never sent, or cancelled by PostgreSQL).
   */
  outcomeUnknown: boolean;
}

type Rule = Omit<DatabaseFault, 'detail'>;

const UNREACHABLE: Rule = { kind: 'unreachable', outcomeUnknown: false };
const LOST: Rule = { kind: 'connection-lost', outcomeUnknown: true };
const SERVER: Rule = { kind: 'server-unavailable', outcomeUnknown: false };

/** PostgreSQL SQLSTATEs (appendix A of its manual). */
const SQLSTATES = new Map<string, Rule>([
  ['57014', { kind: 'statement-timeout', outcomeUnknown: false }], // query_canceled
  // the server ended the session; a statement it was running may have committed
  ['57P01', { kind: 'server-unavailable', outcomeUnknown: true }], // admin_shutdown
  ['57P02', { kind: 'server-unavailable', outcomeUnknown: true }], // crash_shutdown
  ['57P03', SERVER], // cannot_connect_now (starting up, recovering)
  ['57P05', LOST], // idle_session_timeout
  ['25P03', LOST], // idle_in_transaction_session_timeout
  ['53300', SERVER], // too_many_connections
  ['08001', UNREACHABLE], // sqlclient_unable_to_establish_sqlconnection
  ['08004', UNREACHABLE], // sqlserver_rejected_establishment_of_sqlconnection
]);
/** Any other SQLSTATE of class 08 (connection exception) is a lost connection. */
const CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/;

/** Node socket and DNS error codes (of a `connect` call: unreachable, whatever the code). */
const SYSTEM_CODES = new Map<string, Rule>([
  ['ECONNREFUSED', UNREACHABLE],
  ['EHOSTUNREACH', UNREACHABLE],
  ['ENETUNREACH', UNREACHABLE],
  ['EHOSTDOWN', UNREACHABLE],
  ['ENETDOWN', UNREACHABLE],
  ['ENOTFOUND', UNREACHABLE],
  ['EAI_AGAIN', UNREACHABLE],
  ['ECONNRESET', LOST],
  ['ECONNABORTED', LOST],
  ['EPIPE', LOST],
  ['ETIMEDOUT', LOST],
]);

/** node-postgres and pg-pool messages (they carry no code). */
const MESSAGES: readonly [RegExp, Rule][] = [
  [/^timeout exceeded when trying to connect$/, UNREACHABLE], // pool wait
  [/^Connection terminated due to connection timeout$/, UNREACHABLE],
  [/^timeout expired$/, UNREACHABLE], // Client connectionTimeoutMillis
  [/^Query read timeout$/, { kind: 'no-answer', outcomeUnknown: true }],
  [/^Connection terminated( unexpectedly)?$/, LOST],
  [/^Client has encountered a connection error and is not queryable$/, LOST],
  [/^Client was closed and is not queryable$/, LOST],
  [/^Cannot use a pool after calling end on the pool$/, SERVER],
];

/** How deep to follow `driverError`, `cause` and AggregateError's `errors`. */
const MAX_DEPTH = 4;

function field(value: object, name: string): unknown {
  return (value as Record<string, unknown>)[name];
}

function matchOne(error: object): DatabaseFault | undefined {
  if (error instanceof TransactionTimeoutError) {
    return { kind: 'no-answer', outcomeUnknown: true, detail: error.message };
  }
  const code = field(error, 'code');
  if (typeof code === 'string') {
    const system = SYSTEM_CODES.get(code);
    if (system) {
      const connecting = field(error, 'syscall') === 'connect';
      return { ...(connecting ? UNREACHABLE : system), detail: code };
    }
    const rule =
      SQLSTATES.get(code) ??
      (CONNECTION_EXCEPTION.test(code) ? LOST : undefined);
    if (rule) return { ...rule, detail: code };
  }
  const message = field(error, 'message');
  if (typeof message === 'string') {
    const match = MESSAGES.find(([pattern]) => pattern.test(message));
    if (match) return { ...match[1], detail: message };
  }
  return undefined;
}

function search(error: unknown, depth: number): DatabaseFault | undefined {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) {
    return undefined;
  }
  const own = matchOne(error);
  if (own) return own;
  const inner: unknown[] = [];
  if (error instanceof QueryFailedError) inner.push(error.driverError);
  inner.push(field(error, 'cause'));
  const errors = field(error, 'errors'); // AggregateError: one per address tried
  if (Array.isArray(errors)) inner.push(...(errors as unknown[]));
  for (const candidate of inner) {
    const found = search(candidate, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * What kind of database outage `error` is, or `undefined` when it is not one
 * (a bug, a constraint violation, a domain error). Follows TypeORM's
 * `driverError`, `cause` chains and `AggregateError`s.
 *
 * @example
 * describeDatabaseFault(new Error('Query read timeout'));
 * // → { kind: 'no-answer', outcomeUnknown: true, detail: 'Query read timeout' }
 */
export function describeDatabaseFault(
  error: unknown,
): DatabaseFault | undefined {
  return search(error, 0);
}

/** Whether `error` is the database being unavailable (see {@link describeDatabaseFault}). */
export function isDatabaseFault(error: unknown): boolean {
  return describeDatabaseFault(error) !== undefined;
}
