/**
 * Small durable-state helpers for the local runtime's in-process stand-ins (queues, bus archive).
 * State files are replaced atomically (write a temporary file, then rename), so a crash never
 * leaves half a file; appends are one line per record, and a torn last line is skipped on load.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InfrastructureError } from '../functions/domain/errors';

/** PHI-free diagnostics of the local stand-ins (ids, names, counts, error names). */
export interface LocalLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Writes one JSON line per message to stderr. */
export const stderrLogger: LocalLogger = {
  warn: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'WARN', message, ...fields })}\n`),
  error: (message, fields) => process.stderr.write(`${JSON.stringify({ level: 'ERROR', message, ...fields })}\n`),
};

/** Discards everything (tests that provoke failures on purpose). */
export const silentLogger: LocalLogger = { warn: () => undefined, error: () => undefined };

// Files with a write still pending: flushed synchronously if the process exits first.
const dirtyFiles = new Set<JsonStateFile<unknown>>();
let exitHookInstalled = false;

const installExitHook = (): void => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const file of dirtyFiles) {
      file.flush();
    }
  });
};

/**
 * One JSON document kept on disk, rewritten (debounced) whenever the owner reports a change.
 * `save` takes a snapshot function, evaluated at write time, so a burst of changes costs one write.
 */
export class JsonStateFile<T> {
  private snapshot: (() => T) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly filePath: string,
    private readonly debounceMs = 20,
  ) {
    installExitHook();
  }

  /**
   * The stored document, or undefined when there is none yet.
   * @throws InfrastructureError when the file exists but is not valid JSON (never silently dropped).
   */
  load(): T | undefined {
    if (!existsSync(this.filePath)) {
      return undefined;
    }
    try {
      return JSON.parse(readFileSync(this.filePath, 'utf8')) as T;
    } catch (error) {
      throw new InfrastructureError(`state file ${this.filePath} is not valid JSON; move it aside to start empty`, {
        cause: error,
      });
    }
  }

  /** Schedules a write of `snapshot()`; the latest snapshot function wins. */
  save(snapshot: () => T): void {
    this.snapshot = snapshot;
    dirtyFiles.add(this as JsonStateFile<unknown>);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.debounceMs);
    }
  }

  /** Writes a pending snapshot now (synchronously). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const snapshot = this.snapshot;
    if (snapshot === undefined) {
      return;
    }
    this.snapshot = undefined;
    dirtyFiles.delete(this as JsonStateFile<unknown>);
    mkdirSync(path.dirname(this.filePath), { recursive: true });
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot()));
    renameSync(temporary, this.filePath);
  }
}

/** Appends one JSON record as a line (synchronously, so the record is durable when this returns). */
export const appendJsonLine = (filePath: string, record: unknown): void => {
  mkdirSync(path.dirname(filePath), { recursive: true });
  appendFileSync(filePath, `${JSON.stringify(record)}\n`);
};

/** Replaces a JSON-lines file with these records (atomically: temporary file, then rename). */
export const rewriteJsonLines = (filePath: string, records: readonly unknown[]): void => {
  mkdirSync(path.dirname(filePath), { recursive: true });
  const temporary = `${filePath}.${process.pid}.tmp`;
  writeFileSync(temporary, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  renameSync(temporary, filePath);
};

/** Every complete JSON line of a file (none when it does not exist); a torn or corrupt line is skipped. */
export const readJsonLines = <T>(filePath: string, onSkip?: (lineNumber: number) => void): T[] => {
  if (!existsSync(filePath)) {
    return [];
  }
  const records: T[] = [];
  readFileSync(filePath, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push(JSON.parse(line) as T);
      } catch {
        onSkip?.(index + 1);
      }
    });
  return records;
};
