// Module resolution hook registered by block-terminus.mjs.
const TERMINUS = /(^|[\\/])@nestjs[\\/]terminus([\\/]|$)/;

export async function resolve(specifier, context, next) {
  if (TERMINUS.test(specifier)) {
    throw new Error(
      `TERMINUS LOADED: import ${JSON.stringify(specifier)} from ${context.parentURL}`,
    );
  }
  const found = await next(specifier, context);
  if (TERMINUS.test(decodeURIComponent(found.url))) {
    throw new Error(
      `TERMINUS LOADED: import ${JSON.stringify(specifier)} from ${context.parentURL}`,
    );
  }
  return found;
}
