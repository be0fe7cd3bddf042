// hxe's live page: the services of one agent with their state and resource
// use, recent events and log tails, kept current by the agent's event stream.
// Plain DOM, no framework: the agent serves these files as they are.
/* global document, window, location, history */
/* eslint-disable no-restricted-globals -- browser code */
import { ApiError, Unauthorized, getJson, openStream, readTextStream, tokenStore } from './api.js';
import {
  belongsTo, eventKey, eventTone, formatBytes, formatDuration, formatPercent, formatTime, stateTone,
} from './format.js';
import { createSparkline } from './sparkline.js';
import { createActions } from './actions.js';
import { renderHost } from './host.js';

const EVENTS_KEPT = 200;
const EVENTS_SHOWN = 50;
const DETAIL_EVENTS = 30;
const LOG_TAIL = 40;
/** Lines kept in the log pane as it follows. */
const LOG_LINES_KEPT = 300;
/** Samples kept per instance (the agent bounds its own history; this bounds a page left open for days). */
const POINTS_KEPT = 720;
const SERVICES_DEBOUNCE_MS = 200;
const DETAIL_DEBOUNCE_MS = 300;
const LOG_RETRY_MS = [1_000, 2_000, 5_000, 10_000];
const ATTENTION = new Set(['unhealthy', 'backoff', 'crashloop', 'failed']);

const $ = (id) => document.getElementById(id);

const state = {
  token: null,
  /** Bumped at every (re)connection with a token: late answers of an older one are dropped. */
  session: 0,
  stream: null,
  streamPath: null,
  agent: null,
  /** `{ subject, role }` of the token in use (GET /v1/whoami). */
  caller: null,
  views: [],
  byName: new Map(),
  /** Instance name → samples, oldest first. */
  history: new Map(),
  events: [],
  eventKeys: new Set(),
  selected: null,
};
/** Instance name → its table row and the parts updated in place. */
const rows = new Map();

/** Builds an element: `h('a', { href, class }, 'text', child)`; false/null attributes are left out. */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/**
 * Runs `fn` `delay` ms after a call, once for all the calls meanwhile; never
 * twice at once (a call while it runs runs it again after), and at most once
 * every `spacing` ms: a burst of events costs one request per second, well
 * under the API's rate limit.
 */
function debounced(fn, delay, spacing = 1_000) {
  let timer = null;
  let running = false;
  let again = false;
  let lastRun = 0;
  const run = async () => {
    timer = null;
    lastRun = Date.now();
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fn();
    } catch (err) {
      handleError(err);
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      schedule();
    }
  };
  const schedule = () => {
    if (timer === null) timer = setTimeout(run, Math.max(delay, lastRun + spacing - Date.now()));
  };
  return schedule;
}

function handleError(err) {
  if (err instanceof Unauthorized) return onUnauthorized();
  if (err?.name === 'AbortError') return undefined;
  console.warn('hxe:', err);
  return undefined;
}

// ---- the fragment: #token=...&service=... (never sent to the server) ----

function parseFragment(hash) {
  const params = new Map();
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const decode = (text) => {
      try {
        return decodeURIComponent(text);
      } catch {
        return text;
      }
    };
    // decodeURIComponent, not URLSearchParams: a '+' in a token stays a '+'.
    params.set(decode(eq < 0 ? part : part.slice(0, eq)), decode(eq < 0 ? '' : part.slice(eq + 1)));
  }
  return params;
}

function serviceHref(name) {
  return `#service=${encodeURIComponent(name)}`;
}

function readFragment() {
  const params = parseFragment(location.hash);
  if (params.has('token')) {
    const token = params.get('token');
    params.delete('token');
    // Out of the address bar, the history and any screenshot: the token lives in sessionStorage only.
    const rest = [...params].map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
    history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    if (token) {
      tokenStore.set(token);
      if (token !== state.token) connect(token);
    }
  }
  select(params.get('service') || null);
}

// ---- connection ----

