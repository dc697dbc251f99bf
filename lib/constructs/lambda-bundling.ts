/**
 * How every HEM Lambda is bundled and started: the ONE definition that `ServiceFunction` (CDK
 * `NodejsFunction`) deploys and that the bench (`bench/lambda-init.ts`) measures, so the bundle the
 * bench sizes and cold-starts is byte-for-byte the bundle `cdk deploy` uploads.
 *
 * Plain data (no aws-cdk-lib import), so the bench and tests load it without CDK.
 */

/** Lets ESM bundles load CommonJS dependencies that call `require` (e.g. parts of Powertools). */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

/** The `NodejsFunction` bundling props every HEM function uses (see `esbuildOptionsFor` for the esbuild form). */
export const LAMBDA_BUNDLING = {
  /** ESM output (`index.mjs`): top-level await and static imports of the runtime's AWS SDK. */
  format: 'esm',
  target: 'node24',
  /** Prefer packages' ESM builds: they tree-shake, CommonJS builds do not. */
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  /** A `.map` next to the bundle, without the sources: stack traces map back to our files. */
  sourceMap: true,
  sourcesContent: false,
  /** The nodejs24.x runtime provides AWS SDK v3: never bundled. */
  externalModules: ['@aws-sdk/*'],
  /**
   * ESM imports of `node:http` get the CommonJS module object (`lambda-shims/node-http.cjs`): the
   * same object, without Node materialising http's lazy undici-backed exports (WebSocket…), which
   * costs ~15 ms of every cold start and which no HEM Lambda uses. Paths are relative to the
   * project root (esbuild resolves aliases from its working directory).
   */
  alias: { 'node:http': './lib/constructs/lambda-shims/node-http.cjs' },
  /**
   * The WHATWG WebSocket ready-state constants, inlined: `@medplum/core` reads
   * `WebSocket.CLOSING`/`CLOSED` at module load (for its client, which HEM does not use), and
   * touching the `WebSocket` global loads undici (~25 ms of the HL7 ingest's cold start).
   */
  define: { 'WebSocket.CONNECTING': '0', 'WebSocket.OPEN': '1', 'WebSocket.CLOSING': '2', 'WebSocket.CLOSED': '3' },
} as const;

/**
 * Environment the runtime starts Node with. `--enable-source-maps` makes stack traces of uncaught
 * errors point at our TypeScript files; Node then reads and decodes each bundle's `.map` when the
 * bundle loads, which the bench counts in init time like Lambda does.
 */
export const LAMBDA_NODE_ENVIRONMENT = {
  NODE_OPTIONS: '--enable-source-maps',
} as const;

/** The subset of esbuild's `BuildOptions` that `NodejsFunction` sets (structural, so no esbuild type import). */
export interface LambdaEsbuildOptions {
  bundle: true;
  entryPoints: string[];
  outfile: string;
  absWorkingDir: string;
  platform: 'node';
  format: 'esm';
  target: string;
  mainFields: string[];
  minify: boolean;
  sourcemap: boolean;
  sourcesContent: boolean;
  external: string[];
  banner: { js: string };
  alias: Record<string, string>;
  define: Record<string, string>;
}

/**
 * The esbuild build options equivalent to the command line `NodejsFunction` runs for
 * `LAMBDA_BUNDLING` (aws-cdk-lib `Bundling.buildEsbuildArgs`): `--bundle <entry> --target=node24
 * --platform=node --format=esm --outfile=<dir>/index.mjs --minify --sourcemap
 * --sources-content=false --external:@aws-sdk/* --define:… --banner:js=… --main-fields=module,main
 * --alias:…`, run in the project root. Nothing else: no legal-comment or tree-shaking overrides CDK
 * would not pass.
 */
export const esbuildOptionsFor = (projectRoot: string, entry: string, outfile: string): LambdaEsbuildOptions => ({
  bundle: true,
  entryPoints: [entry],
  outfile,
  absWorkingDir: projectRoot,
  platform: 'node',
  format: LAMBDA_BUNDLING.format,
  target: LAMBDA_BUNDLING.target,
  mainFields: [...LAMBDA_BUNDLING.mainFields],
  minify: LAMBDA_BUNDLING.minify,
  sourcemap: LAMBDA_BUNDLING.sourceMap,
  sourcesContent: LAMBDA_BUNDLING.sourcesContent,
  external: [...LAMBDA_BUNDLING.externalModules],
  banner: { js: LAMBDA_BUNDLING.banner },
  alias: { ...LAMBDA_BUNDLING.alias },
  define: { ...LAMBDA_BUNDLING.define },
});

/** `LAMBDA_BUNDLING.alias` as `NodejsFunction` `esbuildArgs` (CDK has no typed alias option). */
export const aliasEsbuildArgs = (): { '--alias': string[] } => ({
  '--alias': Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => `${from}=${to}`),
});
