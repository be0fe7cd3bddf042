/**
 * A Mermaid `stateDiagram-v2` of a machine's top-level states, drawn from
 * the machine definition itself so that the docs cannot drift from it.
 * Transitions between the substates of one state (the probe loop) are left
 * out; a transition from a substate to another top-level state is drawn
 * from its top-level state.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** Where docs/lifecycle.md keeps the generated diagram. */
export const DIAGRAM_BEGIN = '<!-- state-diagram:begin -->';
export const DIAGRAM_END = '<!-- state-diagram:end -->';

interface Edge {
  from: string;
  to: string;
  label: string;
}

/** A transition's trigger in words: `STOP`, `spawn done`, `after backoffDelay`, or none (eventless). */
function triggerOf(eventType: string): string {
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (actor) return `${actor[2]} ${actor[1]}`;
  const delayed = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (delayed) return `after ${delayed[1]}`;
  return eventType;
}

function guardOf(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (guard && typeof guard === 'object' && 'type' in guard) return String(guard.type);
  return guard ? 'guard' : '';
}

function labelOf(eventType: string, guard: unknown): string {
  const trigger = triggerOf(eventType);
  const condition = guardOf(guard);
  return [trigger, condition && `[${condition}]`].filter(Boolean).join(' ');
}

/** Every node under `node`, itself included. */
function subtree(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => subtree(child as AnyStateNode))];
}

/** The edges leaving top-level state `top` (from it or any of its substates). */
function edgesOf(top: AnyStateNode): Edge[] {
  const edges: Edge[] = [];
  for (const node of subtree(top)) {
    const transitions = [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
    for (const transition of transitions) {
      for (const target of transition.target ?? []) {
        const to = target.path[0];
        if (to === top.key && !transition.reenter) continue;
        edges.push({ from: top.key, to, label: labelOf(transition.eventType, transition.guard) });
      }
    }
  }
  return edges;
}

/** Edges between the same two states, merged into one with their labels joined. */
function mergeEdges(edges: Edge[]): Edge[] {
  const merged = new Map<string, Edge>();
  for (const edge of edges) {
    const key = `${edge.from}->${edge.to}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...edge });
    else if (edge.label && !seen.label.split(', ').includes(edge.label)) {
      seen.label = seen.label ? `${seen.label}, ${edge.label}` : edge.label;
    }
  }
  return [...merged.values()];
}

/** True for a state the machine never rests in: every way out is eventless. */
function isChoice(node: AnyStateNode): boolean {
  return (node.always?.length ?? 0) > 0 && node.transitions.size === 0 && Object.keys(node.states).length === 0;
}

/** The Mermaid source of the machine's diagram. */
export function renderStateDiagram(machine: AnyStateMachine): string {
  const tops = Object.values(machine.root.states) as AnyStateNode[];
  const lines = ['stateDiagram-v2'];
  for (const top of tops.filter(isChoice)) lines.push(`  state ${top.key} <<choice>>`);
  lines.push(`  [*] --> ${String(machine.root.config.initial)}`);
  for (const edge of mergeEdges(tops.flatMap(edgesOf))) {
    lines.push(`  ${edge.from} --> ${edge.to}${edge.label ? ` : ${edge.label}` : ''}`);
  }
  return lines.join('\n');
}

/** `doc` with the text between the diagram markers replaced by `diagram` in a mermaid block. */
export function replaceDiagram(doc: string, diagram: string): string {
  const begin = doc.indexOf(DIAGRAM_BEGIN);
  const end = doc.indexOf(DIAGRAM_END);
  if (begin < 0 || end < begin) throw new Error(`missing ${DIAGRAM_BEGIN} / ${DIAGRAM_END} markers`);
  const block = `${DIAGRAM_BEGIN}\n\`\`\`mermaid\n${diagram}\n\`\`\`\n`;
  return doc.slice(0, begin) + block + doc.slice(end);
}