function connect(token) {
  state.stream?.close();
  state.token = token;
  state.session += 1;
  const session = state.session;
  const current = () => session === state.session;
  setConnection('connecting', 'connecting…');
  followLogs();
  state.stream = openStream({
    token,
    onStatus: (status, detail) => {
      if (!current()) return;
      if (status === 'unauthorized') onUnauthorized();
      else if (status === 'live') {
        const eventsOnly = !String(detail).startsWith('v1/stream');
        setConnection('live', eventsOnly ? 'live (events only)' : 'live');
      } else if (status === 'reconnecting') setConnection('reconnecting', `reconnecting in ${Math.max(1, Math.round(detail / 1000))}s…`);
      else if (status === 'connecting') {
        if ($('connection').dataset.state === 'reconnecting') setConnection('reconnecting', 'reconnecting…');
        else setConnection('connecting', 'connecting…');
      }
    },
    onOpen: async (path) => {
      if (!current()) return;
      state.streamPath = path;
      await refreshAll(session);
    },
    onMessage: (message) => {
      if (current()) onStreamMessage(message);
    },
  });
}

/** Ends the session and forgets what it showed: without a valid token the page shows nothing of the agent. */
function disconnect() {
  logFollower?.abort();
  state.stream?.close();
  state.stream = null;
  state.token = null;
  state.session += 1;
  state.agent = null;
  state.history.clear();
  state.events = [];
  state.eventKeys.clear();
  setViews([]);
  renderEvents();
  $('agent-facts').replaceChildren();
  $('detail-events').replaceChildren();
  $('detail-logs').textContent = '';
}

function onUnauthorized() {
  disconnect();
  tokenStore.clear();
  setConnection('unauthorized', 'token refused');
  showLogin('The agent refused this token. Enter a valid one.');
}

function setConnection(status, text) {
  const el = $('connection');
  el.dataset.state = status;
  el.querySelector('.label').textContent = text;
}

function showLogin(message = '') {
  const dialog = $('login');
  const error = $('login-error');
  error.textContent = message;
  error.hidden = !message;
  if (!dialog.open) dialog.showModal();
  $('login-token').focus();
}

async function onLogin(event) {
  event.preventDefault();
  const input = $('login-token');
  const token = input.value.trim();
  if (!token) return;
  const error = $('login-error');
  error.hidden = true;
  try {
    await getJson('v1/agent', token);
  } catch (err) {
    error.textContent = err instanceof Unauthorized ? 'The agent refused this token.' : `Could not reach the agent: ${err.message}`;
    error.hidden = false;
    return;
  }
  tokenStore.set(token);
  input.value = '';
  $('login').close();
  connect(token);
}

// ---- data ----

async function refreshAll(session) {
  const token = state.token;
  const [agent, views, samples, events, caller] = await Promise.all([
    getJson('v1/agent', token),
    getJson('v1/services', token),
    getJson('v1/metrics/samples', token).catch((err) => {
      if (err instanceof ApiError && err.status === 404) return null; // an agent without metrics
      throw err;
    }),
    getJson(`v1/events?limit=${EVENTS_SHOWN}`, token),
    // Who this token is: a read token's page says it is read-only (the page only reads either way).
    getJson('v1/whoami', token).catch(() => null),
  ]);
  // An agent without host metrics (metrics off, or older) shows no host strip.
  getJson('v1/metrics/host', token).then((host) => { if (session === state.session) renderHost(document, $('host-facts'), host.latest); }, () => undefined);
  if (session !== state.session) return;
  state.agent = agent;
  state.caller = caller;
  renderAgent();
  if (samples) loadSamples(samples);
  setViews(views);
  mergeEvents(events);
  if (state.selected) refreshDetailSoon();
}

const refreshServicesSoon = debounced(async () => {
  const session = state.session;
  if (!state.token) return;
  const views = await getJson('v1/services', state.token);
  if (session === state.session) setViews(views);
}, SERVICES_DEBOUNCE_MS);

