import { connect } from 'node:net';

/** A decoded RESP2 reply. Error replies reject instead. */
export type RespValue = string | number | null | RespValue[];

interface Parsed {
  value: RespValue;
  /** Offset just past the reply. */
  end: number;
  /** Set for an error reply (`-ERR ...`); value is then the message. */
  error?: boolean;
}

function parseReply(buf: Buffer, start: number): Parsed | undefined {
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[start]);
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: line, end: next, error: true };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return {
        value: buf.toString('utf8', next, next + length),
        end: next + length + 2,
      };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let offset = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, offset);
        if (!item) return undefined;
        items.push(item.value);
        offset = item.end;
      }
      return { value: items, end: offset };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

function encodeCommand(args: readonly string[]): string {
  return (
    `*${args.length}\r\n` +
    args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')
  );
}

/**
 * Sends one command to a Redis server over a fresh TCP connection and
 * returns the reply. A minimal client for support code: no auth, no TLS.
 */
export function redisCommand(
  port: number,
  args: readonly string[],
  options: { host?: string; timeoutMs?: number } = {},
): Promise<RespValue> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 1000;
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host, port });
    const finish = (error: Error | undefined, value?: RespValue): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `${args[0]} to ${host}:${port} got no reply within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(encodeCommand(args)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      try {
        const reply = parseReply(received, 0);
        if (!reply) return;
        if (reply.error) finish(new Error(String(reply.value)));
        else finish(undefined, reply.value);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () =>
      finish(new Error(`${host}:${port} closed the connection`)),
    );
  });
}

/** True when a Redis server at host:port answers PING within the timeout. */
export async function pingRedis(
  port: number,
  options: { host?: string; timeoutMs?: number } = {},
): Promise<boolean> {
  try {
    return (await redisCommand(port, ['PING'], options)) === 'PONG';
  } catch {
    return false;
  }
}
