import {
  Logger,
  StreamableFile,
  type HttpServer,
  type INestApplication,
} from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const DOCS_PATH = '/docs';
export const OPENAPI_JSON_PATH = '/docs-json';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '${OPENAPI_JSON_PATH}',
  dom_id: '#swagger-ui',
  persistAuthorization: true,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Lexikon API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/swagger-ui-init.js"></script>
  </body>
</html>
`;

const NO_UI_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Lexikon API</title></head>
  <body><p>The OpenAPI document is at <a href="${OPENAPI_JSON_PATH}">${OPENAPI_JSON_PATH}</a>.</p></body>
</html>
`;

/** The swagger-ui-dist folder that @nestjs/swagger itself depends on. */
function swaggerUiAssetsDir(): string | undefined {
  try {
    const swaggerPackage = createRequire(import.meta.url).resolve(
      '@nestjs/swagger/package.json',
    );
    return dirname(
      createRequire(swaggerPackage).resolve('swagger-ui-dist/package.json'),
    );
  } catch {
    return undefined;
  }
}

function file(content: string | Buffer, type: string): StreamableFile {
  return new StreamableFile(
    typeof content === 'string' ? Buffer.from(content) : content,
    { type },
  );
}

/**
 * Serves Swagger UI at `/docs` and the OpenAPI document at `/docs-json`.
 *
 * The UI is served here rather than by `SwaggerModule.setup()`, which on
 * Fastify needs `@fastify/static` (and exits the process without it); this
 * way both adapters serve the same assets, taken from the `swagger-ui-dist`
 * package that `@nestjs/swagger` ships with.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Lexikon API')
    .setDescription(
      'Users, projects and terms. Register with `POST /users`, then send the returned key as `Authorization: Bearer <apiKey>`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'An API key (lx_…)',
    })
    .build();
  SwaggerModule.setup(
    DOCS_PATH,
    app,
    () => SwaggerModule.createDocument(app, config),
    { ui: false, raw: ['json'], jsonDocumentUrl: OPENAPI_JSON_PATH },
  );

  const http: HttpServer = app.getHttpAdapter();
  const assetsDir = swaggerUiAssetsDir();
  if (!assetsDir) {
    new Logger('OpenAPI').warn(
      `swagger-ui-dist not found: ${DOCS_PATH} links to ${OPENAPI_JSON_PATH} only`,
    );
    http.get(DOCS_PATH, (_req: unknown, res: unknown) =>
      http.reply(res, file(NO_UI_PAGE, 'text/html; charset=utf-8')),
    );
    return;
  }
  http.get(DOCS_PATH, (_req: unknown, res: unknown) =>
    http.reply(res, file(PAGE, 'text/html; charset=utf-8')),
  );
  http.get(`${DOCS_PATH}/swagger-ui-init.js`, (_req: unknown, res: unknown) =>
    http.reply(res, file(INIT_SCRIPT, 'application/javascript; charset=utf-8')),
  );
  for (const [name, type] of Object.entries(ASSETS)) {
    http.get(`${DOCS_PATH}/${name}`, (_req: unknown, res: unknown) =>
      http.reply(
        res,
        new StreamableFile(createReadStream(join(assetsDir, name)), { type }),
      ),
    );
  }
}
