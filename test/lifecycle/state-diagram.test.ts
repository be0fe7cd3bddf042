import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES } from '../../src/core/types.js';
import { instanceMachine } from '../../src/lifecycle/machine.js';
import { DIAGRAM_BEGIN, DIAGRAM_END, renderStateDiagram, replaceDiagram } from '../../src/lifecycle/state-diagram.js';

const DOC = new URL('../../docs/lifecycle.md', import.meta.url);

describe('state diagram', () => {
  const diagram = renderStateDiagram(instanceMachine);

  it('draws every lifecycle state', () => {
    for (const state of LIFECYCLE_STATES) expect(diagram).toMatch(new RegExp(`\\b${state}\\b`));
    expect(diagram).toContain('state exited <<choice>>');
    expect(diagram).toContain('backoff --> starting : RESTART, after backoffDelay, [restartsAtOnce]');
  });

  it('is up to date in docs/lifecycle.md (npx tsx scripts/gen-state-diagram.ts)', () => {
    const doc = readFileSync(DOC, 'utf8');
    expect(replaceDiagram(doc, diagram)).toBe(doc);
  });

  it('replaces only what stands between the markers', () => {
    const doc = `# t\n${DIAGRAM_BEGIN}\nold\n${DIAGRAM_END}\nafter\n`;
    expect(replaceDiagram(doc, 'new')).toBe(`# t\n${DIAGRAM_BEGIN}\n\`\`\`mermaid\nnew\n\`\`\`\n${DIAGRAM_END}\nafter\n`);
    expect(() => replaceDiagram('# no markers', 'new')).toThrow(/markers/);
  });
});