const refreshDetailSoon = debounced(refreshDetail, DETAIL_DEBOUNCE_MS);

function onStreamMessage({ event, data }) {
  let payload;
  try {
    payload = JSON.parse(data);
  } catch {
    return;
  }
  if (event === 'samples') {
    if (Array.isArray(payload)) addSamples(payload);
    return;
  }
  if (event === 'host') {
    renderHost(document, $('host-facts'), payload);
    return;
  }
  mergeEvents([payload]);
  // Each event may change a status: ask the agent rather than guess.
  refreshServicesSoon();
  const selected = state.selected;
  if (selected && payload.service && (belongsTo(payload.service, selected) || belongsTo(selected, payload.service))) refreshDetailSoon();
}

function loadSamples(snapshot) {
  if (snapshot.interval) {
    const every = `sampled every ${formatDuration(snapshot.interval).replace(/^0s$/, `${snapshot.interval} ms`)}`;
    $('col-cpu').title = `CPU of the process group, in percent of one core; ${every}`;
    $('col-memory').title = `Resident memory of the process group; ${every}`;
  }
  for (const [name, entry] of Object.entries(snapshot.instances ?? {})) {
    const history = Array.isArray(entry.history) ? entry.history.slice(-POINTS_KEPT) : [];
    if (entry.latest && (history.length === 0 || history[history.length - 1].at < entry.latest.at)) history.push(entry.latest);
    state.history.set(name, history);
  }
}

function addSamples(samples) {
  for (const sample of samples) {
    const history = state.history.get(sample.instance) ?? [];
    if (history.length > 0 && history[history.length - 1].at >= sample.at) continue;
    history.push(sample);
    if (history.length > POINTS_KEPT) history.splice(0, history.length - POINTS_KEPT);
    state.history.set(sample.instance, history);
    updateMetrics(sample.instance);
  }
}

function mergeEvents(events) {
  let added = false;
  for (const event of events) {
    const key = eventKey(event);
    if (state.eventKeys.has(key)) continue;
    state.eventKeys.add(key);
    state.events.push(event);
    added = true;
  }
  if (!added) return;
  state.events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  for (const dropped of state.events.splice(0, Math.max(0, state.events.length - EVENTS_KEPT))) {
    state.eventKeys.delete(eventKey(dropped));
  }
  renderEvents();
}

function setViews(views) {
  state.views = views;
  state.byName = new Map(views.map((view) => [view.name, view]));
  for (const name of state.history.keys()) if (!state.byName.has(name)) state.history.delete(name);
  renderRows();
  renderSummary();
  if (state.selected) renderDetailHead();
}

// ---- rendering ----

function renderAgent() {
  const agent = state.agent;
  if (!agent) return;
  const name = agent.name || location.hostname;
  $('agent-name').textContent = name;
  document.title = `hxe · ${name}`;
  const facts = $('agent-facts');
  facts.replaceChildren();
  const fact = (term, value, id) => facts.append(h('div', {}, h('dt', {}, term), h('dd', { id }, value)));
  fact('version', agent.version);
  fact('pid', String(agent.pid));
  fact('up', formatDuration(Date.now() - Date.parse(agent.startedAt)), 'agent-uptime');
  const caller = state.caller;
  if (caller?.role) fact('access', `${caller.role === 'read' ? 'read-only' : caller.role} (${caller.subject})`, 'agent-access');
}

function renderSummary() {
  const views = state.views;
  const ready = views.filter((v) => v.status.ready).length;
  const attention = views.filter((v) => ATTENTION.has(v.status.state)).length;
  const services = new Set(views.map((v) => v.metadata.service ?? v.name)).size;
  const parts = [
    `${services} service${services === 1 ? '' : 's'}`,
    ...(views.length !== services ? [`${views.length} instances`] : []),
    `${ready} ready`,
  ];
  const summary = $('summary');
  summary.replaceChildren(parts.join(' · '));
  if (attention > 0) summary.append(' · ', h('strong', { class: 'tone-warn-text' }, `${attention} need${attention === 1 ? 's' : ''} attention`));
  const name = state.agent?.name || location.hostname;
  document.title = `${attention > 0 ? `(${attention}) ` : ''}hxe · ${name}`;
}

