// Module resolution hook registered by block-optional-peers.mjs.
const OPTIONAL =
  /(^|[\\/])(@nestjs[\\/]terminus|prom-client|@opentelemetry[\\/]api)([\\/]|$)/;

export async function resolve(specifier, context, next) {
  if (OPTIONAL.test(specifier)) {
    throw new Error(
      `OPTIONAL PEER LOADED: import ${JSON.stringify(specifier)} from ${context.parentURL}`,
    );
  }
  const found = await next(specifier, context);
  if (OPTIONAL.test(decodeURIComponent(found.url))) {
    throw new Error(
      `OPTIONAL PEER LOADED: import ${JSON.stringify(specifier)} from ${context.parentURL}`,
    );
  }
  return found;
}
