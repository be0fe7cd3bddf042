/**
 * Writes the lifecycle machine's state diagram (Mermaid) into
 * docs/lifecycle.md, between its state-diagram markers.
 * Run: npx tsx scripts/gen-state-diagram.ts [--check]
 * With --check it writes nothing and exits 1 when the doc is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instanceMachine } from '../src/lifecycle/machine.js';
import { renderStateDiagram, replaceDiagram } from '../src/lifecycle/state-diagram.js';

const DOC = fileURLToPath(new URL('../docs/lifecycle.md', import.meta.url));

const before = readFileSync(DOC, 'utf8');
const after = replaceDiagram(before, renderStateDiagram(instanceMachine));
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('docs/lifecycle.md: the state diagram is out of date; run npx tsx scripts/gen-state-diagram.ts');
    process.exitCode = 1;
  }
} else if (after !== before) {
  writeFileSync(DOC, after);
  console.log('docs/lifecycle.md: state diagram updated');
}
