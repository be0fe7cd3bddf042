import { stripVTControlCharacters } from 'node:util';

/** Aligned columns, as kubectl prints them: header row, two spaces between columns. */
export function renderTable(header: string[], rows: string[][]): string {
  const visible = (text: string) => stripVTControlCharacters(text).length;
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => visible(row[column] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i] - visible(cell)))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `3s`, `5m`, `2h`, `4d`: the age of a timestamp, as kubectl shows it. */
export function formatAge(since: string | null, now = Date.now()): string {
  if (!since) return '-';
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
