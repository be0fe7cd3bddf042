/**
 * The event log kept in the home: what one agent recorded, the next one loads.
 */
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { tmpHome } from '../helpers/processes.js';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('EventLog with a file', () => {
  it('gives the next agent the events of the last one, in order, from a 0600 file', () => {
    const file = join(tmpHome(), 'events.log');
    const first = EventLog.open(file);
    first.record({ service: 'web', type: 'Created', message: 'created' });
    first.record({ service: 'web-1', type: 'StateChanged', message: 'running' });
    first.record({ service: 'db', type: 'Created', message: 'created' });
    first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const next = EventLog.open(file);
    expect(next.list().map((e) => `${e.service} ${e.type}`)).toEqual(['web Created', 'web-1 StateChanged', 'db Created']);
    expect(next.list('web').map((e) => e.service)).toEqual(['web', 'web-1']);
    next.record({ service: '', type: 'AgentStarted', message: 'agent started' });
    next.close();
    expect(EventLog.open(file).list().map((e) => e.type)).toEqual(['Created', 'StateChanged', 'Created', 'AgentStarted']);
  });

  it('skips a line cut by a crash, and appends after it cleanly', () => {
    const file = join(tmpHome(), 'events.log');
    const first = EventLog.open(file);
    first.record({ service: 'web', type: 'Created', message: 'created' });
    first.close();
    appendFileSync(file, '{"time":"2026-01-01T00:00:00.000Z","service":"web","ty');

    const next = EventLog.open(file);
    next.record({ service: 'web', type: 'Deleted', message: 'deleted' });
    next.close();
    expect(EventLog.open(file).list().map((e) => e.type)).toEqual(['Created', 'Deleted']);
    expect(lines(file)).toHaveLength(2);
  });

  it('stays bounded: at most twice its capacity on disk, the newest `capacity` loaded', () => {
    const file = join(tmpHome(), 'events.log');
    const log = EventLog.open(file, 10);
    for (let i = 0; i < 95; i++) {
      log.record({ service: 's', type: 'T', message: `event ${i}` });
      expect(lines(file).length).toBeLessThanOrEqual(20);
    }
    log.close();
    expect(EventLog.open(file, 10).list().map((e) => e.message)).toEqual(Array.from({ length: 10 }, (_, i) => `event ${85 + i}`));
  });
});
