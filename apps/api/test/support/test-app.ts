import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import request from 'supertest';
import { createApp, type HttpPlatform } from '../../src/app.factory.js';

export interface TestApp {
  app: INestApplication;
  /** A supertest client bound to the app. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  platform?: HttpPlatform;
  /** Environment variables for this app (`undefined` unsets); restored on close. */
  env?: Record<string, string | undefined>;
}

function applyEnv(env: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(
    Object.keys(env).map((key) => [key, process.env[key]]),
  );
  const assign = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  assign(env);
  return () => assign(previous);
}

/** Builds the real app (same factory as `main.ts`), initialised but not listening. */
export async function createTestApp(
  options: TestAppOptions = {},
): Promise<TestApp> {
  const restoreEnv = applyEnv(options.env ?? {});
  let app: INestApplication;
  try {
    app = await createApp({
      platform: options.platform,
      logger: ['fatal', 'error', 'warn'],
    });
    await app.init();
    const instance = app.getHttpAdapter().getInstance() as {
      ready?: () => Promise<unknown>;
    };
    await instance.ready?.();
  } catch (error) {
    restoreEnv();
    throw error;
  }
  const server = app.getHttpServer() as Server;
  return {
    app,
    http: () => request(server),
    close: async () => {
      await app.close();
      restoreEnv();
    },
  };
}

export interface RegisteredUser {
  id: string;
  email: string;
  name: string;
  apiKey: string;
  /** `{ Authorization: 'Bearer <apiKey>' }` */
  auth: { Authorization: string };
}

let counter = 0;

/** Registers a user through the API. */
export async function registerUser(
  testApp: TestApp,
  input: { email?: string; name?: string } = {},
): Promise<RegisteredUser> {
  counter += 1;
  const email = input.email ?? `user${counter}-${Date.now()}@example.com`;
  const name = input.name ?? `User ${counter}`;
  const response = await testApp
    .http()
    .post('/users')
    .send({ email, name })
    .expect(201);
  const body = response.body as {
    user: { id: string; email: string; name: string };
    apiKey: string;
  };
  return {
    ...body.user,
    apiKey: body.apiKey,
    auth: { Authorization: `Bearer ${body.apiKey}` },
  };
}
