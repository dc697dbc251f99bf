// Bundled in place of ESM `import http from 'node:http'` (see LAMBDA_BUNDLING.alias in
// lib/constructs/lambda-bundling.ts): the same module object, loaded through `require`.
//
// Why: Node builds the ESM view of a built-in by reading every export, and node:http's
// `WebSocket`, `CloseEvent` and `MessageEvent` exports are getters that load undici (Node's
// fetch/WebSocket implementation, ~15 ms at cold start). No HEM Lambda uses them; the Powertools
// Tracer's `import http from 'node:http'` alone would pay for them on every cold start.
module.exports = require('http');
