#!/usr/bin/env node
// Launcher for `npx hem …`: runs the TypeScript CLI through tsx, on the Node that npm put first on the PATH
// (the project pins Node 24 as a devDependency).
import { register } from 'tsx/esm/api';

register();
await import('./hem.ts');
