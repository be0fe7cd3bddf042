import { HxeError } from '../core/errors.js';
import type { ApplyRequest } from './protocol.js';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks the shape of an apply request. Specs were decoded by the CLI's
 * loader; the agent still refuses what could escape a path or break the
 * store, since anything with access to the socket can call it.
 */
export function validateApplyRequest(body: unknown): ApplyRequest {
  const request = body as Partial<ApplyRequest> | undefined;
  if (!request || typeof request !== 'object') throw badRequest('expected a JSON object');
  if (typeof request.source !== 'string' || request.source === '') throw badRequest('source: expected a string');
  if (!Array.isArray(request.services)) throw badRequest('services: expected an array');
  for (const [index, service] of request.services.entries()) {
    if (!service || typeof service !== 'object') throw badRequest(`services[${index}]: expected an object`);
    validateName(service.name);
    if (!service.spec || typeof service.spec !== 'object' || typeof service.spec.command !== 'string') {
      throw badRequest(`services[${index}].spec: expected a decoded service spec`);
    }
  }
  return { source: request.source, services: request.services, prune: Boolean(request.prune), dryRun: Boolean(request.dryRun) };
}

/** Names of services or instances, as DNS-1123 labels. */
export function validateNames(names: unknown[]): string[] {
  return names.map((name) => validateName(name));
}

function validateName(name: unknown): string {
  if (typeof name !== 'string' || name.length > 63 || !NAME.test(name)) {
    throw badRequest(`invalid service name ${JSON.stringify(name)}: expected a DNS-1123 label`);
  }
  return name;
}

function badRequest(message: string): HxeError {
  return new HxeError('BAD_USAGE', message);
}
