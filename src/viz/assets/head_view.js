// The head view: queries left, keys right, a line per (query, key, head) with the weight as its
// opacity and the head's colour; one layer at a time, any set of heads.
const headView = (() => {
  const ROW = 24;          // px between tokens
  const GAP = 240;         // px between the two columns of tokens
  const MIN_WEIGHT = 0.01; // lighter lines are invisible anyway; skipping them keeps the DOM small
  const state = { layer: 0, shown: new Set([...Array(H).keys()]), focus: null };
  const svg = document.getElementById('hv-svg');
  const status = document.getElementById('hv-status');
  const layerSelect = document.getElementById('hv-layer');
  const toggles = document.getElementById('hv-heads');
  let lines, bars, queries, keys, leftX, rightX;

  function tokenGroup(side, i) {
    const g = svgEl('g', {
      class: 'token', tabindex: '0', role: 'button', 'data-side': side, 'data-index': String(i),
      'aria-label': `${side === 'q' ? 'query' : 'key'} ${i}: ${DATA.tokens[i]}`,
    });
    g.appendChild(svgEl('text', { 'dominant-baseline': 'central' }, DATA.tokens[i]));
    const enter = () => { state.focus = { side, index: i }; draw(); };
    const leave = () => { state.focus = null; draw(); };
    g.addEventListener('mouseenter', enter);
    g.addEventListener('focus', enter);
    g.addEventListener('mouseleave', leave);
    g.addEventListener('blur', leave);
    return g;
  }

  function build() {
    clear(svg);
    bars = svgEl('g');
    lines = svgEl('g');
    queries = [...Array(S).keys()].map((i) => tokenGroup('q', i));
    keys = [...Array(S).keys()].map((j) => tokenGroup('k', j));
    svg.append(bars, lines, ...queries, ...keys);
    const labelW = widest([...queries, ...keys].map((g) => g.firstChild)) + 8;
    leftX = labelW + 8;
    rightX = leftX + GAP;
    const top = 36;
    queries.forEach((g, i) => {
      const t = g.firstChild;
      t.setAttribute('x', leftX - 6);
      t.setAttribute('y', top + i * ROW);
      t.setAttribute('text-anchor', 'end');
    });
    keys.forEach((g, j) => {
      const t = g.firstChild;
      t.setAttribute('x', rightX + 6);
      t.setAttribute('y', top + j * ROW);
    });
    svg.appendChild(svgEl('text', { class: 'side', x: leftX - 6, y: 14, 'text-anchor': 'end' }, 'query'));
    svg.appendChild(svgEl('text', { class: 'side', x: rightX + 6, y: 14 }, 'key'));
    svg.setAttribute('width', rightX + labelW + 16);
    svg.setAttribute('height', top + S * ROW);
    svg.dataset.top = String(top);
  }

  function y(i) {
    return Number(svg.dataset.top) + i * ROW;
  }

  function draw() {
    clear(lines);
    clear(bars);
    const l = state.layer;
    const f = state.focus;
    const heads = [...state.shown].sort((a, b) => a - b);
    let count = 0;
    for (const h of heads) {
      const g = svgEl('g', { stroke: headColor(h), 'data-head': String(h) });
      for (let i = 0; i < S; ++i) {
        if (f && f.side === 'q' && f.index !== i) continue;
        for (let j = 0; j < S; ++j) {
          if (f && f.side === 'k' && f.index !== j) continue;
          const w = weight(l, h, i, j);
          if (w < MIN_WEIGHT) continue;
          g.appendChild(svgEl('line', {
            x1: leftX, y1: y(i), x2: rightX, y2: y(j), 'stroke-width': 2,
            'stroke-opacity': Math.min(w, 1).toFixed(3), 'data-q': String(i), 'data-k': String(j),
          }));
          ++count;
        }
      }
      lines.appendChild(g);
    }
    // With a token in focus, bars behind the other side show its weight, averaged over the heads
    // shown: the same numbers as the lines, easier to compare.
    if (f && heads.length) {
      for (let k = 0; k < S; ++k) {
        let sum = 0;
        for (const h of heads) sum += f.side === 'q' ? weight(l, h, f.index, k) : weight(l, h, k, f.index);
        const w = Math.min(sum / heads.length, 1);
        const x = f.side === 'q' ? rightX + 2 : leftX - 2 - 120 * w;
        bars.appendChild(svgEl('rect', {
          class: 'bar', x, y: y(k) - ROW / 2 + 3, width: 120 * w, height: ROW - 6, opacity: 0.25,
        }));
      }
    }
    for (const g of [...queries, ...keys]) {
      const active = f && g.dataset.side === f.side && Number(g.dataset.index) === f.index;
      g.classList.toggle('active', Boolean(active));
    }
    for (const b of toggles.children) {
      const h = Number(b.dataset.head);
      b.setAttribute('aria-pressed', String(state.shown.has(h)));
      b.lastChild.textContent = summaryOf(l, h);
    }
    status.textContent = `Layer ${l}: ${heads.length} of ${H} heads shown, ${count} lines` +
      (f ? ` for ${f.side === 'q' ? 'query' : 'key'} ${f.index} "${DATA.tokens[f.index]}"` : '') + '.';
  }

  function init() {
    fillSelect(layerSelect, L, 'layer');
    layerSelect.addEventListener('change', () => { state.layer = Number(layerSelect.value); draw(); });
    for (let h = 0; h < H; ++h) {
      const b = el('button', {
        type: 'button', class: 'head-toggle', 'data-head': String(h), 'aria-pressed': 'true',
        style: `--c: ${headColor(h)}`,
      });
      b.append(el('span', { class: 'num' }, String(h)), el('span', { class: 'what' }));
      b.addEventListener('click', () => {
        if (state.shown.has(h)) state.shown.delete(h); else state.shown.add(h);
        draw();
      });
      b.addEventListener('dblclick', () => { state.shown = new Set([h]); draw(); });
      toggles.appendChild(b);
    }
    document.getElementById('hv-all').addEventListener('click', () => {
      state.shown = new Set([...Array(H).keys()]);
      draw();
    });
    document.getElementById('hv-none').addEventListener('click', () => { state.shown.clear(); draw(); });
    build();
    draw();
  }

  return { init };
})();
