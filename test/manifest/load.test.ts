import { execFileSync } from 'node:child_process';
import { symlink, truncate } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/core/errors.js';
import { loadManifests } from '../../src/manifest/load.js';
import { issueLines, manifestError, withTempDir, writeFiles } from './helpers.js';

const WEB_HCL = 'service "web" {\n  command = "node app.js"\n}\n';
const API_TOML = '[service.api]\ncommand = "./api"\n';

describe('loadManifests: files and directories', () => {
  it('reads every *.hcl and *.toml of a directory, sorted, skipping other and hidden files', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, {
        'b.toml': API_TOML,
        'a.hcl': WEB_HCL,
        'notes.txt': 'not a manifest',
        '.hidden.hcl': 'service "hidden" { command = "x" }\n',
        '.git/config.hcl': 'service "git" { command = "x" }\n',
        'sub/c.hcl': 'service "nested" { command = "x" }\n',
      });
      const result = await loadManifests([dir]);
      expect(result.files).toEqual([join(dir, 'a.hcl'), join(dir, 'b.toml')]);
      expect(result.services.map((service) => service.name)).toEqual(['api', 'web']);
    });
  });

  it('descends into subdirectories with recursive, still skipping hidden ones', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, {
        'a.hcl': WEB_HCL,
        'sub/deeper/c.toml': '[service.nested]\ncommand = "x"\n',
        '.git/config.hcl': 'service "git" { command = "x" }\n',
      });
      const result = await loadManifests([dir], { recursive: true });
      expect(result.files).toEqual([join(dir, 'a.hcl'), join(dir, 'sub/deeper/c.toml')]);
      expect(result.services.map((service) => service.name)).toEqual(['nested', 'web']);
    });
  });

  it('reads a file named twice, or through a link, once; survives a directory link loop', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.hcl': WEB_HCL });
      await symlink(join(dir, 'a.hcl'), join(dir, 'link.hcl'));
      await symlink(dir, join(dir, 'loop'));
      const result = await loadManifests([dir, join(dir, 'a.hcl')], { recursive: true });
      expect(result.files).toEqual([join(dir, 'a.hcl')]);
      expect(result.services).toHaveLength(1);
    });
  });

  it('returns an empty set for a directory without manifests', async () => {
    await withTempDir(async (dir) => {
      expect(await loadManifests([dir])).toEqual({ services: [], files: [], warnings: [] });
    });
  });

  it('reports a missing path, a wrong extension, a FIFO and an oversized file, all at once', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'services.ini': 'x: 1\n', 'big.toml': '' });
      await truncate(join(dir, 'big.toml'), 4 * 1024 * 1024 + 1);
      execFileSync('mkfifo', [join(dir, 'pipe.hcl')]);
      const error = await manifestError(
        loadManifests([join(dir, 'missing.hcl'), join(dir, 'services.ini'), join(dir, 'pipe.hcl'), join(dir, 'big.toml')]),
      );
      expect(issueLines(error, dir)).toEqual([
        'missing.hcl: no such file or directory',
        'services.ini: not a manifest: expected a .hcl or .toml file, a PM2 ecosystem file (*.config.js, .json, .json5, .yaml), or a directory',
        'pipe.hcl: not a regular file (a FIFO, socket or device cannot be a manifest)',
        'big.toml: file is 4194305 bytes, manifests larger than 4 MiB are refused',
      ]);
    });
  });

  it('reports a FIFO with a manifest name found in a directory instead of blocking on it', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.hcl': WEB_HCL });
      execFileSync('mkfifo', [join(dir, 'pipe.toml')]);
      const error = await manifestError(loadManifests([dir]));
      expect(issueLines(error, dir)).toEqual(['pipe.toml: not a regular file (a FIFO, socket or device cannot be a manifest)']);
    });
  });

  it('reports a file that is not UTF-8', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'bad.toml': new Uint8Array([0x5b, 0xff, 0xfe, 0x5d]) });
      const error = await manifestError(loadManifests([dir]));
      expect(issueLines(error, dir)).toEqual(['bad.toml: not valid UTF-8 text']);
    });
  });

  it('names files relative to the working directory when inside it, else absolute', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'bad.toml': '[service.web]\n' });
      const error = await manifestError(loadManifests([join(dir, 'bad.toml')]));
      expect(error.issues[0].file).toBe(join(dir, 'bad.toml'));
    });
    const inside = await manifestError(loadManifests(['test/fixtures/manifests/bad/cycle.toml']));
    expect(inside.issues[0].file).toBe(relative(process.cwd(), 'test/fixtures/manifests/bad/cycle.toml'));
  });
});

