/**
 * The floors of src/: a folder may import only folders on floors below its
 * own (never a peer, never above). `agent` is the composition root: nothing
 * imports it but the CLI's `agent run`, which starts it (agent/run.ts).
 * The CLI reaches an agent or a fleet only through the typed client
 * (src/client): the transports below it (api/client.ts, src/fleet) are the
 * client's, not the CLI's.
 * docs/architecture.md draws the same picture; change both together.
 */
import boundaries from 'eslint-plugin-boundaries';

/** Top floor first; folders on one floor do not import each other. */
export const FLOORS = [
  ['cli'],
  ['client'],
  ['agent'],
  ['sync', 'fleet'],
  ['api'],
  ['reconcile', 'health', 'config', 'audit', 'web'],
  ['runtime', 'alerts'],
  ['logs'],
  ['metrics', 'secrets'],
  ['store', 'lifecycle', 'events'],
  ['manifest'],
  ['core'],
];

/** The composition root, which the CLI may import only through its entry file. */
const ROOT = 'agent';
const below = (index) => FLOORS.slice(index + 1).flat().filter((folder) => folder !== ROOT);

export default {
  files: ['src/**/*.ts'],
  plugins: { boundaries },
  settings: {
    'import/resolver': { typescript: { project: './tsconfig.json' } },
    'boundaries/elements': [
      ...FLOORS.flat().map((folder) => ({ type: folder, pattern: `src/${folder}` })),
    ],
    'boundaries/files': [
      { category: 'entry', pattern: 'src/agent/run.ts' },
      { category: 'transport', pattern: 'src/api/client.ts' },
    ],
  },
  rules: {
    'boundaries/no-unknown-files': 'error',
    'boundaries/dependencies': ['error', {
      default: 'disallow',
      message: '{{from.type}} may not import {{to.type}}: a folder imports only floors below its own (eslint.floors.js)',
      policies: [
        ...FLOORS.flatMap((floor, index) => floor.map((folder) => ({
          from: { element: { type: folder } },
          allow: { to: { element: { types: { anyOf: [folder, ...below(index)] } } } },
        }))),
        { from: { element: { type: 'cli' } }, allow: { to: { element: { type: ROOT }, file: { categories: 'entry' } } } },
        { from: { element: { type: 'cli' } }, disallow: { to: { element: { type: 'api' }, file: { categories: 'transport' } } },
          message: 'cli reaches an agent through the typed client (src/client), never its transport (api/client.ts): eslint.floors.js' },
        { from: { element: { type: 'cli' } }, disallow: { to: { element: { type: 'fleet' } } },
          message: 'cli reaches a fleet through the typed client (connect({ nats })), never src/fleet: eslint.floors.js' },
      ],
    }],
  },
};
