/**
 * What every AWS composition shares, without DynamoDB: variable reading, lazy ports, the SDK clients
 * loaded on first use (EventBridge, SQS, Secrets Manager) and the dead-letter-queue port. Kept apart
 * from `dependencies.ts` (which imports the DynamoDB client and every repository) so a function that
 * needs none of those — the operators' DLQ API — does not load them at init.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { DeadLetterQueues } from '../../domain/ports';
import type { DeadLetterQueueConfig } from './dead-letter-queues';
import { HEM_ENV } from './environment';

/** Reads one variable, once; a missing or empty one is an error naming it. */
export const requireEnv = (env: Record<string, string | undefined>, name: string): string => {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`environment variable ${name} is not set (the HEM stack sets it on every function)`);
  }
  return value.trim();
};

/**
 * The `HEM_DLQS` schema, built on first use rather than at module load: every Lambda bundles this
 * module, and only the ones that compose the dead-letter-queue port ever read `HEM_DLQS`.
 */
const buildDeadLetterQueueConfigSchema = () => {
  const redrive = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('queue'), sourceUrl: z.url() }).strict(),
    z.object({ kind: z.literal('bus'), eventBusName: z.string().min(1) }).strict(),
  ]);
  return z.array(
    z.union([
      z.object({ name: z.string().min(1), dlqUrl: z.url(), redrive: redrive.optional() }).strict(),
      // The first format (`sourceUrl` only): a queue redrive.
      z
        .object({ name: z.string().min(1), dlqUrl: z.url(), sourceUrl: z.url() })
        .strict()
        .transform(({ sourceUrl, ...queue }) => ({ ...queue, redrive: { kind: 'queue' as const, sourceUrl } })),
    ]),
  );
};
let deadLetterQueueConfigSchema: ReturnType<typeof buildDeadLetterQueueConfigSchema> | undefined;

/** Reads one JSON variable. */
export const parseJsonEnv = (name: string, json: string): unknown => {
  try {
    return JSON.parse(json);
  } catch {
    throw new Error(`${name} is not valid JSON`);
  }
};

/** Parses `HEM_DLQS` (see `HEM_ENV.deadLetterQueues` for the format). */
export const parseDeadLetterQueueConfig = (json: string): DeadLetterQueueConfig[] => {
  const result = (deadLetterQueueConfigSchema ??= buildDeadLetterQueueConfigSchema()).safeParse(parseJsonEnv(HEM_ENV.deadLetterQueues, json));
  if (!result.success) {
    throw new Error(
      `${HEM_ENV.deadLetterQueues} must be a JSON array of {name, dlqUrl, redrive?: {kind: "queue", sourceUrl} | {kind: "bus", eventBusName}}`,
    );
  }
  return result.data;
};

/** Memoizes a factory. */
export const once = <T>(create: () => T): (() => T) => {
  let created = false;
  let value: T;
  return () => {
    if (!created) {
      value = create();
      created = true;
    }
    return value;
  };
};

/**
 * A stand-in for a port that builds the real adapter on first use of any of its members. Spreading
 * or destructuring a dependency container therefore costs nothing; the first method call (or
 * property read) pays for the client and surfaces a missing variable.
 */
export const lazyPort = <T extends object>(create: () => T): T => {
  const instance = once(create);
  let materialised = false;
  const target = (): T => {
    const value = instance();
    materialised = true;
    return value;
  };
  return new Proxy({} as T, {
    get(_stub, property) {
      // Not a thenable (`await port` must not build it), and inspection symbols don't build it either.
      if (property === 'then' || (typeof property === 'symbol' && !materialised)) {
        return undefined;
      }
      const real = target();
      const value: unknown = Reflect.get(real, property, real);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value;
    },
    set(_stub, property, value) {
      return Reflect.set(target(), property, value);
    },
    has(_stub, property) {
      return Reflect.has(target(), property);
    },
    getPrototypeOf() {
      return Reflect.getPrototypeOf(target());
    },
  });
};

/**
 * A stand-in for a port whose members are all async methods: the adapter module and its SDK
 * client are loaded with dynamic `import()` on the first call, so a handler that never publishes,
 * redrives or reads the encounter key never even evaluates those SDK packages (the bundler keeps
 * them in the file but defers their initialisation). Failures, a missing variable included,
 * surface as the call's rejection; a failed load is retried by the next call.
 */
