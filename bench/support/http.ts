import { Agent, request } from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The body as received (not decoded: a gzip-encoded one stays gzip). */
  readonly bytes: Buffer;
  /** Milliseconds from sending to the last byte. */
  readonly ms: number;
}

/** A GET on loopback through `agent`, buffering the body. */
export function httpGet(
  url: string,
  agent: Agent,
  timeoutMs = 10_000,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpReply> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: bytes.toString('utf8'),
          bytes,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        });
      });
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** GETs every URL with at most `concurrency` in flight; replies in order. */
export async function httpGetAll(
  urls: readonly string[],
  agent: Agent,
  concurrency: number,
): Promise<HttpReply[]> {
  const replies: HttpReply[] = [];
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      replies[i] = await httpGet(urls[i], agent);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, urls.length) }, worker),
  );
  return replies;
}

export async function getJson<T>(url: string, agent: Agent): Promise<T> {
  const reply = await httpGet(url, agent);
  if (reply.status !== 200)
    throw new Error(`GET ${url} answered ${reply.status}: ${reply.body}`);
  return JSON.parse(reply.body) as T;
}
