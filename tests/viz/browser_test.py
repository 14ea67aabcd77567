#!/usr/bin/env python3
"""Opens the pages that mha_viz_demo wrote in headless Chromium and checks what a reader gets.

    browser_test.py --demo-dir DIR --out DIR [--docs-screenshot PNG]

DIR holds attention.html (a toy encoder of 6 x 12 mha::MultiHeadAttention heads), patterns.html,
hostile.html (tokens made to break out of HTML) and the SVG/PNG heatmaps. The checks: the views
are there (a panel per head, the tokens), the controls change what is shown, a click enlarges a
head, the keyboard works, no JavaScript error, nothing fetched from any network or file, markup in
tokens stays text, and the SVGs parse as XML. Screenshots go to --out (and --docs-screenshot).

Needs selenium (pip), Chromium and chromedriver (Debian: chromium, chromium-driver); their paths
may be given as MHA_CHROMIUM and MHA_CHROMEDRIVER. When one is missing the test fails and says
what to install, or is skipped (exit 77) when MHA_SKIP_BROWSER_TESTS=1.
"""
import argparse
import base64
import os
import shutil
import sys
from pathlib import Path

SKIPPED = 77  # ctest SKIP_RETURN_CODE
sys.dont_write_bytecode = True  # no __pycache__ for page_checks.py in the source tree


def unavailable(what):
    if os.environ.get('MHA_SKIP_BROWSER_TESTS') == '1':
        print(f'viz.browser: skipped (MHA_SKIP_BROWSER_TESTS=1): {what}')
        sys.exit(SKIPPED)
    print(f'viz.browser: FAILED: {what}\n'
          '  The browser tests need Python with selenium, Chromium and chromedriver:\n'
          '  scripts/setup.sh installs them (Debian chromium, chromium-driver; selenium in .venv).\n'
          '  Set MHA_SKIP_BROWSER_TESTS=1 to skip them on a machine without a browser.',
          file=sys.stderr)
    sys.exit(1)


try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
except ImportError:
    unavailable(f'selenium is not installed for {sys.executable} (pip install selenium)')

from page_checks import (Checks, check_head_view, check_hostile, check_model_view, check_panels,
                         check_svgs, js, no_errors_and_no_requests, open_page)


def find_program(env, names, extra=()):
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        if shutil.which(name):
            return shutil.which(name)
    return next((p for p in extra if os.access(p, os.X_OK)), None)


def start_browser():
    browser = find_program('MHA_CHROMIUM', ['chromium', 'chromium-browser', 'google-chrome',
                                            'google-chrome-stable'])
    driver = find_program('MHA_CHROMEDRIVER', ['chromedriver'],
                          ['/usr/lib/chromium/chromedriver', '/usr/bin/chromedriver'])
    if not browser:
        unavailable('no Chromium found (Debian: apt-get install chromium; or set MHA_CHROMIUM)')
    if not driver:
        unavailable('no chromedriver found (Debian: apt-get install chromium-driver; '
                    'or set MHA_CHROMEDRIVER)')
    opts = webdriver.ChromeOptions()
    opts.binary_location = browser
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                '--window-size=1400,1300', '--force-device-scale-factor=1', '--hide-scrollbars',
                '--lang=en-US', '--no-first-run', '--disable-extensions'):
        opts.add_argument(arg)
    # The browser log holds console messages, uncaught errors and CSP violations; the performance
    # log holds every network request the page makes.
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL', 'performance': 'ALL'})
    try:
        # An explicit driver path: selenium must not try to download one (there may be no network).
        return webdriver.Chrome(options=opts, service=Service(driver))
    except WebDriverException as e:
        unavailable(f'Chromium did not start ({browser}, {driver}): {e.msg}')


def screenshot(d, path, full_page):
    """The viewport, or the whole page through the DevTools protocol."""
    if not full_page:
        d.save_screenshot(str(path))
        return
    size = js(d, 'return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]')
    shot = d.execute_cdp_cmd('Page.captureScreenshot', {
        'format': 'png', 'captureBeyondViewport': True,
        'clip': {'x': 0, 'y': 0, 'width': size[0], 'height': size[1], 'scale': 1}})
    Path(path).write_bytes(base64.b64decode(shot['data']))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--demo-dir', required=True, type=Path)
    ap.add_argument('--out', required=True, type=Path)
    ap.add_argument('--docs-screenshot', type=Path, help='also save the README screenshot here')
    args = ap.parse_args()
    page = args.demo_dir / 'attention.html'
    if not page.exists():
        print(f'viz.browser: FAILED: {page} is missing (run mha_viz_demo {args.demo_dir} first)',
              file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    c = Checks()
    d = start_browser()
    try:
        print(f'Chromium {d.capabilities.get("browserVersion")}: {page}')
        open_page(d, page)
        data = js(d, "return JSON.parse(document.getElementById('mha-data').textContent)")
        check_head_view(c, d, data)
        check_model_view(c, d, data, args.demo_dir)
        check_panels(c, d, data)
        no_errors_and_no_requests(c, d, 'attention.html', page.resolve().as_uri())

        # The picture for people: layer 0 with every head, one query in focus, one head enlarged.
        open_page(d, page)
        d.find_element(By.CSS_SELECTOR, '.mv-cell[data-layer="1"][data-head="3"]').click()
        js(d, 'window.scrollTo(0, 0)')
        ActionChains(d).move_to_element(
            d.find_element(By.CSS_SELECTOR, '#hv-svg .token[data-side=q][data-index="4"] text')).perform()
        screenshot(d, args.out / 'attention.png', full_page=False)
        screenshot(d, args.out / 'attention_full.png', full_page=True)
        if args.docs_screenshot:
            args.docs_screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot(d, args.docs_screenshot, full_page=False)
        no_errors_and_no_requests(c, d, 'attention.html (screenshot)', page.resolve().as_uri())

        open_page(d, args.demo_dir / 'patterns.html')
        c.equal(len(d.find_elements(By.CSS_SELECTOR, '.mv-cell')), 72, 'patterns.html: 72 panels')
        no_errors_and_no_requests(c, d, 'patterns.html', (args.demo_dir / 'patterns.html').resolve().as_uri())
        check_hostile(c, d, args.demo_dir)
        check_svgs(c, d, args.demo_dir, args.out)
    finally:
        d.quit()
    print(f'viz.browser: {c.count} checks, {len(c.failures)} failed; screenshots in {args.out}')
    return 1 if c.failures else 0


if __name__ == '__main__':
    sys.exit(main())
