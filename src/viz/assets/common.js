// Shared by the views: the data, index arithmetic, colours, element helpers.
//
// Text from the data (tokens, names, summaries) only ever reaches the page through textContent
// or setAttribute, never innerHTML, so a token like "<b>" or a closing script tag stays text.
'use strict';

const DATA = JSON.parse(document.getElementById('mha-data').textContent);
const S = DATA.tokens.length;
const L = DATA.layers;
const H = DATA.heads;
const SVG_NS = 'http://www.w3.org/2000/svg';

// weights is [layers, heads, S, S] flattened; row = query i, column = key j.
function weight(l, h, i, j) {
  return DATA.weights[((l * H + h) * S + i) * S + j];
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgEl(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// The heatmap ramp: the same anchors and the same linear interpolation as mha::viz::weight_color,
// so a weight has one colour in the page, the SVG, the PNG and the terminal.
const RAMP = DATA.ramp.map((hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)));

function rampRgb(w) {
  const x = Math.min(Math.max(w, 0), 1) * (RAMP.length - 1);
  const k = Math.min(Math.floor(x), RAMP.length - 2);
  const t = x - k;
  return RAMP[k].map((a, c) => Math.round(a + (RAMP[k + 1][c] - a) * t));
}

function rampColor(w) {
  const [r, g, b] = rampRgb(w);
  return `rgb(${r},${g},${b})`;
}

function headColor(h) {
  return DATA.headColors[h];
}

function fmtWeight(w) {
  return w.toFixed(3);
}

function fmtNumber(v) {
  if (v === null) return 'NaN';
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

function summaryOf(l, h) {
  return DATA.summaries[l * H + h] || '';
}

// Fills a <select> with options 0..n-1 labelled "<prefix> k".
function fillSelect(select, n, prefix) {
  clear(select);
  for (let k = 0; k < n; ++k) select.appendChild(el('option', { value: String(k) }, `${prefix} ${k}`));
}

// The widest of some SVG texts once laid out (labels are measured, not guessed).
function widest(texts) {
  let w = 0;
  for (const t of texts) w = Math.max(w, t.getComputedTextLength());
  return Math.ceil(w);
}
