/**
 * Checks what the embedded local runtime needs beyond `npm ci`: a recent Node.js (the project pins
 * Node 24 through node_modules/.bin, but `tsx` may still be launched by an older system Node) and a
 * Java 17+ runtime for DynamoDB Local. Fails early with an actionable message instead of letting
 * DynamoDB Local die with a cryptic `UnsupportedClassVersionError` half-way through startup.
 */
import { execFile } from 'node:child_process';

/** The oldest Node.js major the local runtime accepts (the project itself runs on the pinned 24). */
export const MINIMUM_NODE_MAJOR = 20;
/** DynamoDB Local 3.x is compiled for Java 17. */
export const MINIMUM_JAVA_MAJOR = 17;

const JAVA_INSTALL_HINT =
  'Install a Java 17+ runtime: Debian/Ubuntu `sudo apt-get install -y openjdk-17-jre-headless`; ' +
  'macOS `brew install openjdk@17` (then put it on the PATH as brew prints); ' +
  'or any JDK/JRE 17+ with `java` on the PATH.';

const NODE_INSTALL_HINT =
  'Run through the project-pinned Node 24: `export PATH=$PWD/node_modules/.bin:$PATH` after `npm ci`, ' +
  'or use `npm start` / `npx hem` which put node_modules/.bin first.';

/** Options for tests and unusual setups; the defaults check the running process and `java` on the PATH. */
export interface PrerequisiteOptions {
  /** The Node.js version to check (default `process.versions.node`). */
  nodeVersion?: string;
  /** The Java launcher to run (default `java`, the one DynamoDB Local is started with). */
  javaCommand?: string;
  /** How long `java -version` may take before it counts as broken (default 15 s). */
  javaTimeoutMs?: number;
}

/**
 * Parses the major version out of `java -version` output (it goes to stderr).
 * Handles the modern scheme (`openjdk version "17.0.15"`, `java version "21"`) and the legacy
 * `1.x` scheme (`java version "1.8.0_392"` → 8). Returns undefined when no version is found.
 */
export const parseJavaMajorVersion = (output: string): number | undefined => {
  const match = /version\s+"(\d+)(?:\.(\d+))?[^"]*"/i.exec(output);
  if (match === null) {
    return undefined;
  }
  const first = Number(match[1]);
  if (first === 1 && match[2] !== undefined) {
    return Number(match[2]);
  }
  return first;
};

/** Parses the major of a Node.js version string such as `24.21.0` or `v20.19.1`. */
export const parseNodeMajorVersion = (version: string): number | undefined => {
  const match = /^v?(\d+)\./.exec(version.trim());
  return match === null ? undefined : Number(match[1]);
};

const runJavaVersion = (javaCommand: string, timeoutMs: number): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(javaCommand, ['-version'], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(error);
        return;
      }
      resolve(`${stderr}\n${stdout}`);
    });
  });

/**
 * Resolves when Node ≥ 20 and Java ≥ 17 are available; otherwise throws one Error listing every
 * missing prerequisite and how to install it.
 */
export const checkPrerequisites = async (options: PrerequisiteOptions = {}): Promise<void> => {
  const problems: string[] = [];

  const nodeVersion = options.nodeVersion ?? process.versions.node;
  const nodeMajor = parseNodeMajorVersion(nodeVersion);
  if (nodeMajor === undefined || nodeMajor < MINIMUM_NODE_MAJOR) {
    problems.push(`Node.js ${MINIMUM_NODE_MAJOR}+ is required, found ${nodeVersion}. ${NODE_INSTALL_HINT}`);
  }

  const javaCommand = options.javaCommand ?? 'java';
  try {
    const output = await runJavaVersion(javaCommand, options.javaTimeoutMs ?? 15_000);
    const javaMajor = parseJavaMajorVersion(output);
    if (javaMajor === undefined) {
      problems.push(`Could not read the Java version from \`${javaCommand} -version\`. ${JAVA_INSTALL_HINT}`);
    } else if (javaMajor < MINIMUM_JAVA_MAJOR) {
      problems.push(
        `Java ${MINIMUM_JAVA_MAJOR}+ is required for DynamoDB Local, found Java ${javaMajor}. ${JAVA_INSTALL_HINT}`,
      );
    }
  } catch (e) {
    const notFound = (e as NodeJS.ErrnoException).code === 'ENOENT';
    problems.push(
      notFound
        ? `Java was not found (\`${javaCommand}\` is not on the PATH); DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR}+. ${JAVA_INSTALL_HINT}`
        : `\`${javaCommand} -version\` failed (${(e as Error).message}). ${JAVA_INSTALL_HINT}`,
    );
  }

  if (problems.length > 0) {
    throw new Error(`Missing prerequisites for the local runtime:\n- ${problems.join('\n- ')}`);
  }
};
