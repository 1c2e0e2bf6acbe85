import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Page } from 'playwright-core';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import { launchChromium, type HeadlessChromium } from './support/chromium.js';
import { recordResponses, type ResponseLog } from './support/response-log.js';
import {
  createTestApp,
  registerUser,
  type RegisteredUser,
  type TestApp,
} from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

/** What a page's `fetch()` saw: the browser's status, not the server's. */
interface FetchResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** `fetch(path)` from the page, twice in a row, with the API key; each bounded. */
function fetchTwice(
  page: Page,
  path: string,
  apiKey: string,
): Promise<FetchResult[]> {
  return page.evaluate(
    async ({ path, apiKey }) => {
      const read = async () => {
        const response = await fetch(path, {
          headers: { Authorization: `Bearer ${apiKey}` },
          signal: AbortSignal.timeout(5_000),
        });
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => (headers[name] = value));
        return {
          status: response.status,
          body: await response.json(),
          headers,
        };
      };
      return [await read(), await read()];
    },
    { path, apiKey },
  );
}

/**
 * The API in a real browser (headless Chromium through playwright-core), on
 * PostgreSQL and Redis: Swagger UI works, and the cache's ETags make the
 * browser revalidate instead of downloading again.
 */
describe('the API in headless Chromium (e2e, Redis)', () => {
  const prefix = uniquePrefix('browser');
  let db: TestDatabase;
  let api: TestApp;
  let raw: Redis;
  let browser: HeadlessChromium;
  let log: ResponseLog;
  let origin: string;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('browser');
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: prefix,
      },
    });
    raw = new Redis(testRedisUrl());
    await api.app.listen(0, '127.0.0.1');
    const server = api.app.getHttpServer() as Server;
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    log = recordResponses(server);
    browser = await launchChromium();
  }, 60_000);

  beforeEach(async () => {
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // a Content-Security-Policy violation or a failed load is a console error
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  afterEach(async () => {
    await page?.close();
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    log?.stop();
    await browser?.close();
    await api?.close();
    if (raw) {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
    await db?.drop();
  }, 30_000);

  it('renders Swagger UI at /docs and runs POST /users with "Try it out" → "Execute"', async () => {
    const seen = log.entries.length;
    await page.goto(`${origin}/docs`);
    await page
      .locator('.swagger-ui .info .title')
      .getByText('Lexikon API')
      .waitFor();
    const operation = page.locator(
      '#operations-users-UsersController_register',
    );
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    // the request body is prefilled from the DTO's examples
    expect(
      await operation.locator('textarea.body-param__text').inputValue(),
    ).toContain('ada@example.com');
    await operation.getByRole('button', { name: 'Execute' }).click();

    const response = operation.locator('.live-responses-table .response');
    await response.locator('.response-col_status').getByText('201').waitFor();
    const body = await response
      .locator('.response-col_description pre')
      .first()
      .innerText();
    expect(JSON.parse(body)).toMatchObject({
      user: { email: 'ada@example.com', name: 'Ada Lovelace' },
      apiKey: expect.stringMatching(/^lx_/),
    });
    // what the browser asked the API for: the page, its assets, the document, the call
    const served = log.entries
      .slice(seen)
      .map(({ method, url, status }) => `${method} ${url} ${status}`);
    expect(served).toEqual(
      expect.arrayContaining([
        'GET /docs 200',
        'GET /docs/swagger-ui-bundle.js 200',
        'GET /docs-json 200',
        'POST /users 201',
      ]),
    );
    expect(served.filter((line) => !/ [23]\d\d$/.test(line))).toEqual([]);
  });

  describe('a cached authenticated route, fetched twice from a page of the API', () => {
    let user: RegisteredUser;

    beforeEach(async () => {
      user = await registerUser(api);
      // a page of the API's own origin: no CORS, the browser's own HTTP cache
      await page.goto(`${origin}/docs`);
    });

    /** What the browser did for the two fetches of `/users/me`, request by request. */
    async function fetchMeTwice() {
      const requests: Promise<{ ifNoneMatch?: string; xCache?: string }>[] = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname !== '/users/me') return;
        requests.push(
          Promise.all([
            response.request().allHeaders(),
            response.allHeaders(),
          ]).then(([sent, received]) => ({
            ifNoneMatch: sent['if-none-match'],
            xCache: received['x-cache'],
          })),
        );
      });
      const seen = log.entries.length;
      const fetched = await fetchTwice(page, '/users/me', user.apiKey);
      const served = log.entries
        .slice(seen)
        .filter((entry) => entry.url === '/users/me');
      return { fetched, served, browser: await Promise.all(requests) };
    }

    it('is revalidated by the browser and answered 304 from the cache', async () => {
      const { fetched, served, browser: sent } = await fetchMeTwice();

      // the page sees two identical 200s: Chromium turns a 304 into its cached 200
      expect(fetched.map((result) => result.status)).toEqual([200, 200]);
      expect(fetched[1].body).toEqual(fetched[0].body);
      expect(fetched[0].body).toMatchObject({ id: user.id });

      // on the wire: a download, then a conditional request answered 304 by the cache
      const etag = served[0]?.headers.etag;
      expect(etag).toBeDefined();
      expect(
        served.map(({ status, ifNoneMatch, headers }) => ({
          status,
          ifNoneMatch,
          xCache: headers['x-cache'],
        })),
      ).toEqual([
        { status: 200, ifNoneMatch: undefined, xCache: 'MISS' },
        { status: 304, ifNoneMatch: etag, xCache: 'HIT' },
      ]);
      // and as the browser saw it: it sent the ETag back, got the 304's X-Cache
      expect(sent).toEqual([
        { ifNoneMatch: undefined, xCache: 'MISS' },
        { ifNoneMatch: etag, xCache: 'HIT' },
      ]);
    });

    // Without Cache-Control, Chromium revalidates only because a response
    // without Last-Modified has a heuristic freshness of 0; no-cache makes it
    // explicit, and Vary keeps a shared cache from mixing callers.
    it('is marked Cache-Control: private, no-cache and Vary: Authorization, and still revalidated', async () => {
      const { fetched, served } = await fetchMeTwice();
      for (const { headers } of fetched) {
        const directives = (headers['cache-control'] ?? '')
          .split(',')
          .map((directive) => directive.trim().toLowerCase());
        expect(directives).toEqual(
          expect.arrayContaining(['private', 'no-cache']),
        );
        expect(directives).not.toContain('public');
        expect(
          (headers.vary ?? '')
            .split(',')
            .map((name) => name.trim().toLowerCase()),
        ).toContain('authorization');
      }
      expect(served.map((entry) => entry.status)).toEqual([200, 304]);
    });
  });
});