function createRow(name) {
  const link = h('a', { href: serviceHref(name), class: 'name' }, name);
  const sub = h('span', { class: 'sub' });
  const badge = h('span', { class: 'badge', 'data-testid': 'state' });
  const ready = h('span', { class: 'ready' });
  const restarts = h('td', { class: 'num restarts', 'data-testid': 'restarts', 'data-label': 'Restarts' });
  const pid = h('td', { class: 'num', 'data-testid': 'pid', 'data-label': 'PID' });
  const age = h('td', { class: 'num age', 'data-label': 'Age' });
  const cpuValue = h('span', { class: 'value', 'data-testid': 'cpu' });
  const memValue = h('span', { class: 'value', 'data-testid': 'memory' });
  const cpuSpark = createSparkline(document, { label: `CPU of ${name}`, floor: 2, tone: 'cpu' });
  const memSpark = createSparkline(document, { label: `Memory of ${name}`, zeroBased: false, tone: 'mem' });
  const message = h('td', { class: 'message' });
  const actions = createActions(name, (text) => { message.textContent = text; message.title = text; });
  const tr = h('tr', { 'data-testid': 'service-row', 'data-name': name },
    h('th', { scope: 'row' }, link, sub),
    h('td', { class: 'state' }, badge),
    h('td', { 'data-label': 'Ready' }, ready),
    restarts, pid, age,
    h('td', { class: 'metric', 'data-label': 'CPU' }, h('div', { class: 'metric-cell' }, cpuValue, cpuSpark.element)),
    h('td', { class: 'metric', 'data-label': 'Memory' }, h('div', { class: 'metric-cell' }, memValue, memSpark.element)),
    message, actions.cell);
  const row = { tr, sub, badge, ready, restarts, pid, age, cpuValue, memValue, cpuSpark, memSpark, message, actions, startedAt: null };
  rows.set(name, row);
  return row;
}

function updateRow(row, view) {
  const { status, metadata } = view;
  const { tr } = row;
  tr.dataset.state = status.state;
  tr.dataset.ready = String(status.ready);
  tr.dataset.restarts = String(status.restarts);
  tr.dataset.pid = status.pid === null ? '' : String(status.pid);
  if (state.selected === view.name) tr.setAttribute('aria-current', 'true');
  else tr.removeAttribute('aria-current');

  const generation = status.observedGeneration && status.observedGeneration !== metadata.generation
    ? `gen ${status.observedGeneration}→${metadata.generation}` : `gen ${metadata.generation}`;
  const source = (metadata.file || metadata.source || '').split('/').pop();
  row.sub.textContent = [generation, source].filter(Boolean).join(' · ');
  row.badge.className = `badge tone-${stateTone(status.state)}`;
  row.badge.textContent = status.state;
  row.ready.className = `ready ${status.ready ? 'yes' : 'no'}`;
  row.ready.textContent = status.ready ? 'yes' : 'no';
  row.restarts.textContent = String(status.restarts);
  row.restarts.classList.toggle('tone-warn-text', status.restarts > 0);
  row.pid.textContent = status.pid === null ? '—' : String(status.pid);
  row.startedAt = status.pid !== null && status.startedAt ? Date.parse(status.startedAt) : null;
  updateAge(row);
  const probe = status.lastProbe && !status.lastProbe.ok ? `probe: ${status.lastProbe.message}` : '';
  // The machine's message often just names the state: say it once.
  const text = (status.message === status.state ? '' : status.message) || probe;
  row.message.textContent = text;
  row.message.title = text;
  const canAct = state.caller?.role === 'admin';
  row.actions.update(view, canAct, state.token);
  $('col-actions').hidden = !canAct;
  updateMetrics(view.name);
}

