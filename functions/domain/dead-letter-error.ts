/**
 * What a dead-letter message may say about the failure that put it there: an error code and a
 * one-line message — never a stack trace, a file path or a foreign payload. Applied wherever an
 * error becomes a DLQ attribute (the local bus and queues) and wherever DLQ attributes are read
 * back (`DeadLetterQueues.peek`, i.e. `hem dlq show`), so that a Step Functions `Cause` (Lambda's
 * `{ errorType, errorMessage, trace }`) or an `Error.stack` cannot reach an operator's screen.
 * Pure: no I/O.
 */

/** The DLQ message attributes that describe the failure. */
export const DEAD_LETTER_ERROR_ATTRIBUTES = ['ERROR_CODE', 'ERROR_MESSAGE'] as const;

/** Longest ERROR_MESSAGE kept (EventBridge's own messages are far shorter). */
export const MAX_DEAD_LETTER_MESSAGE_CHARS = 1000;
const MAX_CODE_CHARS = 256;

/** `/abs/path/file.ts:12:7`, `file:///…`, `node:internal/…`, `C:\dir\file.js`, `(…/x.js)`. */
const PATH =
  /(?:file:\/\/|(?<=^|[\s'"(=[,])(?:[A-Za-z]:)?)(?:[\\/][\w.@+~-]+){2,}(?::\d+){0,2}|node:internal\/[\w./-]+(?::\d+){0,2}|\b[\w.@-]+\.(?:[cm]?[jt]sx?)(?::\d+){1,2}/g;
/** A V8 stack frame line. */
const STACK_FRAME = /^\s*at\s/;

/** Lambda's error payload, as Step Functions puts it in a task failure's `Cause`. */
const lambdaCauseMessage = (text: string): string | undefined => {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
    if (typeof parsed.errorType === 'string') return parsed.errorType;
  } catch {
    return undefined;
  }
  return undefined;
};

/**
 * A failure text fit for a DLQ attribute: a Lambda `Cause` JSON gives its `errorMessage` only;
 * stack frames are dropped (first line kept); file paths become `[path]`; at most
 * {@link MAX_DEAD_LETTER_MESSAGE_CHARS} characters.
 */
export const safeDeadLetterMessage = (text: string): string => {
  const message = lambdaCauseMessage(text) ?? text;
  const firstLine = message.split(/\r?\n/).find((line) => line.trim() !== '' && !STACK_FRAME.test(line)) ?? '';
  const clean = firstLine.replace(PATH, '[path]').trim();
  return (clean === '' ? 'failed' : clean).slice(0, MAX_DEAD_LETTER_MESSAGE_CHARS);
};

/** An error code fit for a DLQ attribute: one token (`ERROR_FROM_TARGET`, `InfrastructureError`, `States.Timeout`). */
export const safeDeadLetterCode = (code: string): string => {
  const token = code.split(/\s/)[0] ?? '';
  const clean = token.replace(/[^A-Za-z0-9_.:-]/g, '').slice(0, MAX_CODE_CHARS);
  return clean === '' ? 'UNKNOWN_ERROR' : clean;
};

/** `attributes` with ERROR_CODE / ERROR_MESSAGE made safe (see above); other attributes unchanged. */
export const safeDeadLetterAttributes = <T extends Record<string, string>>(attributes: T): T => {
  const out: Record<string, string> = { ...attributes };
  if (typeof out.ERROR_CODE === 'string') out.ERROR_CODE = safeDeadLetterCode(out.ERROR_CODE);
  if (typeof out.ERROR_MESSAGE === 'string') out.ERROR_MESSAGE = safeDeadLetterMessage(out.ERROR_MESSAGE);
  return out as T;
};
