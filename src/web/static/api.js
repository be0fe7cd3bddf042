// The page's side of the agent's API: the token (kept in this tab's
// sessionStorage, sent only as an Authorization header), JSON and text
// requests, and the live stream with reconnection.
/* global location */
/* eslint-disable no-restricted-globals -- browser code */
import { SseParser } from './sse.js';

const TOKEN_KEY = 'hxe.token';

/** The stream of events and metrics samples, then what older agents serve (events only). */
export const STREAM_PATHS = ['v1/stream?samples=1', 'v1/events?watch=1&limit=1'];
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;
/** The server writes a keepalive every 15 s: this long without a byte means the connection is dead. */
const STALL_MS = 45_000;

export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class Unauthorized extends Error {
  constructor() {
    super('the agent refused the token');
    this.name = 'Unauthorized';
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** An API path resolved against the page (served at /ui/), so that the page also works under a proxy's prefix. */
export function apiUrl(path) {
  return new URL(`../${path.replace(/^\/+/, '')}`, location.href).href;
}

function request(path, token, { signal, accept = 'application/json' } = {}) {
  return fetch(apiUrl(path), {
    headers: { authorization: `Bearer ${token}`, accept },
    cache: 'no-store',
    credentials: 'omit',
    signal,
  });
}

async function check(response) {
  if (response.status === 401) throw new Unauthorized();
  if (response.ok) return response;
  let message = response.statusText;
  try {
    message = (await response.json()).error?.message ?? message;
  } catch {
    // Not JSON: keep the status text.
  }
  throw new ApiError(response.status, message);
}

export async function getJson(path, token, options) {
  return (await check(await request(path, token, options))).json();
}

export async function getText(path, token, options) {
  return (await check(await request(path, token, { ...options, accept: 'text/plain' }))).text();
}

/** Reads a streamed text answer (e.g. `logs?follow=1`), calling `onText` with each decoded chunk, until it ends or `signal` aborts. */
export async function readTextStream(path, token, { signal, onText }) {
  const response = await check(await request(path, token, { signal, accept: 'text/plain' }));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const text = decoder.decode(value, { stream: true });
    if (text) onText(text);
  }
}

/**
 * Reads the agent's live stream until closed: `onMessage({event, data})` for
 * each message, `onStatus(status, detail)` with 'connecting', 'live',
 * 'reconnecting' (detail: ms until the next try) or 'unauthorized' (then it
 * stops). Reconnects with exponential backoff; `onOpen(path)` runs at every
 * (re)connection, when the page should catch up on what it missed.
 */
export function openStream({ token, onMessage, onStatus, onOpen }) {
  let closed = false;
  let current = null;
  let pathIndex = 0;
  let wake = null;

  const sleep = (ms) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => { clearTimeout(timer); resolve(); };
  });

  async function connectOnce() {
    const controller = new AbortController();
    current = controller;
    let stall = setTimeout(() => controller.abort(), STALL_MS);
    const alive = () => {
      clearTimeout(stall);
      stall = setTimeout(() => controller.abort(), STALL_MS);
    };
    try {
      const response = await request(STREAM_PATHS[pathIndex], token, { signal: controller.signal, accept: 'text/event-stream' });
      if (response.status === 404 && pathIndex < STREAM_PATHS.length - 1) {
        pathIndex += 1;
        return 'retry-now';
      }
      await check(response);
      onStatus('live', STREAM_PATHS[pathIndex]);
      await onOpen(STREAM_PATHS[pathIndex]);
      const parser = new SseParser((message) => {
        try {
          onMessage(message);
        } catch (err) {
          console.error('hxe: handling a stream message failed', err);
        }
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        alive();
        parser.push(decoder.decode(value, { stream: true }));
      }
      return 'ended';
    } finally {
      clearTimeout(stall);
      controller.abort();
    }
  }

  (async () => {
    let failures = 0;
    let announce = true;
    while (!closed) {
      if (announce) onStatus('connecting');
      announce = true;
      let outcome;
      try {
        outcome = await connectOnce();
        failures = 0;
      } catch (err) {
        if (err instanceof Unauthorized) {
          if (!closed) onStatus('unauthorized');
          return;
        }
        failures += 1;
      }
      if (closed) return;
      if (outcome === 'retry-now') {
        announce = false;
        continue;
      }
      const base = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.max(0, failures - 1));
      const delay = Math.round(base * (0.8 + Math.random() * 0.4));
      onStatus('reconnecting', delay);
      await sleep(delay);
    }
  })();

  return {
    close() {
      closed = true;
      current?.abort();
      wake?.();
    },
    /** Reconnects at once (e.g. the network came back). */
    retryNow() {
      wake?.();
    },
  };
}

/** POSTs a JSON body (an admin token's actions: restart, stop, start); the parsed answer, or ApiError. */
export async function postJson(path, token, body) {
  const response = await fetch(apiUrl(path), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  return (await check(response)).json();
}