export const lazyAsyncPort = <T extends object>(load: () => Promise<T>): T => {
  let pending: Promise<T> | undefined;
  const instance = (): Promise<T> =>
    (pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
  return new Proxy({} as T, {
    get(_stub, property) {
      if (property === 'then' || typeof property === 'symbol') {
        return undefined;
      }
      return async (...args: unknown[]): Promise<unknown> => {
        const real = await instance();
        const member: unknown = Reflect.get(real, property, real);
        if (typeof member !== 'function') {
          throw new TypeError(`${String(property)} is not a method of this port`);
        }
        return (member as (...a: unknown[]) => unknown).apply(real, args);
      };
    },
  });
};

/**
 * SDK clients other than DynamoDB's, at most one of each per module (i.e. per Lambda instance),
 * created on first use; their packages are loaded with dynamic `import()`. `instrument` lets the
 * handler wrap a client (e.g. Powertools Tracer's `captureAWSv3Client`).
 */
export interface ClientOptions {
  region: string | undefined;
  instrument: <C>(client: C) => C;
}
const moduleClients: {
  eventBridge?: Promise<EventBridgeClient>;
  sqs?: Promise<SQSClient>;
  secrets?: Promise<SecretsManagerClient>;
} = {};
/** `{ region }` when one is set (the SDK reads `AWS_REGION` itself otherwise). */
export const regionConfig = (region: string | undefined): { region?: string } => (region === undefined ? {} : { region });
export const eventBridgeClientFor = (o: ClientOptions): Promise<EventBridgeClient> =>
  (moduleClients.eventBridge ??= import('@aws-sdk/client-eventbridge').then((m) => o.instrument(new m.EventBridgeClient(regionConfig(o.region)))));
export const sqsClientFor = (o: ClientOptions): Promise<SQSClient> =>
  (moduleClients.sqs ??= import('@aws-sdk/client-sqs').then((m) => o.instrument(new m.SQSClient(regionConfig(o.region)))));
export const secretsClientFor = (o: ClientOptions): Promise<SecretsManagerClient> =>
  (moduleClients.secrets ??= import('@aws-sdk/client-secrets-manager').then((m) =>
    o.instrument(new m.SecretsManagerClient(regionConfig(o.region))),
  ));

/** Which of these clients this module has created so far. */
export const createdLazyClients = (): ('eventbridge' | 'sqs' | 'secretsmanager')[] => [
  ...(moduleClients.eventBridge === undefined ? [] : (['eventbridge'] as const)),
  ...(moduleClients.sqs === undefined ? [] : (['sqs'] as const)),
  ...(moduleClients.secrets === undefined ? [] : (['secretsmanager'] as const)),
];

/** Client options from `AWS_REGION` and the handler's instrumentation. */
export const clientOptionsFrom = (env: Record<string, string | undefined>, instrument?: <C>(client: C) => C): ClientOptions => ({
  region: env.AWS_REGION === undefined || env.AWS_REGION === '' ? undefined : env.AWS_REGION,
  instrument: instrument ?? (<C>(client: C): C => client),
});

/**
 * The dead-letter-queue port over SQS (and EventBridge for bus redrives), from `HEM_DLQS`: lazy like
 * every port, and free of DynamoDB, so the operators' DLQ function loads nothing else at init.
 */
export const awsDeadLetterQueues = (env: Record<string, string | undefined>, clientOptions: ClientOptions): DeadLetterQueues =>
  lazyAsyncPort<DeadLetterQueues>(async () => {
    const queues = parseDeadLetterQueueConfig(requireEnv(env, HEM_ENV.deadLetterQueues));
    const redrivesToBus = queues.some((q) => q.redrive?.kind === 'bus');
    const [{ SqsDeadLetterQueues }, client, eventBridge] = await Promise.all([
      import('./dead-letter-queues'),
      sqsClientFor(clientOptions),
      redrivesToBus ? eventBridgeClientFor(clientOptions) : undefined,
    ]);
    return new SqsDeadLetterQueues({ client, queues, ...(eventBridge === undefined ? {} : { eventBridge }) });
  });
