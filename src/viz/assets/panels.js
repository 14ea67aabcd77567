// The text panels: the sentence, the six steps with their shapes and numbers, a line per head.
function showSentence() {
  const p = document.getElementById('sentence');
  if (DATA.text) p.appendChild(el('q', {}, DATA.text));
  p.appendChild(document.createTextNode(` ${S} tokens: `));
  DATA.tokens.forEach((t, i) => p.appendChild(el('span', { class: 'tok', title: `token ${i}` }, t)));
}

function showSteps() {
  if (!DATA.steps.length) {
    document.getElementById('steps-link').hidden = true;
    return;
  }
  document.getElementById('steps').hidden = false;
  const list = document.getElementById('steps-list');
  for (const step of DATA.steps) {
    const li = el('li', { class: 'step', 'data-step': String(step.number) });
    li.appendChild(el('span', { class: 'step-num', 'aria-hidden': 'true' }, String(step.number)));
    const body = el('div');
    const h = el('h3', {}, `${step.name} `);
    h.appendChild(el('code', {}, step.shape));
    body.appendChild(h);
    if (step.description) body.appendChild(el('p', {}, step.description));
    if (step.numbers.length) {
      const table = el('table', { class: 'numbers' });
      for (const n of step.numbers) {
        const tr = el('tr');
        tr.appendChild(el('th', { scope: 'row' }, n.label));
        for (const v of n.values) tr.appendChild(el('td', {}, fmtNumber(v)));
        table.appendChild(tr);
      }
      body.appendChild(table);
    }
    li.appendChild(body);
    list.appendChild(li);
  }
}

function showSummaries() {
  const body = document.querySelector('#summaries-table tbody');
  for (let l = 0; l < L; ++l) {
    for (let h = 0; h < H; ++h) {
      const tr = el('tr');
      tr.appendChild(el('td', {}, String(l)));
      const td = el('td');
      const b = el('button', { type: 'button', style: `--c: ${headColor(h)}`, 'aria-label': `enlarge layer ${l}, head ${h}` }, String(h));
      b.addEventListener('click', () => {
        modelView.open(l, h);
        document.getElementById('model-view').scrollIntoView();
      });
      td.appendChild(b);
      tr.appendChild(td);
      tr.appendChild(el('td', {}, summaryOf(l, h)));
      body.appendChild(tr);
    }
  }
}
