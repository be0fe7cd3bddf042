/**
 * Top-level keys of a manifest file besides `service` / `services`: the
 * agent's own settings, not read here. Apart from schema.ts, so that
 * reading a file whose decoded services are cached never loads zod.
 */
export const AGENT_BLOCKS: readonly string[] = ['agent', 'server', 'sync'];