function updateAge(row) {
  row.age.textContent = row.startedAt === null ? '—' : formatDuration(Date.now() - row.startedAt);
}

function updateMetrics(name) {
  const row = rows.get(name);
  const view = state.byName.get(name);
  if (!row || !view) return;
  const history = state.history.get(name) ?? [];
  const fallback = view.status.metrics ? [{ ...view.status.metrics, pid: view.status.pid }] : [];
  const points = history.length > 0 ? history : fallback;
  const latest = points[points.length - 1];
  // A dead process uses nothing: its last value would mislead; its history stays drawn.
  const live = latest && view.status.pid !== null && latest.pid === view.status.pid;
  row.cpuValue.textContent = live ? formatPercent(latest.cpuPercent) : '—';
  row.memValue.textContent = live ? formatBytes(latest.memoryBytes) : '—';
  const span = points.length > 1 ? ` over ${formatDuration(points[points.length - 1].at - points[0].at)}` : '';
  const cpu = points.map((s) => ({ at: s.at, value: s.cpuPercent }));
  const memory = points.map((s) => ({ at: s.at, value: s.memoryBytes }));
  const peak = (series, format) => (series.length ? format(Math.max(...series.map((p) => p.value))) : '');
  row.cpuSpark.update(cpu, cpu.length ? `peak ${peak(cpu, formatPercent)}${span}` : 'no samples yet');
  row.memSpark.update(memory, memory.length ? `peak ${peak(memory, formatBytes)}${span}` : 'no samples yet');
}

function renderRows() {
  const tbody = $('service-rows');
  const seen = new Set();
  state.views.forEach((view, index) => {
    const row = rows.get(view.name) ?? createRow(view.name);
    updateRow(row, view);
    seen.add(view.name);
    if (tbody.children[index] !== row.tr) tbody.insertBefore(row.tr, tbody.children[index] ?? null);
  });
  for (const [name, row] of rows) {
    if (seen.has(name)) continue;
    row.tr.remove();
    rows.delete(name);
  }
  $('empty').hidden = state.views.length > 0;
}

function eventItem(event, { compact = false } = {}) {
  const who = event.service
    ? h('a', { href: serviceHref(event.service), class: 'who' }, event.service)
    : h('span', { class: 'who agent' }, 'agent');
  return h('li', { class: `event tone-${eventTone(event)}`, 'data-type': event.type, 'data-service': event.service },
    h('time', { datetime: event.time, title: new Date(event.time).toLocaleString() }, formatTime(event.time)),
    compact ? null : who,
    h('span', { class: 'type' }, event.type),
    h('span', { class: 'msg' }, event.message));
}

function renderEvents() {
  const list = $('events');
  const recent = state.events.slice(-EVENTS_SHOWN).reverse();
  list.replaceChildren(...recent.map((event) => eventItem(event)));
  if (recent.length === 0) list.append(h('li', { class: 'empty' }, 'No events yet.'));
}

// ---- the selected service ----

function select(name) {
  if (name === state.selected) return;
  state.selected = name;
  for (const [rowName, row] of rows) {
    if (rowName === name) row.tr.setAttribute('aria-current', 'true');
    else row.tr.removeAttribute('aria-current');
  }
  $('detail-body').hidden = !name;
  $('detail-hint').hidden = Boolean(name);
  $('detail-events').replaceChildren();
  $('detail-logs').textContent = '';
  renderDetailHead();
  followLogs();
  if (name) refreshDetailSoon();
}

