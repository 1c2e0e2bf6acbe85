import { register } from 'node:module';

// `node --import dist/bench/bench/support/register-alias.js <entry>`
register('./alias.hooks.js', import.meta.url);
