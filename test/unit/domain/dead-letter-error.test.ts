import { describe, expect, it } from '@jest/globals';
import { safeDeadLetterAttributes, safeDeadLetterCode, safeDeadLetterMessage } from '../../../functions/domain/dead-letter-error';

const stackOf = (message: string): string => new Error(message).stack ?? '';

describe('dead-letter error attributes', () => {
  it('turns a Step Functions Cause from Lambda (errorType, errorMessage, trace) into its message only', () => {
    const cause = JSON.stringify({ errorType: 'InfrastructureError', errorMessage: 'the inventory table failed', trace: stackOf('x').split('\n') });
    expect(safeDeadLetterMessage(cause)).toBe('the inventory table failed');
  });

  it('keeps the first line of an error with its stack, without the frames', () => {
    expect(safeDeadLetterMessage(`InfrastructureError: boom\n${stackOf('boom')}`)).toBe('InfrastructureError: boom');
  });

  it('replaces absolute, file:// and Windows paths with [path] but leaves dates, ARNs and HL7 locations alone', () => {
    expect(safeDeadLetterMessage("ENOENT: no such file or directory, open '/work/main/local/data/x.json'")).toBe("ENOENT: no such file or directory, open '[path]'");
    expect(safeDeadLetterMessage('TypeError: x is undefined at file:///work/main/functions/a.ts:12:3')).toBe('TypeError: x is undefined at [path]');
    expect(safeDeadLetterMessage('cannot open C:\\hem\\data\\x.json')).toBe('cannot open [path]');
    const plain = 'FT1[2]-10 on 2026/12/08 for arn:aws:states:us-east-1:1:execution:a/b';
    expect(safeDeadLetterMessage(plain)).toBe(plain);
  });

  it('bounds the message and never leaves it empty', () => {
    expect(safeDeadLetterMessage('x'.repeat(5000)).length).toBe(1000);
    expect(safeDeadLetterMessage('')).toBe('failed');
  });

  it('keeps an error code as one token', () => {
    expect(safeDeadLetterCode('States.Timeout')).toBe('States.Timeout');
    expect(safeDeadLetterCode('Error at /work/x.ts:1')).toBe('Error');
    expect(safeDeadLetterCode('')).toBe('UNKNOWN_ERROR');
  });

  it('changes ERROR_CODE and ERROR_MESSAGE only', () => {
    expect(safeDeadLetterAttributes({ RULE_ARN: 'arn:aws:events:r/a/b', ERROR_CODE: 'ERROR_FROM_TARGET', ERROR_MESSAGE: `E: m\n${stackOf('m')}` })).toStrictEqual({
      RULE_ARN: 'arn:aws:events:r/a/b',
      ERROR_CODE: 'ERROR_FROM_TARGET',
      ERROR_MESSAGE: 'E: m',
    });
  });
});
