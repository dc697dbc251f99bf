/**
 * `WorkflowControl` over AWS Step Functions (@aws-sdk/client-sfn): StartExecution of the Standard
 * procure-to-pay workflows (named after their business key) and the task-token callbacks
 * SendTaskSuccess / SendTaskFailure.
 *
 * - `start`: a name already used answers `ExecutionAlreadyExists` (Standard executions keep their
 *   names for 90 days after they close), which is `started: false` — the business key ran before.
 *   Step Functions itself treats the same name AND input while the execution runs as a success: that
 *   answers `started: true` again (harmless: no second execution).
 * - `succeed` / `fail`: a token whose task no longer waits (TaskDoesNotExist, TaskTimedOut) or that
 *   is not a token (InvalidToken) is `NotFoundError`, as the port promises; callers that stored the
 *   arrival first let the workflow's next wait pick it up.
 * - Anything else the service refuses for good (InvalidName, InvalidExecutionInput, InvalidOutput,
 *   StateMachineDoesNotExist…) is a `ValidationError`/`InfrastructureError` naming only the SDK error:
 *   a task token must never be logged whole, and inputs may be large.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { InfrastructureError, NotFoundError, ValidationError } from '../../domain/errors';
import type { WorkflowControl } from '../../domain/procurement-ports';

/** The workflows WorkflowControl starts. */
export type ProcurementWorkflow = Parameters<WorkflowControl['start']>[0];

export interface SfnWorkflowControlOptions {
  client: Pick<SFNClient, 'send'>;
  /** State machine ARN of each workflow (the CDK stack passes them as environment variables). */
  stateMachineArns: Partial<Record<ProcurementWorkflow, string>>;
}

/** SendTaskFailure limits: error 256 characters, cause 32,768. */
const ERROR_MAX = 256;
const CAUSE_MAX = 32_768;

const TASK_GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);
const REFUSED = new Set(['InvalidName', 'InvalidExecutionInput', 'InvalidOutput', 'InvalidArn', 'ValidationException']);

const nameOf = (error: unknown): string => (error instanceof Error ? error.name : 'UnknownError');

/**
 * Starts workflows and answers their task tokens through Step Functions.
 *
 * The commands are imported on first use, not at module load (see EventBridgePublisher#send): esbuild
 * hoists a static import of an external package to the top of the bundle even though this module is
 * itself loaded lazily, so @aws-sdk/client-sfn would be evaluated at init in every Lambda.
 */
export class SfnWorkflowControl implements WorkflowControl {
  readonly #client: Pick<SFNClient, 'send'>;
  readonly #arns: Partial<Record<ProcurementWorkflow, string>>;

  constructor(options: SfnWorkflowControlOptions) {
    this.#client = options.client;
    this.#arns = { ...options.stateMachineArns };
  }

  async start(workflow: ProcurementWorkflow, name: string, input: unknown): Promise<{ started: boolean }> {
    const stateMachineArn = this.#arns[workflow];
    if (stateMachineArn === undefined) {
      throw new InfrastructureError(`no state machine ARN configured for workflow ${workflow}`, { details: { workflow } });
    }
    try {
      const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
      await this.#client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input ?? {}) }));
      return { started: true };
    } catch (error) {
      const sdkError = nameOf(error);
      if (sdkError === 'ExecutionAlreadyExists') return { started: false };
      throw this.#translate(error, `StartExecution of ${workflow}`, { workflow, execution: name });
    }
  }

  async succeed(taskToken: string, output: unknown): Promise<void> {
    try {
      const { SendTaskSuccessCommand } = await import('@aws-sdk/client-sfn');
      await this.#client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) }));
    } catch (error) {
      throw this.#translate(error, 'SendTaskSuccess', {});
    }
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    try {
      const { SendTaskFailureCommand } = await import('@aws-sdk/client-sfn');
      await this.#client.send(new SendTaskFailureCommand({ taskToken, error: error.slice(0, ERROR_MAX), cause: cause.slice(0, CAUSE_MAX) }));
    } catch (e) {
      throw this.#translate(e, 'SendTaskFailure', {});
    }
  }

  #translate(error: unknown, operation: string, details: Record<string, unknown>): Error {
    const sdkError = nameOf(error);
    if (TASK_GONE.has(sdkError)) {
      return new NotFoundError(`${operation}: the task no longer waits (${sdkError})`, { cause: error, details: { ...details, sfnError: sdkError } });
    }
    if (REFUSED.has(sdkError)) {
      return new ValidationError(`${operation} refused (${sdkError})`, { cause: error, details: { ...details, sfnError: sdkError } });
    }
    // Throttling, service errors, a missing state machine, missing permissions: retry, then the DLQ / alarm.
    return new InfrastructureError(`${operation} failed (${sdkError})`, { cause: error, details: { ...details, sfnError: sdkError } });
  }
}
