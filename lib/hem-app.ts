/**
 * Builds the HEM CDK app: one `HemStack` per configured environment (or the one named by
 * `-c env=<name>`), plus the compliance packs that run on every synth.
 */
import { fileURLToPath } from 'node:url';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from 'cdk-nag';
import { parseEnvironments } from './config/environment';
import { HemStack } from './stacks/hem-stack';

/** Repository root: handler entries and ASL files are resolved from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Stack id of an environment. */
export const stackIdOf = (environmentName: string): string => `Hem-${environmentName}`;

/**
 * Creates the stacks from the `environments` context (validated once, all problems reported together).
 *
 * @param app - the CDK app whose context holds `environments` and optionally `env`
 * @returns the stacks, in the order the environments are declared
 */
export function createHemStacks(app: App): HemStack[] {
  const environments = parseEnvironments(app.node.tryGetContext('environments'), app.node.tryGetContext('env') as string | undefined);
  return environments.map(
    ({ name, config }) =>
      new HemStack(app, stackIdOf(name), {
        environmentName: name,
        config,
        projectRoot: PROJECT_ROOT,
        env: config.account !== undefined && config.region !== undefined ? { account: config.account, region: config.region } : undefined,
      }),
  );
}

/** Registers the cdk-nag packs HEM must pass on every synth: AWS Solutions, HIPAA Security, Serverless. */
export function addCompliancePacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new ServerlessChecks(app));
}
