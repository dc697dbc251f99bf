/**
 * `load()`'s BatchWriteItem path under throttling: DynamoDB answers 200 with `UnprocessedItems`
 * when it could not write everything, which neither DynamoDB Local nor moto ever does. A small
 * endpoint speaking the DynamoDB JSON protocol plays the throttled table; the real SDK and document
 * client talk to it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../../functions/adapters/aws/dependencies';
import { DynamoReferenceDataRepository } from '../../../functions/adapters/aws/reference-data-repository';
import { InfrastructureError } from '../../../functions/domain/errors';
import { startStubEndpoint, stubClientConfig, type StubEndpoint } from '../../support/stub-endpoint';
import { referenceDataSet } from './scenarios';
import { expectInstanceOf } from '../../support/expect-narrowing';

interface WriteRequest {
  PutRequest: { Item: { pk: { S: string }; sk: { S: string } } };
}

/** Items written per call: what the table keeps; `unprocessed(call)` says how many of each request to hand back. */
const written = new Map<string, unknown>();
const requestSizes: number[] = [];
let unprocessed: (call: number, requests: WriteRequest[]) => WriteRequest[] = () => [];
let endpoint: StubEndpoint;
let dynamo: DynamoDBClient;

const repository = (): DynamoReferenceDataRepository =>
  new DynamoReferenceDataRepository({
    client: createDocumentClient(dynamo),
    tableName: 'hem-reference',
    loadOptions: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
  });

describe('DynamoReferenceDataRepository.load under throttling', () => {
  beforeAll(async () => {
    endpoint = await startStubEndpoint((req, body, res) => {
      expect(req.headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
      const requests = (JSON.parse(body) as { RequestItems: Record<string, WriteRequest[]> }).RequestItems['hem-reference'] ?? [];
      requestSizes.push(requests.length);
      const refused = unprocessed(requestSizes.length, requests);
      for (const request of requests) {
        if (!refused.includes(request)) {
          const { pk, sk } = request.PutRequest.Item;
          written.set(`${pk.S}|${sk.S}`, request.PutRequest.Item);
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ UnprocessedItems: refused.length === 0 ? {} : { 'hem-reference': refused } }));
    });
    dynamo = new DynamoDBClient(stubClientConfig(endpoint.url));
  });

  afterAll(async () => {
    dynamo.destroy();
    await endpoint.close();
  });

  beforeEach(() => {
    written.clear();
    requestSizes.length = 0;
    unprocessed = () => [];
  });

  it('writes in chunks of at most 25 requests', async () => {
    const data = referenceDataSet(20);
    await repository().load(data);
    // 1 facility + 1 location + 1 cost center + 20 items + 20 pars + 20 charge codes + 1 department
    expect(written.size).toBe(64);
    expect(requestSizes.every((n) => n <= 25)).toBeTruthy();
    expect(requestSizes.reduce((a, b) => a + b, 0)).toBe(64);
  });

  it('re-sends unprocessed items until every item is written', async () => {
    // The first 3 calls each hand back the last 5 requests they were given.
    unprocessed = (call, requests) => (call <= 3 ? requests.slice(-5) : []);
    await repository().load(referenceDataSet(20));
    expect(written.size).toBe(64);
    expect(requestSizes.length > 3).toBeTruthy();
  });

  it('throws InfrastructureError when a chunk stays unprocessed', async () => {
    unprocessed = (_call, requests) => requests.slice(0, 1);
    const error = await repository()
      .load(referenceDataSet(1))
      .then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: unknown) => e,
      );
    expectInstanceOf(error, InfrastructureError);
    expect(error.message).toMatch(/left 1 items unprocessed/);
  });
});