describe('loadManifests: the set', () => {
  it('resolves paths against the manifest directory and defaults working_dir to it', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, {
        'apps/web.hcl': [
          'service "web" {',
          '  command = "node app.js"',
          '  env_file = "../secrets/web.env"',
          '  watch {',
          '    paths = ["src", "/etc/web.conf"]',
          '  }',
          '}',
          'service "abs" {',
          '  command = "x"',
          '  working_dir = "/srv/abs"',
          '}',
          '',
        ].join('\n'),
      });
      const { services } = await loadManifests([join(dir, 'apps')]);
      const web = services.find((service) => service.name === 'web')!;
      expect(web.spec.working_dir).toBe(join(dir, 'apps'));
      expect(web.spec.env_file).toBe(join(dir, 'secrets/web.env'));
      expect(web.spec.watch).toEqual({ paths: [join(dir, 'apps/src'), '/etc/web.conf'], ignore: [], debounce: 500 });
      expect(services.find((service) => service.name === 'abs')!.spec.working_dir).toBe('/srv/abs');
    });
  });

  it('reports a duplicate across files given separately, naming both files', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'one.hcl': WEB_HCL, 'two.toml': '\n[service.web]\ncommand = "x"\n' });
      const error = await manifestError(loadManifests([join(dir, 'one.hcl'), join(dir, 'two.toml')]));
      expect(issueLines(error, dir)).toEqual(['two.toml:2: service "web": duplicate service name, already defined at one.hcl:1']);
    });
  });

  it('resolves dependencies across files and formats', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'web.hcl': 'service "web" {\n  command = "x"\n  depends_on = ["api"]\n}\n', 'api.toml': API_TOML });
      const { services } = await loadManifests([dir]);
      expect(services.map((service) => [service.name, service.spec.depends_on])).toEqual([['api', []], ['web', ['api']]]);
    });
  });

  it('does not call dependencies on services of an unparsable file unknown', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'web.hcl': 'service "web" {\n  command = "x"\n  depends_on = ["api"]\n}\n', 'api.toml': '[service.api\n' });
      const error = await manifestError(loadManifests([dir]));
      expect(issueLines(error, dir)).toEqual(['api.toml:1: invalid TOML: illegal character in key']);
    });
  });

  it('throws only ManifestError, with every issue, and a message of one line per issue', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, {
        'a.hcl': 'service "a" {\n  command = "x"\n  instances = -1\n}\n',
        'b.toml': '[service.b]\ncommand = "x"\nstop_signal = "NOPE"\n',
      });
      const error = await manifestError(loadManifests([dir]));
      expect(error).toBeInstanceOf(ManifestError);
      expect(error.issues.map((issue) => [issue.service, issue.path, issue.line])).toEqual([
        ['a', 'instances', 3],
        ['b', 'stop_signal', 3],
      ]);
      expect(error.message.split('\n')).toHaveLength(2);
    });
  });
});

describe('loadManifests: lines of fields', () => {
  const lineOf = async (name: string, text: string) => {
    return withTempDir(async (dir) => {
      await writeFiles(dir, { [name]: text });
      const error = await manifestError(loadManifests([join(dir, name)]));
      return error.issues.map((issue) => `${issue.line} ${issue.path}`);
    });
  };

  it('finds nested HCL fields inside the right service, even when another service has the same field first', async () => {
    const text = [
      'service "ok" {',
      '  command = "x"',
      '  health_check {',
      '    type = "tcp"',
      '    port = 1',
      '  }',
      '}',
      'services {',
      '  service "bad" {',
      '    command = "x"',
      '    environment = { "A" = "1" }',
      '    health_check {',
      '      type = "tcp"',
      '      port = 0',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(await lineOf('s.hcl', text)).toEqual(['14 health_check.port']);
  });

  it('finds TOML fields in sub-tables, inline tables and dotted keys', async () => {
    const text = [
      '[service.a]',
      'command = "x"',
      'resources = { cpu_limit = "lots" }',
      'backoff.multiplier = 0',
      '',
      '[service.b]',
      'command = "x"',
      '',
      '[service.a.health_check]',
      'type = "tcp"',
      '# a comment',
      'port = "x"',
      '',
    ].join('\n');
    expect(await lineOf('s.toml', text)).toEqual(['3 resources.cpu_limit', '4 backoff.multiplier', '12 health_check.port']);
  });

  it('falls back to the service line for a field it cannot place', async () => {
    expect(await lineOf('s.hcl', 'service "x" { command = 1 }\n')).toEqual(['1 command']);
  });
});
