// ts-jest emits ESM (Nest 12 packages are ESM-only and jest cannot require()
// them on Node 20), so every suite runs under --experimental-vm-modules.
/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        useESM: true,
        tsconfig: {
          module: 'esnext',
          moduleResolution: 'bundler',
          isolatedModules: true,
        },
      },
    ],
  },
  moduleNameMapper: {
    '^@lexikon/cache$': '<rootDir>/libs/lexikon-cache/src/index.ts',
    '^@lexikon/cache/health$':
      '<rootDir>/libs/lexikon-cache/src/health/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  // a handle some suite leaves open must not hold the run past its summary
  // (on two cores jest runs the suites in its own process); jest still
  // names the leak in its "Force exiting" warning
  forceExit: true,
};
