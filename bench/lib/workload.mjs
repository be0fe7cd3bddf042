/**
 * The workload: N services running `sleep ARG`, with an ARG unique to this
 * bench run and tool, so that /proc tells our processes from anyone else's.
 * ARG = TOKEN (5 digits, random per run) + tool digit + index (4 digits).
 */
import crypto from 'node:crypto';

export const TOKEN = String(10000 + crypto.randomInt(90000));

const TOOL_DIGIT = { hxe: '1', pm2: '2', supervisord: '3', 'hxe-scale': '4', 'hxe-storm': '5' };

export function workload(tool, count) {
  const prefix = TOKEN + TOOL_DIGIT[tool];
  const width = count > 100 ? 4 : 2;
  const services = Array.from({ length: count }, (_, i) => ({
    name: `s-${String(i).padStart(width, '0')}`,
    arg: prefix + String(i).padStart(4, '0'),
  }));
  return { tool, prefix, services };
}

/** Every sleep of this bench run, whatever the tool. */
export const RUN_PREFIX = TOKEN;
