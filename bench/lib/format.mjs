/** Human units for log lines and the table. */

export function fmtMs(value) {
  if (value === null || value === undefined) return '-';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(1)} ms`;
}

export function fmtValue(value, unit) {
  if (value === null || value === undefined) return '-';
  switch (unit) {
    case 'ms': return fmtMs(value);
    case 'MB': return `${value.toFixed(1)} MB`;
    case '%': return `${value.toFixed(3)} %`;
    default: return String(value);
  }
}