function renderDetailHead() {
  const name = state.selected;
  const title = $('detail-title');
  const meta = $('detail-meta');
  if (!name) {
    title.textContent = 'Select a service';
    meta.replaceChildren();
    return;
  }
  const views = state.views.filter((v) => v.name === name || v.metadata.service === name);
  const view = views.find((v) => v.name === name) ?? views[0];
  title.replaceChildren(name);
  if (view && views.length === 1) title.append(' ', h('span', { class: `badge tone-${stateTone(view.status.state)}` }, view.status.state));
  meta.replaceChildren();
  if (!view) {
    meta.textContent = 'not found (deleted?)';
    return;
  }
  const spec = view.spec;
  const command = [spec.command, ...(spec.args ?? [])].join(' ');
  meta.append(h('code', { title: command }, command));
  const facts = [
    views.length > 1 ? `${views.length} instances` : null,
    `restart ${spec.restart_policy}`,
    spec.health_check ? `${spec.health_check.type} health check` : 'no health check',
  ].filter(Boolean);
  meta.append(` · ${facts.join(' · ')}`);
}

async function refreshDetail() {
  const name = state.selected;
  const token = state.token;
  if (!name || !token) return;
  const events = await getJson(`v1/events?service=${encodeURIComponent(name)}&limit=${DETAIL_EVENTS}`, token);
  if (name !== state.selected || token !== state.token) return;
  const list = $('detail-events');
  list.replaceChildren(...events.slice().reverse().map((event) => eventItem(event, { compact: true })));
  if (events.length === 0) list.append(h('li', { class: 'empty' }, 'No events.'));
}

/** Follows the selected service's logs (the tail, then what is appended) until another is selected; reconnects when it drops. */
let logFollower = null;
function followLogs() {
  logFollower?.abort();
  logFollower = null;
  const name = state.selected;
  const token = state.token;
  const pre = $('detail-logs');
  if (!name || !token) return;
  const controller = new AbortController();
  logFollower = controller;
  const show = (text, muted = false) => {
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8;
    pre.classList.toggle('muted', muted);
    pre.textContent = text;
    if (atBottom || muted) pre.scrollTop = pre.scrollHeight;
  };
  const pause = (ms) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    controller.signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
  (async () => {
    for (let failures = 0; !controller.signal.aborted;) {
      let text = '';
      try {
        if (!pre.textContent) show('No output yet.', true);
        await readTextStream(`v1/services/${encodeURIComponent(name)}/logs?tail=${LOG_TAIL}&follow=1`, token, {
          signal: controller.signal,
          onText: (chunk) => {
            text += chunk;
            const lines = text.split('\n');
            if (lines.length > LOG_LINES_KEPT + 1) text = lines.slice(-LOG_LINES_KEPT - 1).join('\n');
            show(text);
          },
        });
        failures = 0;
      } catch (err) {
        if (controller.signal.aborted) return;
        if (err instanceof Unauthorized) return onUnauthorized();
        if (err instanceof ApiError && err.status === 404) show('No such service.', true);
        failures += 1;
      }
      await pause(LOG_RETRY_MS[Math.min(failures, LOG_RETRY_MS.length - 1)]);
    }
    return undefined;
  })();
}

// ---- start ----

function tick() {
  for (const row of rows.values()) updateAge(row);
  const uptime = $('agent-uptime');
  if (uptime && state.agent) uptime.textContent = formatDuration(Date.now() - Date.parse(state.agent.startedAt));
}

function start() {
  $('login-form').addEventListener('submit', onLogin);
  $('login').addEventListener('cancel', (event) => {
    if (!state.token) event.preventDefault(); // nothing to show without a token
  });
  $('forget').addEventListener('click', () => {
    tokenStore.clear();
    disconnect();
    setConnection('unauthorized', 'signed out');
    showLogin();
  });
  $('service-rows').addEventListener('click', (event) => {
    if (event.target.closest('a')) return;
    const tr = event.target.closest('tr[data-name]');
    if (tr) location.hash = serviceHref(tr.dataset.name);
  });
  window.addEventListener('hashchange', readFragment);
  window.addEventListener('online', () => state.stream?.retryNow());
  setInterval(tick, 1_000);
  renderEvents();
  readFragment();
  if (!state.token) {
    const token = tokenStore.get();
    if (token) connect(token);
    else {
      setConnection('unauthorized', 'no token');
      showLogin();
    }
  }
}

start();
