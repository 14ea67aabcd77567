// The model view: every layer × head as a small heatmap (one canvas pixel per weight, scaled up
// without smoothing), and one of them enlarged with its tokens on both axes.
const modelView = (() => {
  const grid = document.getElementById('mv-grid');
  const detail = document.getElementById('mv-detail');
  const svg = document.getElementById('mv-detail-svg');
  const layerSelect = document.getElementById('mv-layer');
  const headSelect = document.getElementById('mv-head');
  const readout = document.getElementById('mv-readout');
  const state = { layer: -1, head: -1, cursor: null };
  let cells = [];  // the enlarged map's <rect>s, row-major
  let cursorBox, rowLabels, colLabels, cellPx, left, top;

  function paint(canvas, l, h) {
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(S, S);
    for (let i = 0; i < S; ++i) {
      for (let j = 0; j < S; ++j) {
        const [r, g, b] = rampRgb(weight(l, h, i, j));
        const p = (i * S + j) * 4;
        img.data[p] = r; img.data[p + 1] = g; img.data[p + 2] = b; img.data[p + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }

  function buildGrid() {
    grid.style.gridTemplateColumns = `auto repeat(${H}, auto)`;
    grid.appendChild(el('span', { class: 'label' }));
    for (let h = 0; h < H; ++h) grid.appendChild(el('span', { class: 'label' }, `head ${h}`));
    for (let l = 0; l < L; ++l) {
      grid.appendChild(el('span', { class: 'label' }, `layer ${l}`));
      for (let h = 0; h < H; ++h) {
        const b = el('button', {
          type: 'button', class: 'mv-cell', 'data-layer': String(l), 'data-head': String(h),
          'aria-label': `layer ${l}, head ${h}: ${summaryOf(l, h)}`, title: `layer ${l}, head ${h}`,
          style: `--c: ${headColor(h)}`,
        });
        const canvas = el('canvas', { width: String(S), height: String(S) });
        paint(canvas, l, h);
        b.appendChild(canvas);
        b.addEventListener('click', () => open(l, h));
        grid.appendChild(b);
      }
    }
  }

  function buildDetail(l, h) {
    clear(svg);
    cellPx = Math.max(6, Math.min(28, Math.floor(560 / S)));
    rowLabels = DATA.tokens.map((t, i) => svgEl('text', { 'text-anchor': 'end', 'dominant-baseline': 'central', 'data-i': String(i) }, t));
    colLabels = DATA.tokens.map((t, j) => svgEl('text', { 'dominant-baseline': 'central', 'data-j': String(j) }, t));
    svg.append(...rowLabels, ...colLabels);
    const labelW = widest(rowLabels) + 10;
    left = labelW;
    top = widest(colLabels) + 10;
    rowLabels.forEach((t, i) => { t.setAttribute('x', left - 6); t.setAttribute('y', top + (i + 0.5) * cellPx); });
    colLabels.forEach((t, j) => {
      t.setAttribute('transform', `translate(${left + (j + 0.5) * cellPx} ${top - 6}) rotate(-90)`);
    });
    const g = svgEl('g', { stroke: '#ffffff', 'stroke-width': '0.5' });
    cells = [];
    for (let i = 0; i < S; ++i) {
      for (let j = 0; j < S; ++j) {
        const r = svgEl('rect', {
          x: left + j * cellPx, y: top + i * cellPx, width: cellPx, height: cellPx,
          fill: rampColor(weight(l, h, i, j)), 'data-i': String(i), 'data-j': String(j),
        });
        r.addEventListener('mouseenter', () => point(i, j));
        g.appendChild(r);
        cells.push(r);
      }
    }
    svg.appendChild(g);
    cursorBox = svgEl('rect', { class: 'cursor', width: cellPx, height: cellPx, visibility: 'hidden' });
    svg.appendChild(cursorBox);
    svg.setAttribute('width', left + S * cellPx + 8);
    svg.setAttribute('height', top + S * cellPx + 8);
    svg.setAttribute('aria-label', `Attention of layer ${l}, head ${h}: rows are queries, columns are keys`);
  }

  // Shows the weight of query i → key j, from the pointer or the arrow keys.
  function point(i, j) {
    state.cursor = [i, j];
    cursorBox.setAttribute('x', left + j * cellPx);
    cursorBox.setAttribute('y', top + i * cellPx);
    cursorBox.setAttribute('visibility', 'visible');
    rowLabels.forEach((t, k) => t.classList.toggle('hot', k === i));
    colLabels.forEach((t, k) => t.classList.toggle('hot', k === j));
    readout.textContent = `query ${i} "${DATA.tokens[i]}" → key ${j} "${DATA.tokens[j]}": ` +
      fmtWeight(weight(state.layer, state.head, i, j));
  }

  function open(l, h) {
    state.layer = l;
    state.head = h;
    detail.hidden = false;
    layerSelect.value = String(l);
    headSelect.value = String(h);
    const title = document.getElementById('mv-detail-title');
    title.textContent = `Layer ${l}, head ${h}`;
    title.style.setProperty('--c', headColor(h));
    document.getElementById('mv-summary').textContent = summaryOf(l, h);
    for (const b of grid.querySelectorAll('.mv-cell')) {
      const on = Number(b.dataset.layer) === l && Number(b.dataset.head) === h;
      b.classList.toggle('selected', on);
      b.setAttribute('aria-pressed', String(on));
    }
    buildDetail(l, h);
    if (state.cursor) point(...state.cursor);
    else readout.textContent = 'Point at a cell, or focus the map and use the arrow keys.';
    detail.scrollIntoView({ block: 'nearest' });
  }

  function close() {
    detail.hidden = true;
    for (const b of grid.querySelectorAll('.mv-cell.selected')) {
      b.classList.remove('selected');
      b.setAttribute('aria-pressed', 'false');
      b.focus();
    }
  }

  function onKey(e) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!moves[e.key]) return;  // Escape reaches the detail panel's handler
    e.preventDefault();
    const [i, j] = state.cursor || [0, -moves[e.key][1]];
    const clamp = (v) => Math.min(Math.max(v, 0), S - 1);
    point(clamp(i + moves[e.key][0]), clamp(j + moves[e.key][1]));
  }

  function init() {
    fillSelect(layerSelect, L, 'layer');
    fillSelect(headSelect, H, 'head');
    layerSelect.addEventListener('change', () => open(Number(layerSelect.value), state.head));
    headSelect.addEventListener('change', () => open(state.layer, Number(headSelect.value)));
    document.getElementById('mv-close').addEventListener('click', close);
    svg.addEventListener('keydown', onKey);
    detail.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
    buildGrid();
    const bar = document.getElementById('scale-bar');
    bar.style.background = `linear-gradient(to right, ${DATA.ramp.join(', ')})`;
  }

  return { init, open };
})();
