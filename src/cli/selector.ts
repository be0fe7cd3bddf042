import { HxeError } from '../core/errors.js';
import type { InstanceView } from '../core/types.js';

/** One requirement of a label selector: `key=value`, `key==value`, `key!=value`, `key` (present) or `!key` (absent). */
interface Requirement {
  key: string;
  op: '=' | '!=' | 'exists' | 'absent';
  value: string;
}

const TERM = /^(!?)([^=!,\s]+)(?:(==|=|!=)([^=!,\s]*))?$/;

/**
 * Parses kubectl's equality-based label selectors (`-l app=web,tier!=db`;
 * several `-l` are and-ed, as commas are).
 * @throws HxeError BAD_USAGE for a term that is not one of those forms.
 */
export function parseSelector(selectors: string[]): Requirement[] {
  return selectors.flatMap((text) => text.split(',')).map((term) => term.trim()).filter(Boolean).map((term) => {
    const match = TERM.exec(term);
    if (!match || (match[1] && match[3])) {
      throw new HxeError('BAD_USAGE', `bad label selector "${term}": expected key=value, key!=value, key or !key`);
    }
    const [, not, key, op, value] = match;
    if (!op) return { key, op: not ? 'absent' : 'exists', value: '' };
    return { key, op: op === '!=' ? '!=' : '=', value };
  });
}

/** True when the labels meet every requirement. */
export function matchesSelector(labels: Record<string, string>, requirements: Requirement[]): boolean {
  return requirements.every(({ key, op, value }) => {
    const has = Object.hasOwn(labels, key);
    if (op === 'exists') return has;
    if (op === 'absent') return !has;
    if (op === '=') return has && labels[key] === value;
    return !has || labels[key] !== value;
  });
}

/**
 * The views named (a service name keeps its instances, an instance name
 * only that instance) and matching the selector; every view when neither.
 */
export function selectViews(views: InstanceView[], names: string[], selectors: string[] = []): InstanceView[] {
  const requirements = parseSelector(selectors);
  return views.filter((view) =>
    (names.length === 0 || names.includes(view.name) || names.includes(view.metadata.service)) &&
    matchesSelector(view.metadata.labels ?? view.spec.labels ?? {}, requirements));
}

/** The service names whose labels match (for delete, restart, stop, start and logs with `-l`). */
export function selectedServices(views: InstanceView[], selectors: string[]): string[] {
  return [...new Set(selectViews(views, [], selectors).map((view) => view.metadata.service))];
}
