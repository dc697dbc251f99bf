// Jest 30 in native ESM mode ("type": "module"): test files stay ES modules, so `import.meta` and
// top-level await work as they do under tsx, and TypeScript is stripped by @swc/jest (types are
// checked once, by `npm run typecheck`).
//
// Jest loads ES modules through node:vm's SourceTextModule, which Node 24 still keeps behind
// --experimental-vm-modules. Test files always run in worker processes (a `workerIdleMemoryLimit`
// stops Jest from running them in band in this process), and the workers inherit NODE_OPTIONS, so
// adding the flag here is enough: plain `npx jest path/to/file`, `npx jest --watch` and the npm
// scripts need no wrapper. The same limit recycles a worker whose heap grows past it between files.
const vmModules = ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];
const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(' ').filter(Boolean);
process.env.NODE_OPTIONS = [...nodeOptions, ...vmModules.filter((flag) => !nodeOptions.includes(flag))].join(' ');

/** @type {import('@swc/core').Options} */
const swc = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  setupFilesAfterEnv: ['jest-extended/all'],
};

/**
 * Projects: unit (domain, formats, handlers, adapters against DynamoDB Local or stub HTTP), infra
 * (CDK assertions, cdk-nag), e2e (the local runtime over HTTP: each file starts its own runtime on a
 * free port, so files are independent), contract (AWS adapters against one moto server, started
 * once by the project's global setup and shared by its files, which `npm run test:contract` runs in
 * band).
 *
 * @type {import('jest').Config}
 */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      setupFilesAfterEnv: [...common.setupFilesAfterEnv, '<rootDir>/test/e2e/jest-timeout.ts'],
    },
    {
      ...common,
      displayName: 'contract',
      testMatch: ['<rootDir>/test/contract/**/*.test.ts'],
      globalSetup: '<rootDir>/test/contract/global-setup.ts',
      globalTeardown: '<rootDir>/test/contract/global-teardown.ts',
    },
  ],
  // node:test had no per-test timeout; these suites drive workflows, JVMs, esbuild and CDK synths,
  // which on a busy 2-core machine take far longer than on a quiet one, so a test gets three minutes
  // (e2e: five, in its setup file) before Jest calls it hung.
  testTimeout: 180_000,
  workerIdleMemoryLimit: '1GB',
  // `npm run test:coverage`: V8's own coverage (no instrumentation pass), for the code that ships
  // and runs locally; the README reports the figure for functions/.
  coverageProvider: 'v8',
  collectCoverageFrom: ['<rootDir>/functions/**/*.ts', '<rootDir>/contracts/**/*.ts', '<rootDir>/lib/**/*.ts', '<rootDir>/local/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary', 'html'],
  // Today's figures (2026-12-08), rounded down: a change may raise them, never lower them. With a
  // path key, Jest's `global` covers only the files outside it (contracts/, lib/, local/).
  coverageThreshold: {
    global: { lines: 96, statements: 96, functions: 97, branches: 85 },
    './functions/': { lines: 92, statements: 92, functions: 95, branches: 87 },
  },
};
