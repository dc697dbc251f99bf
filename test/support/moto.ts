/**
 * moto server (a local AWS emulator) for the contract tests: `python3 -m moto.server` on a free
 * loopback port, started once by the contract project's global setup (or by a file run alone). Fails loudly, with the install command,
 * when python3 or moto is missing. Notes on what moto does and does not emulate:
 * shared/notes/toolchain.md §5 (no SQS StartMessageMoveTask; EventBridge → SQS routing works).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Region and dummy credentials every contract-test client uses. */
export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
/** moto's default account id. */
export const MOTO_ACCOUNT_ID = '123456789012';

const INSTALL_HINT = 'Install it with: pip install "moto[server]"   (then check: python3 -m moto.server --help)';

export interface Moto {
  endpoint: string;
  /** SDK client configuration pointing at this server. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** Throws with install instructions unless `python3 -c "import moto"` works. */
export const assertMotoInstalled = (): void => {
  const probe = spawnSync('python3', ['-c', 'import moto.server, flask; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.error !== undefined) {
    throw new Error(`The contract tests need python3 with moto, but python3 was not found (${probe.error.message}).\n${INSTALL_HINT}`);
  }
  if (probe.status !== 0) {
    throw new Error(`The contract tests need moto's server mode, which python3 cannot import:\n${probe.stderr.trim()}\n${INSTALL_HINT}`);
  }
};

/**
 * Where the contract project's global setup publishes the moto server it started once for all
 * contract files (see test/contract/global-setup.ts).
 */
export const SHARED_MOTO_ENDPOINT_VARIABLE = 'HEM_TEST_MOTO_ENDPOINT';

const clientConfigFor = (endpoint: string): Moto['clientConfig'] => ({ endpoint, region: MOTO_REGION, credentials: { ...MOTO_CREDENTIALS } });

/**
 * A moto server for one test file. Under the contract project's global setup that is the shared
 * server, reset to empty (`POST /moto-api/reset`) so the file starts from nothing, and `stop()` leaves
 * it running for the next file; files share it one at a time (`npm run test:contract` runs in band).
 * Run alone (no global setup), the file starts and stops a server of its own.
 */
export const startMoto = async (options: { startupTimeoutMs?: number } = {}): Promise<Moto> => {
  const shared = process.env[SHARED_MOTO_ENDPOINT_VARIABLE];
  if (shared !== undefined && shared !== '') {
    const reset = await fetch(`${shared}/moto-api/reset`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    await reset.body?.cancel();
    if (!reset.ok) throw new Error(`the shared moto server at ${shared} refused a reset (HTTP ${reset.status})`);
    return { endpoint: shared, clientConfig: clientConfigFor(shared), stop: async () => undefined };
  }
  return startMotoServer(options);
};

/** Starts a moto server of its own and waits until it answers. */
export const startMotoServer = async (options: { startupTimeoutMs?: number } = {}): Promise<Moto> => {
  assertMotoInstalled();
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  child.stdout?.resume();
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', kill);
    if (exited) {
      return;
    }
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exitPromise;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startupTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      throw new Error(`moto server exited during startup on port ${port}:\n${stderr.trim() || '(no stderr)'}\n${INSTALL_HINT}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.status < 500) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto server did not answer on ${endpoint} in time:\n${stderr.trim() || '(no stderr)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { endpoint, clientConfig: clientConfigFor(endpoint), stop };
};
