"""What browser_test.py checks on each page: the head view, the model view, the text panels,
hostile tokens, the SVG files, and that nothing fails or is fetched."""
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from page_data import ramp_rgb, read_png_rgb, weight

SVG = '{http://www.w3.org/2000/svg}'


class Checks:
    """Records every check, so one run reports all that is wrong, not just the first."""

    def __init__(self):
        self.count = 0
        self.failures = []

    def that(self, ok, what):
        self.count += 1
        if not ok:
            self.failures.append(what)
            print(f'  FAIL {what}')
        return ok

    def equal(self, got, want, what):
        return self.that(got == want, f'{what}: got {got!r}, want {want!r}')


def open_page(d, path):
    d.get(Path(path).resolve().as_uri())
    d.get_log('performance')  # start each page's request log afresh (the old page's is dropped)
    d.execute_script('return document.readyState')


def no_errors_and_no_requests(c, d, name, url):
    logs = d.get_log('browser')
    for entry in logs:
        print(f'  console {entry["level"]}: {entry["message"]}')
    c.equal([e['message'] for e in logs if e['level'] in ('SEVERE', 'WARNING')], [],
            f'{name}: console errors and warnings')
    requests = []
    for entry in d.get_log('performance'):
        msg = json.loads(entry['message'])['message']
        if msg['method'] == 'Network.requestWillBeSent':
            requests.append(msg['params']['request']['url'])
    c.equal([u for u in requests if u != url], [], f'{name}: network requests besides the page')
    c.equal(d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"),
            [], f'{name}: resources loaded')


def js(d, script, *args):
    return d.execute_script(script, *args)


def line_signature(d):
    return js(d, """return [...document.querySelectorAll('#hv-svg line')].map(l =>
        [Number(l.closest('g').dataset.head), Number(l.dataset.q), Number(l.dataset.k),
         Number(l.getAttribute('stroke-opacity'))]);""")


def check_head_view(c, d, data):
    tokens, L, H, S = data['tokens'], data['layers'], data['heads'], len(data['tokens'])
    c.equal(js(d, "return [...document.querySelectorAll('#hv-svg .token[data-side=q] text')].map(t => t.textContent)"),
            tokens, 'head view: query labels')
    c.equal(js(d, "return [...document.querySelectorAll('#hv-svg .token[data-side=k] text')].map(t => t.textContent)"),
            tokens, 'head view: key labels')
    c.equal(js(d, "return [...document.querySelectorAll('#sentence .tok')].map(t => t.textContent)"),
            tokens, 'sentence: token chips')
    layer = Select(d.find_element(By.ID, 'hv-layer'))
    c.equal(len(layer.options), L, 'head view: layer options')
    c.equal(len(d.find_elements(By.CSS_SELECTOR, '#hv-heads .head-toggle')), H, 'head view: head toggles')

    def expected_lines(l, heads):
        return sorted([h, i, j, round(min(weight(data, l, h, i, j), 1), 3)] for h in heads
                      for i in range(S) for j in range(S) if weight(data, l, h, i, j) >= 0.01)

    first = line_signature(d)
    c.equal(sorted(first), expected_lines(0, range(H)), 'head view: layer 0 lines = the weights')
    layer.select_by_value('3')
    third = line_signature(d)
    c.that(third != first, 'head view: choosing layer 3 changes the lines')
    c.equal(sorted(third), expected_lines(3, range(H)), 'head view: layer 3 lines = the weights')
    c.that('Layer 3' in d.find_element(By.ID, 'hv-status').text, 'head view: status names layer 3')

    d.find_element(By.ID, 'hv-none').click()
    c.equal(len(line_signature(d)), 0, 'head view: "None" hides every line')
    d.find_element(By.CSS_SELECTOR, '#hv-heads .head-toggle[data-head="3"]').click()
    c.equal(sorted(line_signature(d)), expected_lines(3, [3]), 'head view: toggling head 3 shows it alone')
    c.equal(d.find_element(By.CSS_SELECTOR, '.head-toggle[data-head="3"]').get_attribute('aria-pressed'),
            'true', 'head view: head 3 toggle is pressed')
    d.find_element(By.ID, 'hv-all').click()
    c.equal(sorted(line_signature(d)), expected_lines(3, range(H)), 'head view: "All heads" shows all again')

    # Hovering a query shows only its lines.
    q = 4
    ActionChains(d).move_to_element(
        d.find_element(By.CSS_SELECTOR, f'#hv-svg .token[data-side=q][data-index="{q}"] text')).perform()
    lines = line_signature(d)
    c.that(lines and all(x[1] == q for x in lines), f'head view: hovering query {q} leaves only its lines')
    c.that(f'query {q} "{tokens[q]}"' in d.find_element(By.ID, 'hv-status').text,
           'head view: status names the hovered query')
    ActionChains(d).move_to_element(d.find_element(By.ID, 'hv-heading')).perform()
    c.equal(len(line_signature(d)), len(third), 'head view: leaving the token restores every line')

    # The keyboard: Tab from "None" reaches query 0, then focus shows its lines.
    d.find_element(By.ID, 'hv-layer').click()
    js(d, "document.getElementById('hv-none').focus()")
    ActionChains(d).send_keys(Keys.TAB).perform()
    c.equal(js(d, "const a = document.activeElement; return [a.dataset.side, a.dataset.index]"),
            ['q', '0'], 'head view: Tab reaches the first query token')
    lines = line_signature(d)
    c.that(lines and all(x[1] == 0 for x in lines), 'head view: a focused token shows only its lines')
    js(d, 'document.activeElement.blur()')
    layer.select_by_value('0')


