/**
 * Which ports (dependency-container members) each handler's `makeHandler(deps)` takes, read from the
 * handler's TypeScript types, so the infra tests can check that the stack grants and configures
 * exactly what those ports' adapters need.
 *
 * Only the types matter here: files under node_modules (other than TypeScript's own lib files, which
 * define `Pick`) are replaced by empty modules, which keeps the program to the project's sources and
 * makes the lookup take a couple of seconds instead of type-checking every SDK declaration.
 */
import * as path from 'node:path';
import ts from 'typescript';

/**
 * The port names of every handler module's `makeHandler` first parameter. A parameter whose name
 * starts with `_` is unused by convention (e.g. OpenApi's `_deps`) and counts as no ports.
 *
 * @param projectRoot - the repository root (its tsconfig.json is used)
 * @param entries - handler modules relative to `projectRoot` (contracts/functions.ts `entry`)
 * @returns entry → sorted port names
 * @throws Error when a module does not export `makeHandler`
 */
export function handlerPorts(projectRoot: string, entries: readonly string[]): Map<string, string[]> {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(projectRoot, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (parsed === undefined) {
    throw new Error('tsconfig.json could not be read');
  }
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, types: [] };
  const host = ts.createCompilerHost(options);
  const libDirectory = path.dirname(ts.getDefaultLibFilePath(options));
  const readSource = host.getSourceFile.bind(host);
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) =>
    file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(libDirectory)
      ? ts.createSourceFile(file, 'export {};', languageVersion)
      : readSource(file, languageVersion, onError, shouldCreate);

  const files = entries.map((entry) => path.join(projectRoot, entry));
  const program = ts.createProgram(files, options, host);
  const checker = program.getTypeChecker();
  const ports = new Map<string, string[]>();
  for (const [i, file] of files.entries()) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    const makeHandler = moduleSymbol === undefined ? undefined : checker.getExportsOfModule(moduleSymbol).find((s) => s.name === 'makeHandler');
    if (source === undefined || makeHandler === undefined) {
      throw new Error(`${entries[i]!} does not export makeHandler`);
    }
    const deps = checker.getTypeOfSymbolAtLocation(makeHandler, source).getCallSignatures()[0]?.parameters[0];
    if (deps === undefined || deps.name.startsWith('_')) {
      ports.set(entries[i]!, []);
      continue;
    }
    const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(deps, source));
    ports.set(entries[i]!, checker.getPropertiesOfType(type).map((p) => p.name).sort());
  }
  return ports;
}
