/**
 * Quiets Powertools for handler tests. Has no imports on purpose: ESM evaluates a module's imports
 * before its body, so this must be its own module, imported before anything that creates Metrics.
 * Log lines are filtered out of stdout by `support.ts` (and captured there on demand) rather than
 * silenced, because the Logger resets its level on every invocation.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
