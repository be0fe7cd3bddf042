// Restart and stop (or start) buttons of one instance's row: present only
// for an admin token (a read token's page offers nothing it cannot do).
/* global document */
/* eslint-disable no-restricted-globals -- browser code */
import { postJson } from './api.js';

const STOPPED = new Set(['stopped', 'completed', 'failed']);

/**
 * The actions cell of a row. `update(view, canAct, token)` shows the buttons
 * that apply to the instance's state, or none; a click acts on that instance
 * alone and reports a refusal in `onError`.
 */
export function createActions(name, onError) {
  const cell = document.createElement('td');
  cell.className = 'row-actions';
  cell.dataset.label = 'Actions';
  let token = null;
  const button = (action, label) => {
    const node = document.createElement('button');
    node.type = 'button';
    node.className = `act act-${action}`;
    node.dataset.testid = action;
    node.textContent = label;
    node.title = `${label} ${name}`;
    node.addEventListener('click', async (event) => {
      event.stopPropagation();
      node.disabled = true;
      try {
        await postJson(`v1/${action}`, token, { names: [name] });
      } catch (err) {
        onError(`${action}: ${err.message}`);
      } finally {
        node.disabled = false;
      }
    });
    return node;
  };
  const restart = button('restart', 'Restart');
  const stop = button('stop', 'Stop');
  const start = button('start', 'Start');
  return {
    cell,
    update(view, canAct, currentToken) {
      token = currentToken;
      if (!canAct) {
        cell.replaceChildren();
        return;
      }
      const stopped = STOPPED.has(view.status.state);
      cell.replaceChildren(...(stopped ? [start] : [restart, stop]));
    },
  };
}
