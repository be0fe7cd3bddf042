import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/core/errors.js';
import { serviceFromCommandLine } from '../../src/manifest/command-line-service.js';

const base = { cwd: '/srv/app', cpus: 4 };

describe('hxe run: the command line as a service', () => {
  it('names the service after the script an interpreter runs, else after the program', () => {
    expect(serviceFromCommandLine({ ...base, command: ['node', '--inspect', 'Server.js'] }).name).toBe('server');
    expect(serviceFromCommandLine({ ...base, command: ['python3', '-u', 'jobs/worker.py'] }).name).toBe('worker');
    expect(serviceFromCommandLine({ ...base, command: ['/usr/bin/redis-server', '--port', '6379'] }).name).toBe('redis-server');
  });

  it('maps every flag onto the spec, through the manifest schema', () => {
    const service = serviceFromCommandLine({
      ...base, name: 'api', command: ['node', 'app.js', '--title', 'a b'], instances: 'max', env: ['PORT=3000', 'URL=x=y'],
      health: 'http://127.0.0.1:3000/health', restart: 'on-failure',
    });
    expect(service.spec).toMatchObject({
      command: "node app.js --title 'a b'", working_dir: '/srv/app', instances: 4, environment: { PORT: '3000', URL: 'x=y' },
      health_check: { type: 'http', url: 'http://127.0.0.1:3000/health' }, restart_policy: 'on-failure',
    });
    const tcp = serviceFromCommandLine({ ...base, command: ['redis-server'], health: 'tcp://127.0.0.1:6379' });
    expect(tcp.spec.health_check).toMatchObject({ type: 'tcp', host: '127.0.0.1', port: 6379 });
  });

  it('refuses bad flags, naming each (exit 2)', () => {
    const bad = () => serviceFromCommandLine({ ...base, name: 'Bad_Name', command: ['node', 'x.js'], instances: 'lots', env: ['NOEQUALS'], health: 'ftp://x' });
    expect(bad).toThrow(ManifestError);
    expect(() => serviceFromCommandLine({ ...base, command: [] })).toThrow(/^hxe run: no command: give it after --/);
    try {
      bad();
    } catch (err) {
      const message = (err as Error).message;
      for (const part of ['--instances: expected', '--env: expected KEY=VALUE', '--health: expected', 'invalid name']) expect(message).toContain(part);
    }
  });
});
