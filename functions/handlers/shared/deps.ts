/**
 * What a handler's `makeHandler` receives: the domain ports plus the Powertools idempotency store
 * (a DynamoDB persistence layer in Lambda and locally, an in-memory one in unit tests).
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Dependencies } from '../../domain/ports';

export interface HandlerDependencies extends Dependencies {
  idempotencyStore: BasePersistenceLayer;
}
