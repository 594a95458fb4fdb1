// Helper for tests/test_page.py (not a test file): drives the verifier page
// in headless Chromium over the DevTools protocol, on a pipe (Chromium's
// --remote-debugging-pipe: commands on its fd 3, answers on its fd 4, each a
// JSON text ended by a NUL byte), so no npm package and no network port is
// needed. The page is shown at a phone's size with the protocol's device
// metrics (390×844, a touch screen), which unlike the window size has no
// 500-pixel floor.
//
// Reads {"chromium": path, "scenarios": [...]} on standard input; each
// scenario is {"name", "url", "fill": {id: value}, "files": [paths]?,
// "action": "check" | "rerun" | "none", "cpuThrottle": rate?}; prints one JSON object mapping each
// name to what the page showed.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PHONE = { width: 390, height: 844, deviceScaleFactor: 3, mobile: true };

class Browser {
  constructor(executable) {
    this.profile = mkdtempSync(join(tmpdir(), 'alloc-page-'));
    this.process = spawn(
      executable,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--hide-scrollbars',
        '--remote-debugging-pipe',
        `--user-data-dir=${this.profile}`,
        'about:blank',
      ],
      // Its own process group, so closing ends Chromium's helpers too.
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true },
    );
    this.exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.stderr = '';
    this.process.stdio[2].on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.writer = this.process.stdio[3];
    this.next = 1;
    this.waiting = new Map();
    this.listeners = [];
    let buffer = Buffer.alloc(0);
    this.process.stdio[4].on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      let end;
      while ((end = buffer.indexOf(0)) >= 0) {
        const message = JSON.parse(buffer.subarray(0, end).toString('utf8'));
        buffer = buffer.subarray(end + 1);
        if (message.id !== undefined && this.waiting.has(message.id)) {
          const { resolve, reject } = this.waiting.get(message.id);
          this.waiting.delete(message.id);
          if (message.error) reject(new Error(`${message.error.message} ${message.error.data ?? ''}`));
          else resolve(message.result);
        } else if (message.method) {
          for (const listener of this.listeners) listener(message);
        }
      }
    });
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.next++;
    const message = { id, method, params };
    if (sessionId) message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.writer.write(JSON.stringify(message) + '\0');
    });
  }

  async close() {
    try {
      process.kill(-this.process.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function page(browser, scenario) {
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const send = (method, params) => browser.send(method, params, sessionId);
  const consoleLines = [];
  browser.listeners.push((m) => {
    if (m.sessionId !== sessionId) return;
    if (m.method === 'Runtime.exceptionThrown') consoleLines.push('exception: ' + JSON.stringify(m.params.exceptionDetails).slice(0, 500));
    if (m.method === 'Runtime.consoleAPICalled') consoleLines.push(m.params.args.map((a) => a.value ?? a.description).join(' '));
  });
  await send('Runtime.enable');
  await send('Page.enable');
  await send('DOM.enable');
  await send('Emulation.setDeviceMetricsOverride', PHONE);
  await send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
  // A slower phone, for the benchmark figures: Chromium runs the page's CPU work this many times slower.
  if (scenario.cpuThrottle) await send('Emulation.setCPUThrottlingRate', { rate: scenario.cpuThrottle });
  const evaluate = async (expression) => {
    const out = await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (out.exceptionDetails) throw new Error(JSON.stringify(out.exceptionDetails).slice(0, 800));
    return out.result.value;
  };
  await send('Page.navigate', { url: scenario.url });
  for (let i = 0; i < 200; i++) {
    if ((await evaluate('document.readyState === "complete" && !!window.alloc')) === true) break;
    await sleep(50);
  }
  const fill = scenario.fill ?? {};
  await evaluate(`(function (fill) {
    for (const id of Object.keys(fill)) {
      const el = document.getElementById(id);
      el.value = fill[id];
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }
    if (fill['pin-bureau'] || fill['pin-notary']) document.getElementById('pins').open = true;
  })(${JSON.stringify(fill)})`);
  const before = await evaluate(`({reg: document.getElementById('reg').value, salt: document.getElementById('salt').value,
    hash: location.hash, filesShown: !document.getElementById('files').hidden})`);
  if (scenario.files) {
    const { root } = await send('DOM.getDocument', {});
    const { nodeId } = await send('DOM.querySelector', { nodeId: root.nodeId, selector: '#pick' });
    await send('DOM.setFileInputFiles', { nodeId, files: scenario.files });
    for (let i = 0; i < 200; i++) {
      if ((await evaluate("document.getElementById('picked').textContent !== ''")) === true) break;
      await sleep(50);
    }
  }
  const started = Date.now();
  if (scenario.action === 'check') {
    await evaluate("document.getElementById('check').click()");
    for (let i = 0; i < 1200; i++) {
      if ((await evaluate("document.getElementById('result').hasAttribute('data-outcome') || !document.getElementById('files').hidden && document.querySelectorAll('#checks li').length > 0")) === true) break;
      await sleep(50);
    }
  } else if (scenario.action === 'rerun') {
    await evaluate("document.getElementById('rerun').click()");
    for (let i = 0; i < 2400; i++) {
      if ((await evaluate("document.getElementById('rerun-status').hasAttribute('data-status')")) === true) break;
      await sleep(50);
    }
  }
  const seen = await evaluate(`(function () {
    function clipped(e) {
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      }
      return false;
    }
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > window.innerWidth + 0.5 && !clipped(el)) wide.push(el.tagName + '#' + el.id + '.' + el.className + ' ends at ' + Math.round(box.right));
    }
    const small = [];
    for (const el of document.querySelectorAll('button, input, select, summary')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.height < 44) small.push(el.tagName + '#' + el.id + ' ' + Math.round(box.height));
    }
    const list = (sel) => Array.from(document.querySelectorAll(sel)).map((li) => ({
      id: li.getAttribute('data-check'), status: li.getAttribute('data-status'), text: li.textContent }));
    const result = document.getElementById('result');
    const status = document.getElementById('rerun-status');
    return {
      viewport: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      bodyScrollWidth: document.body.scrollWidth,
      wide, small,
      checks: list('#checks li'),
      stages: list('#stages li'),
      outcome: result.getAttribute('data-outcome'),
      result: result.textContent,
      laterRounds: !document.getElementById('later').hidden,
      fingerprints: Array.from(document.querySelectorAll('[data-fingerprint]')).map((e) => ({
        role: e.closest('[data-role]').getAttribute('data-role'), fingerprint: e.getAttribute('data-fingerprint'),
        fontSize: parseFloat(getComputedStyle(e).fontSize) })),
      compared: Array.from(document.querySelectorAll('[data-compared]')).map((e) => e.getAttribute('data-compared')),
      filesShown: !document.getElementById('files').hidden,
      rerunStatus: status.getAttribute('data-status'),
      rerunMs: status.hasAttribute('data-ms') ? Number(status.getAttribute('data-ms')) : null,
      rerunText: status.textContent,
      title: document.getElementById('draw-title').textContent,
      hashAfter: location.hash,
      html: document.documentElement.outerHTML.length,
    };
  })()`);
  seen.before = before;
  seen.console = consoleLines;
  seen.wallMs = Date.now() - started;
  if (scenario.screenshot) {
    if (scenario.scrollTo) await evaluate(`document.getElementById(${JSON.stringify(scenario.scrollTo)}).scrollIntoView()`);
    await sleep(300);
    const shot = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: scenario.screenshot === 'page' });
    seen.screenshot = shot.data;
  }
  await browser.send('Target.closeTarget', { targetId });
  return seen;
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { chromium, scenarios } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const browser = new Browser(chromium);
const out = {};
try {
  await browser.send('Target.setDiscoverTargets', { discover: false });
  for (const scenario of scenarios) out[scenario.name] = await page(browser, scenario);
} catch (error) {
  out.error = `${error.stack}\n${browser.stderr}`;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
