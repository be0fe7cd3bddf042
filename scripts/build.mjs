// Builds hxe into dist/: one bundle per entry (the CLI, the agent, the
// manifest parser process, the spawn helper, the library `import { connect } from 'hxe'`), sharing chunks, so that the CLI starts fast and
// the resident agent holds only the code it runs. Type checking is `tsc --noEmit`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: {
    cli: 'src/cli/main.ts',
    agent: 'src/agent/main.ts',
    'parse-worker': 'src/sync/parse-worker.ts',
    'spawn-helper': 'src/runtime/spawn-helper-main.ts',
    index: 'src/client/index.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  // Flat: entries find each other by name from any chunk (new URL('./agent.js', import.meta.url)).
  chunkNames: '[name]-[hash]',
  // A Go WebAssembly file sits beside its loader: keep the package as it is installed.
  external: ['@cdktf/hcl2json'],
  // Some dependencies are CommonJS and call require(): give bundled ESM one.
  banner: { js: "import { createRequire as __hxeCreateRequire } from 'node:module'; const require = __hxeCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The library's types (dist/types/client/index.d.ts, package.json "types"): declarations only, from tsc.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
