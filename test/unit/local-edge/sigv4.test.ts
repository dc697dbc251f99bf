import { describe, expect, it } from '@jest/globals';
import { AuthenticationError } from '../../../functions/domain/errors';
import { LOCAL_OPS_CREDENTIALS, LOCAL_SIGV4_SCOPE, signRequest, verifySigV4 } from '../../../local/sigv4';

const OPTIONS = { ...LOCAL_SIGV4_SCOPE, maxSkewSeconds: 300 };
const BASE = 'http://127.0.0.1:4010';

/** What the gateway sees: origin-relative URL, lowercase header names including host. */
const asReceived = (url: string, signed: Record<string, string>, method: string, body?: string) => {
  const u = new URL(url);
  return { method, url: `${u.pathname}${u.search}`, headers: { ...signed, host: u.host }, body };
};

describe('signRequest / verifySigV4', () => {
  it('verifies a GET with a query string that signRequest signed', async () => {
    const url = `${BASE}/v1/ops/exceptions?status=OPEN&limit=10`;
    const headers = await signRequest({ method: 'GET', url }, LOCAL_OPS_CREDENTIALS, LOCAL_SIGV4_SCOPE);
    expect(headers.authorization ?? '').toMatch(/^AWS4-HMAC-SHA256 Credential=HEMLOCALOPS\/\d{8}\/local\/execute-api\/aws4_request/);
    expect(headers.host).toBe(undefined);
    const identity = await verifySigV4(asReceived(url, headers, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS);
    expect(identity.accessKeyId).toBe('HEMLOCALOPS');
  });

  it('verifies a PUT with a JSON body and extra signed headers', async () => {
    const url = `${BASE}/v1/ops/crosswalks/charge-codes/EPIC/CHG-999999`;
    const body = JSON.stringify({ itemId: 'ITM-10001' });
    const headers = await signRequest(
      { method: 'PUT', url, headers: { 'Content-Type': 'application/json' }, body },
      LOCAL_OPS_CREDENTIALS,
      LOCAL_SIGV4_SCOPE,
    );
    expect(headers.authorization ?? '').toMatch(/SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date/);
    await verifySigV4(asReceived(url, headers, 'PUT', body), LOCAL_OPS_CREDENTIALS, OPTIONS);
  });

  it('rejects a body changed after signing', async () => {
    const url = `${BASE}/v1/ops/dlqs/cost-posting-dlq/redrive`;
    const headers = await signRequest({ method: 'POST', url, body: '{"max":1}' }, LOCAL_OPS_CREDENTIALS, LOCAL_SIGV4_SCOPE);
    await expect(verifySigV4(asReceived(url, headers, 'POST', '{"max":1000}'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/x-amz-content-sha256 does not match the body/);
  });

  it('rejects a changed path or query', async () => {
    const url = `${BASE}/v1/ops/exceptions?status=OPEN`;
    const headers = await signRequest({ method: 'GET', url }, LOCAL_OPS_CREDENTIALS, LOCAL_SIGV4_SCOPE);
    await expect(verifySigV4(asReceived(`${BASE}/v1/ops/exceptions?status=RESOLVED`, headers, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/signature does not match/);
    await expect(verifySigV4(asReceived(`${BASE}/v1/ops/dlqs?status=OPEN`, headers, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/signature does not match/);
  });

  it('rejects a signature made with the wrong secret', async () => {
    const url = `${BASE}/v1/ops/dlqs`;
    const headers = await signRequest(
      { method: 'GET', url },
      { accessKeyId: 'HEMLOCALOPS', secretAccessKey: 'guessed' },
      LOCAL_SIGV4_SCOPE,
    );
    await expect(verifySigV4(asReceived(url, headers, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(AuthenticationError);
  });

  it('rejects an unknown access key, another region and another service', async () => {
    const url = `${BASE}/v1/ops/dlqs`;
    const otherKey = await signRequest({ method: 'GET', url }, { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' }, LOCAL_SIGV4_SCOPE);
    await expect(verifySigV4(asReceived(url, otherKey, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/unknown access key/);
    const otherRegion = await signRequest({ method: 'GET', url }, LOCAL_OPS_CREDENTIALS, { region: 'us-east-1', service: 'execute-api' });
    await expect(verifySigV4(asReceived(url, otherRegion, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/credential scope/);
    const otherService = await signRequest({ method: 'GET', url }, LOCAL_OPS_CREDENTIALS, { region: 'local', service: 's3' });
    await expect(verifySigV4(asReceived(url, otherService, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/credential scope/);
  });

  it('rejects a signature older than the allowed skew (expired)', async () => {
    const url = `${BASE}/v1/ops/dlqs`;
    const headers = await signRequest({ method: 'GET', url }, LOCAL_OPS_CREDENTIALS, {
      ...LOCAL_SIGV4_SCOPE,
      signingDate: new Date(Date.now() - 6 * 60_000),
    });
    await expect(verifySigV4(asReceived(url, headers, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/signature expired/);
  });

  it('accepts a signature within the skew', async () => {
    const url = `${BASE}/v1/ops/dlqs`;
    const headers = await signRequest({ method: 'GET', url }, LOCAL_OPS_CREDENTIALS, {
      ...LOCAL_SIGV4_SCOPE,
      signingDate: new Date(Date.now() - 4 * 60_000),
    });
    expect((await verifySigV4(asReceived(url, headers, 'GET'), LOCAL_OPS_CREDENTIALS, OPTIONS)).accessKeyId).toBe('HEMLOCALOPS');
  });

  it('rejects a missing or non-SigV4 Authorization header', async () => {
    await expect(verifySigV4({ method: 'GET', url: '/v1/ops/dlqs', headers: { host: '127.0.0.1:4010' } }, LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/missing SigV4 Authorization header/);
    await expect(verifySigV4(
        { method: 'GET', url: '/v1/ops/dlqs', headers: { host: '127.0.0.1:4010', authorization: 'Bearer abc' } },
        LOCAL_OPS_CREDENTIALS,
        OPTIONS,
      )).rejects.toThrow(/not an AWS4-HMAC-SHA256 signature/);
  });

  it('rejects a request whose signed host header was swapped', async () => {
    const url = `${BASE}/v1/ops/dlqs`;
    const headers = await signRequest({ method: 'GET', url }, LOCAL_OPS_CREDENTIALS, LOCAL_SIGV4_SCOPE);
    await expect(verifySigV4({ method: 'GET', url: '/v1/ops/dlqs', headers: { ...headers, host: 'evil.example:4010' } }, LOCAL_OPS_CREDENTIALS, OPTIONS)).rejects.toThrow(/signature does not match/);
  });

  it('accepts the AWS SigV4 test-suite vector get-vanilla (a signature it did not make itself)', async () => {
    const identity = await verifySigV4(
      {
        method: 'GET',
        url: '/',
        headers: {
          host: 'example.amazonaws.com',
          'x-amz-date': '20150830T123600Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
            'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
        },
      },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      { region: 'us-east-1', service: 'service', maxSkewSeconds: 300, now: () => new Date('2015-08-30T12:36:00Z') },
    );
    expect(identity.accessKeyId).toBe('AKIDEXAMPLE');
  });
});
