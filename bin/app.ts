#!/usr/bin/env node
/**
 * CDK entry (cdk.json "app"): `npx cdk synth` synthesizes `Hem-<env>` for every environment in the
 * cdk.json context, `npx cdk synth -c env=prod` only that one. cdk-nag (AwsSolutions, HIPAA.Security,
 * Serverless) always runs; an unacknowledged error fails the synth.
 */
import { App } from 'aws-cdk-lib';
import { addCompliancePacks, createHemStacks } from '../lib/hem-app';

const app = new App();
createHemStacks(app);
addCompliancePacks(app);
app.synth();
