// Sparklines drawn by hand: an SVG path over the retained samples, x by time.

const SVG = 'http://www.w3.org/2000/svg';
const round = (n) => Math.round(n * 10) / 10;

/**
 * The shapes of a sparkline of `points` ({at, value}, oldest first) in a
 * width×height box: `line` and `area` path data, the `last` point, and the
 * value range drawn. `floor`: the top of the scale is at least this (0.2% of
 * CPU does not fill the box). `zeroBased` false: the scale hugs the values
 * (memory shows its changes), with a margin.
 */
export function sparkGeometry(points, { width, height, floor = 0, zeroBased = true, pad = 2 }) {
  if (points.length === 0) return null;
  const values = points.map((p) => p.value);
  let min = zeroBased ? 0 : Math.min(...values);
  let max = Math.max(floor, ...values);
  if (!zeroBased) {
    const margin = Math.max((max - min) * 0.15, max * 0.05, 1e-9);
    min = Math.max(0, min - margin);
    max += margin;
  }
  if (max <= min) max = min + 1;
  const first = points[0].at;
  const span = points[points.length - 1].at - first;
  const x = (at) => (span > 0 ? pad + ((at - first) / span) * (width - 2 * pad) : width - pad);
  const y = (value) => height - pad - ((value - min) / (max - min)) * (height - 2 * pad);
  const xy = points.map((p) => [round(x(p.at)), round(y(p.value))]);
  const line = `M${xy.map(([px, py]) => `${px} ${py}`).join(' L')}`;
  // One sample is a dot: no line, and no area that would fill the box.
  const area = xy.length > 1 ? `${line} L${xy[xy.length - 1][0]} ${height} L${xy[0][0]} ${height} Z` : '';
  return { line, area, last: xy[xy.length - 1], min, max };
}

/** An empty sparkline element and its `update(points, title)`. */
export function createSparkline(doc, { width = 96, height = 26, label, floor = 0, zeroBased = true, tone = 'cpu' }) {
  const el = (name, attrs = {}) => {
    const node = doc.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    return node;
  };
  const svg = el('svg', { class: `spark spark-${tone}`, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  const title = el('title');
  const area = el('path', { class: 'spark-area' });
  const line = el('path', { class: 'spark-line' });
  const dot = el('circle', { class: 'spark-dot', r: 2 });
  svg.append(title, area, line, dot);
  return {
    element: svg,
    update(points, text) {
      const shape = sparkGeometry(points, { width, height, floor, zeroBased });
      svg.classList.toggle('empty', !shape);
      title.textContent = text;
      svg.setAttribute('aria-label', text ? `${label}: ${text}` : label);
      if (!shape) {
        for (const node of [area, line]) node.removeAttribute('d');
        dot.setAttribute('cx', -10);
        return;
      }
      if (shape.area) area.setAttribute('d', shape.area);
      else area.removeAttribute('d');
      line.setAttribute('d', shape.line);
      dot.setAttribute('cx', shape.last[0]);
      dot.setAttribute('cy', shape.last[1]);
    },
  };
}
