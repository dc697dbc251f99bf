/**
 * The procure-to-pay ports that are not DynamoDB, over the local runtime's stand-ins: Step Functions
 * (`WorkflowControl` over the local state machines) and the `ErpCommands` queue (`ErpCommandQueue`
 * over the local queue). They behave as their AWS adapters do (functions/adapters/aws/workflow-control.ts,
 * functions/adapters/aws/erp-command-queue.ts), so a handler cannot tell the two apart.
 */
import type { ErpCommand } from '../contracts/procurement-commands';
import { InfrastructureError, NotFoundError } from '../functions/domain/errors';
import type { ErpCommandQueue, WorkflowControl } from '../functions/domain/procurement-ports';
import type { LocalQueue } from './queue';
import { ExecutionAlreadyExistsError, type LocalStateMachine } from './stepfunctions';

type Workflow = Parameters<WorkflowControl['start']>[0];

/**
 * `WorkflowControl` over local state machines.
 * - `start`: StartExecution named after the business key. A Standard name already used (a closed
 *   execution, or a running one with another input) answers `started: false`, as
 *   `ExecutionAlreadyExists` does on AWS; the same name and input while running is the same execution.
 * - `succeed` / `fail`: a task token belongs to the machine that issued it, and a token is opaque, so
 *   each machine is asked in turn; none knowing it is `NotFoundError` (TaskDoesNotExist).
 */
export class LocalWorkflowControl implements WorkflowControl {
  readonly #machines: () => ReadonlyMap<string, LocalStateMachine>;

  /** @param machines - the runtime's state machines by StateMachineId (read on every call) */
  constructor(machines: () => ReadonlyMap<string, LocalStateMachine>) {
    this.#machines = machines;
  }

  async start(workflow: Workflow, name: string, input: unknown): Promise<{ started: boolean }> {
    const machine = this.#machines().get(workflow);
    if (machine === undefined) {
      throw new InfrastructureError(`no local state machine for workflow ${workflow}`, { details: { workflow } });
    }
    try {
      machine.start(input, { name });
      return { started: true };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError) return { started: false };
      throw error;
    }
  }

  async succeed(taskToken: string, output: unknown): Promise<void> {
    this.#answer((machine) => machine.sendTaskSuccess(taskToken, output));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    this.#answer((machine) => machine.sendTaskFailure(taskToken, error, cause));
  }

  #answer(send: (machine: LocalStateMachine) => void): void {
    for (const machine of this.#machines().values()) {
      try {
        send(machine);
        return;
      } catch (error) {
        // Not this machine's token (or no longer waiting): ask the next one.
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    throw new NotFoundError('Task does not exist or has already completed', { details: { sfnError: 'TaskDoesNotExist' } });
  }
}

/** `ErpCommandQueue` over the local `ErpCommands` queue: the JSON command as the message body, no task token. */
export class LocalErpCommandQueue implements ErpCommandQueue {
  readonly #queue: LocalQueue;

  constructor(queue: LocalQueue) {
    this.#queue = queue;
  }

  async send(command: ErpCommand): Promise<void> {
    try {
      this.#queue.send(JSON.stringify(command));
    } catch (error) {
      throw new InfrastructureError(`SendMessage of ${command.command} to the ErpCommands queue failed`, {
        cause: error,
        details: { command: command.command, errorName: error instanceof Error ? error.name : typeof error },
      });
    }
  }
}
