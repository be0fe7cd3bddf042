import type { FastifyInstance } from 'fastify';
import { HxeError } from '../core/errors.js';
import type { EventLog } from '../events/event-log.js';
import type { SecretStore } from '../secrets/secret-store.js';

/**
 * The home's secrets: GET lists names and when each was set, PUT sets one
 * from `{ value }`, DELETE removes one. No answer, event or error holds a
 * value; a changed secret takes effect at the next apply (`diff` shows it).
 */
export function registerSecretRoutes(app: FastifyInstance, secrets: SecretStore, events: EventLog): void {
  app.get('/v1/secrets', async () => secrets.list());
  app.put<{ Params: { name: string }; Body: { value?: unknown } }>('/v1/secrets/:name', async (request) => {
    const value = request.body?.value;
    if (typeof value !== 'string') throw new HxeError('BAD_USAGE', 'value: expected a string');
    const result = await secrets.set(request.params.name, value);
    if (result.changed) events.record({ service: '', type: 'SecretSet', message: `secret ${result.name} set; services that use it restart at their next apply` });
    return result;
  });
  app.delete<{ Params: { name: string } }>('/v1/secrets/:name', async (request) => {
    const { name } = request.params;
    if (!(await secrets.remove(name))) throw new HxeError('NOT_FOUND', `no such secret: ${name}`);
    events.record({ service: '', type: 'SecretRemoved', message: `secret ${name} removed` });
    return { name, removed: true };
  });
}
