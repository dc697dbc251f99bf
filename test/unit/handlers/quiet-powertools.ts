/**
 * Quiets Powertools for handler tests. Has no imports on purpose: ESM evaluates a module's imports
 * before its body, so this must be its own module, imported before anything that creates a Logger.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
