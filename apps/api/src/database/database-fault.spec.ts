import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { NotFoundError } from '../common/errors/index.js';
import { describeDatabaseFault, isDatabaseFault } from './database-fault.js';
import { TransactionTimeoutError } from './transaction-timeout.error.js';

/** A server error as node-postgres raises it. */
function pgError(code: string, message = 'server says no'): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

/** A socket error as Node raises it. */
function systemError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} 127.0.0.1:5432`), {
    code,
    syscall,
  });
}

function viaTypeOrm(driverError: Error): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], driverError);
}

describe('describeDatabaseFault', () => {
  it.each([
    ['57014', 'statement-timeout', false],
    ['57P01', 'server-unavailable', true],
    ['57P02', 'server-unavailable', true],
    ['57P03', 'server-unavailable', false],
    ['53300', 'server-unavailable', false],
    ['25P03', 'connection-lost', true],
    ['08006', 'connection-lost', true],
    ['08P01', 'connection-lost', true],
    ['08001', 'unreachable', false],
  ])('reads SQLSTATE %s as %s', (code, kind, outcomeUnknown) => {
    expect(describeDatabaseFault(viaTypeOrm(pgError(code)))).toEqual({
      kind,
      outcomeUnknown,
      detail: code,
    });
    expect(describeDatabaseFault(pgError(code))?.kind).toBe(kind);
  });

  it.each([
    ['ECONNREFUSED', 'connect', 'unreachable', false],
    ['ENOTFOUND', 'getaddrinfo', 'unreachable', false],
    ['EAI_AGAIN', 'getaddrinfo', 'unreachable', false],
    ['ETIMEDOUT', 'connect', 'unreachable', false],
    ['ECONNRESET', 'connect', 'unreachable', false],
    ['ECONNRESET', 'read', 'connection-lost', true],
    ['ETIMEDOUT', 'read', 'connection-lost', true],
    ['EPIPE', 'write', 'connection-lost', true],
  ])('reads %s of %s as %s', (code, syscall, kind, outcomeUnknown) => {
    const error = systemError(code, syscall);
    expect(describeDatabaseFault(error)).toEqual({
      kind,
      outcomeUnknown,
      detail: code,
    });
    expect(describeDatabaseFault(viaTypeOrm(error))?.kind).toBe(kind);
  });

  it.each([
    ['timeout exceeded when trying to connect', 'unreachable', false],
    ['Connection terminated due to connection timeout', 'unreachable', false],
    ['timeout expired', 'unreachable', false],
    ['Query read timeout', 'no-answer', true],
    ['Connection terminated unexpectedly', 'connection-lost', true],
    ['Connection terminated', 'connection-lost', true],
    [
      'Client has encountered a connection error and is not queryable',
      'connection-lost',
      true,
    ],
    [
      'Cannot use a pool after calling end on the pool',
      'server-unavailable',
      false,
    ],
  ])('reads node-postgres "%s" as %s', (message, kind, outcomeUnknown) => {
    expect(describeDatabaseFault(new Error(message))).toEqual({
      kind,
      outcomeUnknown,
      detail: message,
    });
    expect(describeDatabaseFault(viaTypeOrm(new Error(message)))?.kind).toBe(
      kind,
    );
  });

  it('reads a transaction timeout as no answer, outcome unknown', () => {
    expect(describeDatabaseFault(new TransactionTimeoutError(900))).toEqual({
      kind: 'no-answer',
      outcomeUnknown: true,
      detail: 'Transaction timeout: not done within 900 ms',
    });
  });

  it('follows causes and the errors of an AggregateError', () => {
    const refused = new AggregateError(
      [
        systemError('ECONNREFUSED', 'connect'),
        systemError('ECONNREFUSED', 'connect'),
      ],
      '',
    );
    expect(describeDatabaseFault(refused)?.kind).toBe('unreachable');
    const wrapped = new Error(
      'Connection terminated due to connection timeout',
      {
        cause: new Error('Connection terminated unexpectedly'),
      },
    );
    expect(describeDatabaseFault(wrapped)?.kind).toBe('unreachable');
    const deep = new Error('outer', {
      cause: new Error('middle', { cause: new Error('Query read timeout') }),
    });
    expect(describeDatabaseFault(deep)?.kind).toBe('no-answer');
  });

  it.each([
    ['a unique violation', viaTypeOrm(pgError('23505'))],
    ['an undefined column (a bug)', viaTypeOrm(pgError('42703'))],
    ['a syntax error', pgError('42601')],
    ['a deadlock', pgError('40P01')],
    [
      'a TypeError',
      new TypeError("Cannot read properties of undefined (reading 'id')"),
    ],
    ['a domain error', NotFoundError.of('Term', 'x')],
    [
      'a message that only mentions a timeout',
      new Error('Query read timeout!'),
    ],
    ['a non-error', 'ECONNREFUSED'],
    ['null', null],
  ])('is undefined for %s', (_label, error) => {
    expect(describeDatabaseFault(error)).toBeUndefined();
    expect(isDatabaseFault(error)).toBe(false);
  });

  it('stops on cyclic causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(describeDatabaseFault(a)).toBeUndefined();
  });
});
