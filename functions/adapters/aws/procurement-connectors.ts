/**
 * The Lambda composition of the procure-to-pay ports that are not DynamoDB: Step Functions
 * (WorkflowControl), the ERP and the supplier network. Lazy like `awsDependencies`: the SFN client
 * and its SDK package are loaded on the first call, a missing variable surfaces as that call's
 * error naming it, and importing a handler needs no configuration.
 *
 * A procurement handler composes everything with `awsProcurementHandlerDependencies()`:
 * `{ ...awsDependencies(env, o), ...awsProcurementDependencies(env, o), ...awsProcurementConnectors(env, o) }`.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import type { ErpGateway, SupplierNetwork, WorkflowControl } from '../../domain/procurement-ports';
import type { ProcurementHandlerDependencies } from '../../handlers/shared/procurement-deps';
import { HttpErpGateway } from '../connectors/erp-client';
import { HttpSupplierNetwork } from '../connectors/supplier-network-client';
import { awsDependencies, awsProcurementDependencies, type AwsDependenciesOptions } from './dependencies';
import { HEM_ENV } from './environment';
import type { ProcurementWorkflow } from './workflow-control';

const requireEnv = (env: Record<string, string | undefined>, name: string): string => {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set (the HEM stack sets it on every function that needs it)`);
  return value;
};

const StateMachineArnsSchema = z.object({
  RequisitionToPay: z.string().startsWith('arn:').optional(),
  ReceiptToInvoice: z.string().startsWith('arn:').optional(),
});

/** Parses `HEM_STATE_MACHINE_ARNS`. */
export const parseStateMachineArns = (json: string): Partial<Record<ProcurementWorkflow, string>> => {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${HEM_ENV.stateMachineArns} is not valid JSON`);
  }
  const parsed = StateMachineArnsSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${HEM_ENV.stateMachineArns} must be a JSON object {"RequisitionToPay"?: arn, "ReceiptToInvoice"?: arn}`);
  return Object.fromEntries(Object.entries(parsed.data).filter(([, arn]) => arn !== undefined)) as Partial<Record<ProcurementWorkflow, string>>;
};

const timeoutOf = (env: Record<string, string | undefined>, name: string): { timeoutMs?: number } => {
  const value = Number(env[name]);
  return Number.isFinite(value) && value > 0 ? { timeoutMs: value } : {};
};

/** One SFN client per module (per Lambda instance), created on first use. */
let sfnClient: Promise<SFNClient> | undefined;

/** The Step Functions, ERP and supplier-network ports over AWS and HTTP. */
export const awsProcurementConnectors = (
  env: Record<string, string | undefined> = process.env,
  options: AwsDependenciesOptions = {},
): { workflows: WorkflowControl; erp: ErpGateway; supplierNetwork: SupplierNetwork } => {
  const instrument = options.instrumentClient ?? (<C>(client: C): C => client);
  const region = env.AWS_REGION === undefined || env.AWS_REGION === '' ? {} : { region: env.AWS_REGION };
  let workflows: Promise<WorkflowControl> | undefined;
  const loadWorkflows = (): Promise<WorkflowControl> =>
    (workflows ??= (async () => {
      // Only `start` needs the ARNs: functions that just answer task tokens run without the variable.
      const arns = env[HEM_ENV.stateMachineArns]?.trim();
      const stateMachineArns = arns === undefined || arns === '' ? {} : parseStateMachineArns(arns);
      sfnClient ??= import('@aws-sdk/client-sfn').then((m) => instrument(new m.SFNClient(region)));
      const [{ SfnWorkflowControl }, client] = await Promise.all([import('./workflow-control'), sfnClient]);
      return new SfnWorkflowControl({ client, stateMachineArns });
    })().catch((error: unknown) => {
      workflows = undefined;
      throw error;
    }));
  let erp: ErpGateway | undefined;
  let supplierNetwork: SupplierNetwork | undefined;
  return {
    workflows: {
      start: async (workflow, name, input) => (await loadWorkflows()).start(workflow, name, input),
      succeed: async (taskToken, output) => (await loadWorkflows()).succeed(taskToken, output),
      fail: async (taskToken, error, cause) => (await loadWorkflows()).fail(taskToken, error, cause),
    },
    erp: {
      createPurchaseOrder: async (po, key) => (erp ??= new HttpErpGateway({ baseUrl: requireEnv(env, HEM_ENV.erpUrl), ...timeoutOf(env, HEM_ENV.erpTimeoutMs) })).createPurchaseOrder(po, key),
      createReceipt: async (receipt, key) => (erp ??= new HttpErpGateway({ baseUrl: requireEnv(env, HEM_ENV.erpUrl), ...timeoutOf(env, HEM_ENV.erpTimeoutMs) })).createReceipt(receipt, key),
      createPayablesInvoice: async (invoice, amount, key) =>
        (erp ??= new HttpErpGateway({ baseUrl: requireEnv(env, HEM_ENV.erpUrl), ...timeoutOf(env, HEM_ENV.erpTimeoutMs) })).createPayablesInvoice(invoice, amount, key),
    },
    supplierNetwork: {
      send: async (supplier, interchange, key) =>
        (supplierNetwork ??= new HttpSupplierNetwork({
          baseUrl: requireEnv(env, HEM_ENV.supplierNetworkUrl),
          ...timeoutOf(env, HEM_ENV.supplierNetworkTimeoutMs),
        })).send(supplier, interchange, key),
    },
  };
};

/** Every port a procurement handler receives, over AWS (the `handler = makeHandler(...)` composition). */
export const awsProcurementHandlerDependencies = (
  env: Record<string, string | undefined> = process.env,
  options: AwsDependenciesOptions = {},
): ProcurementHandlerDependencies => ({
  ...awsDependencies(env, options),
  ...awsProcurementDependencies(env, options),
  ...awsProcurementConnectors(env, options),
});
