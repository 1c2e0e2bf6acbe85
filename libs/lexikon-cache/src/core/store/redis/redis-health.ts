import type { Redis } from 'ioredis';
import type { StoreHealth, StoreHealthOptions } from '../cache-store.js';
import { infoField } from './redis-info.js';

const AUTH_FAILURE = /\b(NOAUTH|WRONGPASS)\b/;
/** ioredis's messages for a command that met a closed or closing connection. */
const CONNECTION_GONE = /^(Connection is closed\.|Stream isn't writeable)/;

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Why a client that is not ready cannot answer, from its status and last connection error. */
export function notConnectedMessage(
  status: string,
  lastError: Error | undefined,
): string {
  if (lastError && AUTH_FAILURE.test(lastError.message))
    return 'authentication failed';
  if ((lastError as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED')
    return 'connection refused';
  const state =
    status === 'connecting' || status === 'connect'
      ? 'connecting'
      : 'connection closed';
  return lastError ? `${state} (${lastError.message})` : state;
}

function faultMessage(err: unknown, elapsedMs: number): string {
  const message = err instanceof Error ? err.message : String(err);
  if (AUTH_FAILURE.test(message)) return 'authentication failed';
  // the client's own commandTimeout came first
  if (message === 'Command timed out')
    return `timeout after ${Math.round(elapsedMs)} ms`;
  if (CONNECTION_GONE.test(message)) return 'connection closed';
  return message;
}

function usedMemoryOf(raw: string): number {
  const bytes = Number(infoField(raw, 'used_memory'));
  if (!Number.isFinite(bytes)) throw new Error('INFO has no used_memory');
  return bytes;
}

async function read(
  masters: readonly Redis[],
  cluster: boolean,
  usedMemory: boolean,
): Promise<StoreHealth> {
  const started = performance.now();
  const [responseTimeMs, clusterState, usedMemoryBytes] = await Promise.all([
    Promise.all(masters.map((node) => node.ping())).then(() =>
      roundMs(performance.now() - started),
    ),
    cluster
      ? masters[0]
          .cluster('INFO')
          .then((raw) => infoField(raw, 'cluster_state') ?? 'unknown')
      : undefined,
    usedMemory
      ? Promise.all(masters.map((node) => node.info('memory'))).then((raws) =>
          Math.max(...raws.map(usedMemoryOf)),
        )
      : undefined,
  ]);
  return {
    ok: true,
    responseTimeMs,
    ...(clusterState !== undefined && { clusterState }),
    ...(usedMemoryBytes !== undefined && { usedMemoryBytes }),
  };
}

/**
 * PINGs every master over the existing connections (plus CLUSTER INFO in a
 * cluster and INFO memory when asked), and gives up after `timeoutMs`.
 */
export async function probeRedis(
  masters: readonly Redis[],
  cluster: boolean,
  options: StoreHealthOptions,
): Promise<StoreHealth> {
  if (masters.length === 0)
    return { ok: false, message: 'no master node connected' };
  const started = performance.now();
  const probe = read(masters, cluster, options.usedMemory === true).catch(
    (err: unknown): StoreHealth => ({
      ok: false,
      message: faultMessage(err, performance.now() - started),
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<StoreHealth>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          message: `timeout after ${options.timeoutMs} ms`,
        }),
      options.timeoutMs,
    );
  });
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
