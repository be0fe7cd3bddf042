import { existsSync, promises as fs } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ErrorBody } from '../core/errors.js';

/**
 * The agent's live page: a static shell (HTML, an ES module, a stylesheet)
 * that holds no data and reads everything from the API with the user's
 * token. Public on purpose (see PUBLIC in src/api/auth.ts): serving it
 * reveals nothing but the page's own code.
 */

/** The only files served, and their types: a name not listed here is a 404 (no path is ever built from a request). */
export const WEB_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'actions.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'host.js': 'text/javascript; charset=utf-8',
  'sparkline.js': 'text/javascript; charset=utf-8',
  'sse.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * The page may only load its own files and talk to its own origin: no inline
 * script or style, no frames around it, no forms posting elsewhere.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the static files are. Bundled, this module is a chunk in `dist/`
 * and the files stay in the checkout's (or package's) `src/web/static/`;
 * run from source (vitest, tsx) it sits beside them.
 */
export function staticDir(base: string = import.meta.url): URL {
  const candidates = [new URL('../src/web/static/', base), new URL('./static/', base)];
  return candidates.find((dir) => existsSync(new URL('index.html', dir))) ?? candidates[candidates.length - 1];
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** GET / → /ui/; GET /ui/ (index.html) and GET /ui/:file for the page's files only. */
export function registerWebRoutes(app: FastifyInstance, options: { dir?: URL } = {}): void {
  const dir = options.dir ?? staticDir();
  const send = async (reply: FastifyReply, file: string) => {
    const type = Object.hasOwn(WEB_FILES, file) ? WEB_FILES[file] : undefined;
    if (!type) return reply.code(404).send(errorBody('NOT_FOUND', `no such file: /ui/${file}`));
    let body: Buffer;
    try {
      body = await fs.readFile(new URL(file, dir));
    } catch {
      // Public route: say what is wrong, not where the files are.
      return reply.code(500).send(errorBody('INTERNAL', `the page's file ${file} is missing from this installation of hxe`));
    }
    return reply
      .type(type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .send(body);
  };
  app.get('/', async (_request, reply) => reply.redirect('/ui/', 302));
  app.get('/ui', async (_request, reply) => reply.redirect('/ui/', 302));
  app.get('/ui/', async (_request, reply) => send(reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/ui/:file', async (request, reply) => send(reply, request.params.file));
}
