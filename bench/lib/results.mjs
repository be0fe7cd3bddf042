/** Samples collected during the run, by row and tool, plus notes and errors. */

export function createResults() {
  const samples = {}; // row id -> tool -> number[]
  const notes = {}; // row id -> string[]
  const errors = [];
  return {
    samples,
    notes,
    errors,
    add(row, tool, ...values) {
      ((samples[row] ??= {})[tool] ??= []).push(...values);
    },
    note(row, text) {
      const list = (notes[row] ??= []);
      if (!list.includes(text)) list.push(text);
    },
    error(where, err) {
      const message = `${where}: ${err?.message ?? err}`;
      errors.push(message);
      console.error(`  ! ${message}`);
    },
  };
}
