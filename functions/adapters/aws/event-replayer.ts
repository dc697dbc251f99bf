/**
 * `EventReplayer` over EventBridge `StartReplay`: replays the bus archive over a time window to the
 * bus, optionally only to some rules (the replay's `FilterArns`). EventBridge runs the replay
 * asynchronously and adds a `replay-name` field to each replayed event; consumers are idempotent,
 * so replaying events that were already processed changes nothing.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ConflictError, HemError, InfrastructureError, ValidationError } from '../../domain/errors';
import type { EventReplayer, ReplayRequest, ReplayStarted } from '../../domain/ports';

export interface EventBridgeReplayerOptions {
  client: EventBridgeClient;
  /** The archive to replay from. */
  archiveArn: string;
  /** The bus replayed events are delivered to. */
  eventBusArn: string;
  /** Routing rule name (contracts/routing.ts) → the deployed rule's ARN. */
  ruleArns: Readonly<Record<string, string>>;
}

/** Errors of StartReplay the caller can fix (bad window, unknown rule): a 400, not a retry. */
const CALLER_ERRORS: ReadonlySet<string> = new Set(['ValidationException', 'InvalidEventPatternException']);

/** Starts archive replays. */
export class EventBridgeReplayer implements EventReplayer {
  readonly #client: EventBridgeClient;
  readonly #archiveArn: string;
  readonly #eventBusArn: string;
  readonly #ruleArns: Readonly<Record<string, string>>;

  constructor(options: EventBridgeReplayerOptions) {
    this.#client = options.client;
    this.#archiveArn = options.archiveArn;
    this.#eventBusArn = options.eventBusArn;
    this.#ruleArns = options.ruleArns;
  }

  /**
   * @throws ValidationError for a rule name without a deployed rule, or a window EventBridge refuses
   * @throws ConflictError when a replay of that name exists, or too many replays run already
   * @throws InfrastructureError for anything else
   */
  async startReplay(request: ReplayRequest): Promise<ReplayStarted> {
    const filterArns = request.ruleNames?.map((name) => {
      const arn = this.#ruleArns[name];
      if (arn === undefined) {
        throw new ValidationError(`no deployed rule named ${name}`, { location: 'ruleNames', details: { known: Object.keys(this.#ruleArns) } });
      }
      return arn;
    });
    try {
      // Imported on first use, not at module load (see EventBridgePublisher#send).
      const { StartReplayCommand } = await import('@aws-sdk/client-eventbridge');
      const result = await this.#client.send(
        new StartReplayCommand({
          ReplayName: request.replayName,
          Description: `HEM operator replay ${request.from} to ${request.to}`,
          EventSourceArn: this.#archiveArn,
          EventStartTime: new Date(request.from),
          EventEndTime: new Date(request.to),
          Destination: { Arn: this.#eventBusArn, ...(filterArns === undefined ? {} : { FilterArns: filterArns }) },
        }),
      );
      return { replayName: request.replayName, state: result.State ?? 'STARTING' };
    } catch (error) {
      if (error instanceof HemError) throw error;
      const errorName = error instanceof Error ? error.name : typeof error;
      // EventBridge's messages name the window or the resource, never event content.
      const message = error instanceof Error ? error.message : '';
      if (CALLER_ERRORS.has(errorName)) {
        throw new ValidationError(`EventBridge refused the replay: ${message}`, { cause: error, details: { errorName } });
      }
      if (errorName === 'ResourceAlreadyExistsException' || errorName === 'LimitExceededException') {
        throw new ConflictError(`EventBridge refused the replay (${errorName}): ${message}`, { cause: error, details: { errorName } });
      }
      throw new InfrastructureError(`EventBridge StartReplay failed (${errorName})`, { cause: error, details: { errorName } });
    }
  }
}