def check_model_view(c, d, data, demo_dir):
    tokens, L, H, S = data['tokens'], data['layers'], data['heads'], len(data['tokens'])
    cells = d.find_elements(By.CSS_SELECTOR, '#mv-grid .mv-cell')
    c.equal(len(cells), L * H, 'model view: one panel per layer x head')
    c.equal(len(d.find_elements(By.CSS_SELECTOR, '#mv-grid .mv-cell canvas')), L * H,
            'model view: a canvas per panel')
    c.that(not d.find_element(By.ID, 'mv-detail').is_displayed(), 'model view: no enlarged head at first')

    # The canvases show the ramp colour of each weight, as the C++ PNG does.
    pixels = js(d, """const c = document.querySelector('.mv-cell[data-layer="0"][data-head="0"] canvas');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);""")
    want = [v for i in range(S) for j in range(S) for v in ramp_rgb(data['ramp'], weight(data, 0, 0, i, j)) + [255]]
    c.equal(pixels, want, 'model view: layer 0 head 0 canvas pixels = ramp(weights)')
    png = demo_dir / 'heatmap.png'
    if png.exists():
        width, _, rows = read_png_rgb(png)
        cell = width // S
        diff = max(abs(rows[i * cell + cell // 2][(j * cell + cell // 2) * 3 + k] - pixels[(i * S + j) * 4 + k])
                   for i in range(S) for j in range(S) for k in range(3))
        # The page has the weights to 0.001, the PNG exactly: at most a step or two of a channel.
        c.that(diff <= 2, f'heatmap.png (C++) and the page agree on colours (max channel diff {diff})')

    def open_cell(l, h):
        d.find_element(By.CSS_SELECTOR, f'.mv-cell[data-layer="{l}"][data-head="{h}"]').click()

    def detail_state():
        return js(d, """const svg = document.getElementById('mv-detail-svg');
            return {title: document.getElementById('mv-detail-title').textContent,
                    rows: [...svg.querySelectorAll('text[data-i]')].map(t => t.textContent),
                    cols: [...svg.querySelectorAll('text[data-j]')].map(t => t.textContent),
                    fills: [...svg.querySelectorAll('rect[data-i]')].map(r => r.getAttribute('fill')),
                    selected: [...document.querySelectorAll('.mv-cell.selected')].map(
                        b => [Number(b.dataset.layer), Number(b.dataset.head)])};""")

    def fills(l, h):
        return ['rgb({},{},{})'.format(*ramp_rgb(data['ramp'], weight(data, l, h, i, j)))
                for i in range(S) for j in range(S)]

    open_cell(2, 5)
    c.that(d.find_element(By.ID, 'mv-detail').is_displayed(), 'model view: a click enlarges the head')
    s = detail_state()
    c.equal(s['title'], 'Layer 2, head 5', 'model view: enlarged title')
    c.equal(s['rows'], tokens, 'model view: enlarged query labels')
    c.equal(s['cols'], tokens, 'model view: enlarged key labels')
    c.equal(s['fills'], fills(2, 5), 'model view: enlarged cells = ramp(weights of layer 2 head 5)')
    c.equal(s['selected'], [[2, 5]], 'model view: the clicked panel is marked')

    Select(d.find_element(By.ID, 'mv-head')).select_by_value('7')
    s = detail_state()
    c.equal(s['title'], 'Layer 2, head 7', 'model view: the head selector changes the enlarged head')
    c.equal(s['fills'], fills(2, 7), 'model view: enlarged cells follow the head selector')
    Select(d.find_element(By.ID, 'mv-layer')).select_by_value('4')
    c.equal(detail_state()['title'], 'Layer 4, head 7', 'model view: the layer selector too')

    # Pointer and arrow keys read out weights.
    i, j = 3, 6
    ActionChains(d).move_to_element(
        d.find_element(By.CSS_SELECTOR, f'#mv-detail-svg rect[data-i="{i}"][data-j="{j}"]')).perform()
    want = f'query {i} "{tokens[i]}" → key {j} "{tokens[j]}": {weight(data, 4, 7, i, j):.3f}'
    c.equal(d.find_element(By.ID, 'mv-readout').text, want, 'model view: hover reads out the weight')
    js(d, "document.getElementById('mv-detail-svg').focus()")  # focus without moving the pointer
    ActionChains(d).send_keys(Keys.ARROW_DOWN).send_keys(Keys.ARROW_LEFT).perform()
    c.that(d.find_element(By.ID, 'mv-readout').text.startswith(f'query {i + 1} "{tokens[i + 1]}" → key {j - 1} '),
           'model view: arrow keys move the read-out')
    ActionChains(d).send_keys(Keys.ESCAPE).perform()
    c.that(not d.find_element(By.ID, 'mv-detail').is_displayed(), 'model view: Escape closes the enlarged head')

    # Enter on a focused panel opens it, like a click.
    js(d, "document.querySelector('.mv-cell[data-layer=\"0\"][data-head=\"1\"]').focus()")
    ActionChains(d).send_keys(Keys.ENTER).perform()
    c.equal(detail_state()['title'], 'Layer 0, head 1', 'model view: Enter opens the focused panel')


def check_panels(c, d, data):
    L, H = data['layers'], data['heads']
    if data['steps']:
        c.that(d.find_element(By.ID, 'steps').is_displayed(), 'six steps: panel shown')
        c.equal(js(d, "return [...document.querySelectorAll('#steps-list .step code')].map(e => e.textContent)"),
                [s['shape'] for s in data['steps']], 'six steps: shapes')
        c.equal(len(d.find_elements(By.CSS_SELECTOR, '#steps-list .step')), len(data['steps']),
                'six steps: one card per step')
    rows = d.find_elements(By.CSS_SELECTOR, '#summaries-table tbody tr')
    c.equal(len(rows), L * H, 'summaries: one row per head')
    c.equal(js(d, "return [...document.querySelectorAll('#summaries-table tbody tr td:last-child')].map(e => e.textContent)"),
            data['summaries'], 'summaries: the lines of the data')
    rows[H + 4].find_element(By.TAG_NAME, 'button').click()
    c.equal(d.find_element(By.ID, 'mv-detail-title').text, 'Layer 1, head 4',
            'summaries: a head button enlarges that head')


def check_hostile(c, d, demo_dir):
    page = demo_dir / 'hostile.html'
    open_page(d, page)
    data = js(d, "return JSON.parse(document.getElementById('mha-data').textContent)")
    c.that('</script><script>window.__pwned=1</script>' in data['tokens'],
           'hostile: the closing-script token is in the data, intact')
    c.that('bad\ufffd\ufffd' in data['tokens'], 'hostile: ill-formed UTF-8 became U+FFFD')
    c.equal(js(d, "return window.__pwned === undefined"), True, 'hostile: no token ran as script')
    c.equal(len(d.find_elements(By.TAG_NAME, 'img')), 0, 'hostile: no token became an element')
    c.equal(js(d, "return [...document.querySelectorAll('#hv-svg .token[data-side=q] text')].map(t => t.textContent)"),
            data['tokens'], 'hostile: labels show the tokens as text')
    c.equal(d.title, 'Attention in hostile </script> <b>tokens</b> & "quotes"', 'hostile: title is text')
    c.equal(len(d.find_elements(By.CSS_SELECTOR, 'h1 b')), 0, 'hostile: no markup in the heading')
    d.find_element(By.CSS_SELECTOR, '.mv-cell[data-layer="1"][data-head="2"]').click()
    c.equal(js(d, "return [...document.querySelectorAll('#mv-detail-svg text[data-i]')].map(t => t.textContent)"),
            data['tokens'], 'hostile: enlarged labels show the tokens as text')
    no_errors_and_no_requests(c, d, 'hostile.html', page.resolve().as_uri())


def check_svgs(c, d, demo_dir, out):
    for name in ('heatmap.svg', 'grid.svg', 'hostile.svg'):
        path = demo_dir / name
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            c.that(False, f'{name}: XML parse error {e}')
            continue
        c.equal(root.tag, SVG + 'svg', f'{name}: root element')
        if name == 'hostile.svg':
            # Labels are cut to 24 columns; the tooltips (<title>) hold whole tokens.
            titles = [t.text or '' for t in root.iter(SVG + 'title')]
            c.that(any(t.startswith('</script><script>window.__pwned=1</script> → ') for t in titles),
                   'hostile.svg: token text intact')
    # Chromium renders the SVG itself (an XML error would show a parsererror element instead).
    open_page(d, demo_dir / 'heatmap.svg')
    c.equal(js(d, "return document.documentElement.localName"), 'svg', 'heatmap.svg: opens in Chromium')
    c.equal(js(d, "return document.getElementsByTagName('parsererror').length"), 0, 'heatmap.svg: no parser error')
    d.save_screenshot(str(out / 'heatmap_svg.png'))
