/**
 * Kubernetes-style quantities: CPU in millicores (`500m`, `1`, `1.5`) and
 * memory in bytes (`512Mi`, `1Gi`, `1G`, `1000`).
 */

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)([KMGTPE]i|[kKMGTPE])?$/;

const MEMORY_FACTOR: Record<string, number> = {
  '': 1,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/**
 * Parses a CPU quantity into millicores (1000 = one core). Numbers are read
 * as cores, like the unsuffixed text form.
 * @throws Error when the value is not a positive quantity in whole millicores.
 */
export function parseCpu(value: string | number): number {
  const expected = `expected a CPU quantity such as "500m", "1" or "1.5", got ${JSON.stringify(value)}`;
  let millicores: number;
  if (typeof value === 'number') {
    millicores = value * 1000;
  } else {
    const match = CPU.exec(value);
    if (!match) throw new Error(expected);
    millicores = match[2] === 'm' ? Number(match[1]) : Number(match[1]) * 1000;
  }
  if (!Number.isFinite(millicores) || millicores <= 0) throw new Error(expected);
  const whole = Math.round(millicores);
  // 1.5 * 1000 is exact, but 0.1 + float noise is not: tolerate noise, refuse real fractions.
  if (Math.abs(whole - millicores) > 1e-6) {
    throw new Error(`expected whole millicores (1m = 0.001 CPU), got ${JSON.stringify(value)}`);
  }
  if (whole > Number.MAX_SAFE_INTEGER) throw new Error(expected);
  return whole;
}

/**
 * Parses a memory quantity into bytes (rounded to whole bytes). Binary
 * suffixes `Ki`…`Ei` are powers of 1024, decimal ones `k`/`K`, `M`…`E`
 * powers of 1000; a bare number is bytes.
 * @throws Error when the value is not a positive quantity; `512m` (milli in
 *   Kubernetes, a classic slip) gets a hint.
 */
export function parseMemory(value: string | number): number {
  const expected = `expected a memory quantity such as "512Mi", "1Gi", "1G" or bytes "1000", got ${JSON.stringify(value)}`;
  let bytes: number;
  if (typeof value === 'number') {
    bytes = value;
  } else {
    const match = MEMORY.exec(value);
    if (!match) {
      const slip = /^(\d+)(m|mi|mb|MB|Mb)$/.exec(value);
      if (slip) throw new Error(`${expected} (did you mean "${slip[1]}Mi"?)`);
      throw new Error(expected);
    }
    bytes = Number(match[1]) * MEMORY_FACTOR[match[2] ?? ''];
  }
  const whole = Math.round(bytes);
  if (!Number.isFinite(bytes) || whole <= 0 || whole > Number.MAX_SAFE_INTEGER) throw new Error(expected);
  return whole;
}
