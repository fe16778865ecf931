// The web page in a real browser (Debian's headless Chromium, driven by playwright-core) against real ml-app
// replicas started from the built jar. Run: mvn -B -DskipTests package && (cd e2e && npm ci) && node --test e2e/
// Screenshots and server logs land in target/e2e-artifacts/.
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { missingPrerequisite, missingClusterPrerequisite, launchBrowser, startReplica, startCluster, artifact,
  SAMPLE_IMAGE } from './support.mjs';

const skip = await missingPrerequisite();
if (skip) {
  console.log(`# ${skip}`);
}

const clusterSkip = skip ?? missingClusterPrerequisite();
if (clusterSkip) {
  console.log(`# ${clusterSkip}`);
}

const SOLO_POD = 'e2e-solo';
const CLUSTER_REPLICAS = 5;
const MAX_BODY_BYTES = 1024 * 1024;

describe('the web page on one replica', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];
  const sample = readFileSync(SAMPLE_IMAGE);

  before(async () => {
    // One request per connection, so the load-balancing view can show every request on a new connection; a small
    // body limit, so a real 413 can be provoked.
    server = await startReplica({ podName: SOLO_POD, extraArgs: ['--max-requests-per-connection', '1',
      '--max-body-bytes', String(MAX_BODY_BYTES)] });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/`);
  });

  afterEach(() => {
    assert.deepEqual(pageErrors.splice(0), [], 'script errors in the page');
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the status view shows the model, readiness and the replica', async () => {
    const model = await (await fetch(`${server.url}/api/v1/model`)).json();
    await page.locator('#status-ready[data-state="ok"]').waitFor();
    assert.equal(await page.textContent('#status-ready'), 'Ready');
    assert.equal(await page.textContent('#status-pod'), SOLO_POD);
    assert.equal(await page.textContent('#model-name'), model.name);
    assert.equal(await page.textContent('#model-input'), model.input_shape.join(' × '));
    assert.equal(await page.textContent('#model-scaling'),
      `[${model.input_scaling.range}]: ${model.input_scaling.reason}`);
    assert.equal(await page.textContent('#model-labels-count'), String(model.labels.length));
    assert.equal(await page.isVisible('#status-demo-badge'), model.demo);
    assert.equal(await page.textContent('#served-by-pod'), SOLO_POD);
  });

  test('a draining replica shows as not ready, with its reason', async () => {
    // Its own replica, because it is sent SIGTERM: --shutdown-delay keeps it serving with /readyz red.
    const draining = await startReplica({ podName: 'e2e-draining', extraArgs: ['--shutdown-delay', '30s'] });
    const tab = await browser.newPage();
    tab.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await tab.goto(`${draining.url}/`);
      await tab.locator('#status-ready[data-state="ok"]').waitFor();
      draining.terminate();
      await waitForStatus(draining.url, 503);
      await tab.getByRole('button', { name: 'Refresh' }).click();
      await tab.locator('#status-ready[data-state="bad"]').waitFor();
      const reason = (await (await fetch(`${draining.url}/readyz`)).json()).reason;
      assert.equal(await tab.textContent('#status-ready'), `Not ready: ${reason}`);
      assert.equal(await tab.textContent('#status-pod'), 'e2e-draining');
    } finally {
      await tab.close();
      await draining.stop();
    }
  });

  test('choosing a real image renders the top 5 the API gives, the pod and the demo badge', async () => {
    const expected = await predictViaApi(server.url, sample, 'sample.jpg');
    await page.getByLabel('Choose an image').setInputFiles(SAMPLE_IMAGE);
    await waitForAnswer(page, 'sample.jpg');

    assert.equal(await page.textContent('#result-label'), expected.label);
    assert.deepEqual(await renderedTopK(page), expected.top_k.map(({ label, probability }) =>
      ({ label, percent: `${(probability * 100).toFixed(1)}%` })));
    assert.equal((await renderedTopK(page)).length, 5);
    assert.equal(await page.textContent('#result-pod'), SOLO_POD);
    assert.equal(await page.isVisible('#demo-badge'), expected.model.demo);
    if (expected.model.demo) {
      assert.match(await page.textContent('#demo-badge'), /demo model \(untrained weights\)/);
    }
    assert.equal(await page.getAttribute('#preview-image', 'alt'), 'Preview of sample.jpg');
    // Announced to screen readers through the live status region.
    assert.match(await page.textContent('#predict-status'), new RegExp(`${escape(expected.label)}.*pod ${SOLO_POD}`));
    const timings = await page.locator('#timings dt').allTextContents();
    assert.ok(timings.includes('Inference') && timings.includes('Round trip'), `timings shown: ${timings}`);
    await page.screenshot({ path: artifact('predict-desktop.png'), fullPage: true });
  });

  test('a dropped image and a pasted image are classified too', async () => {
    const expected = await predictViaApi(server.url, sample, 'sample.jpg');
    await dispatchWithFile(page, 'drop', sample, 'dropped.jpg');
    await waitForAnswer(page, 'dropped.jpg');
    assert.equal(await page.textContent('#result-label'), expected.label);

    await dispatchWithFile(page, 'paste', sample, 'pasted.jpg');
    await waitForAnswer(page, 'pasted.jpg');
    assert.equal(await page.textContent('#result-label'), expected.label);
  });

  test('a file that is not an image gets a plain sentence from the 415', async () => {
    await page.getByLabel('Choose an image').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain',
      buffer: Buffer.from('shopping list: noodles, rice, soup\n') });
    const error = page.getByRole('alert').filter({ hasText: 'image' });
    await error.waitFor();
    assert.equal(await error.locator('.error-sentence').textContent(),
      "That file isn't an image the server can read. Choose a JPEG, PNG, GIF or BMP image.");
    assert.match(await error.locator('.error-detail').textContent(), new RegExp(`HTTP 415 from pod ${SOLO_POD}`));
    assert.equal(await page.isVisible('#result'), false, 'the previous result is not left on screen');
    assert.equal(await page.isVisible('#preview-missing'), true, 'says there is no preview');
    await page.screenshot({ path: artifact('error-not-an-image.png') });
  });

  test('too large (a real 413) and overloaded (503 with Retry-After) read as sentences', async () => {
    const huge = Buffer.alloc(MAX_BODY_BYTES + 200_000, 7);
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    await page.getByLabel('Choose an image').setInputFiles({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: huge });
    await page.locator('#predict-error .error-sentence', { hasText: 'too large' }).waitFor();
    assert.match(await page.textContent('#predict-error .error-detail'), /HTTP 413/);

    // An overloaded replica can't be produced on demand with one request, so this one reply is stubbed in the
    // browser, in the exact shape the server sends (see PredictHandlers): what's tested is the page's reading of it.
    await page.route('**/api/v1/predict?k=5', (route) => route.fulfill({
      status: 503,
      headers: { 'Retry-After': '3', 'X-Pod-Name': SOLO_POD },
      contentType: 'application/json',
      body: JSON.stringify({ error: 'overloaded', message: 'this replica is at capacity (queue full); retry shortly' }),
    }));
    try {
      await page.getByLabel('Choose an image').setInputFiles(SAMPLE_IMAGE);
      await page.locator('#predict-error .error-sentence', { hasText: 'busy' }).waitFor();
      assert.equal(await page.textContent('#predict-error .error-sentence'),
        'The server is busy or not ready yet. Try again in 3 seconds.');
    } finally {
      await page.unroute('**/api/v1/predict?k=5');
    }
  });

  test('keyboard only: Tab reaches the file picker, and Enter runs the load-balancing view', async () => {
    await page.goto(`${server.url}/`);
    const reached = [];
    for (let i = 0; i < 12 && reached.at(-1) !== 'file-input'; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
    }
    assert.equal(reached.at(-1), 'file-input', `Tab order: ${reached.join(' → ')}`);
    const outline = await page.$eval('#drop-zone', (zone) => getComputedStyle(zone).outlineStyle);
    assert.equal(outline, 'solid', 'the drop zone shows that the file picker has focus');

    await page.getByLabel('Requests', { exact: true }).fill('30');
    await page.getByLabel('At once').fill('3');
    await page.getByLabel('Requests', { exact: true }).press('Enter');
    const summary = await waitForBalanceSummary(page);
    assert.match(summary, /^Done: 30 requests in [\d.]+ s, answered by 1 pod\. 30 of 30 opened a new connection\.$/);
    assert.deepEqual(await podCounts(page), { [SOLO_POD]: 30 });
  });

  test('every control has a name a screen reader can say, under one h1', async () => {
    await page.goto(`${server.url}/`);
    assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1);
    const unnamed = await page.$$eval('input, button, progress, canvas[role="img"]', (controls) => controls
      .filter((c) => !(c.labels?.length || c.getAttribute('aria-label') || c.textContent.trim()))
      .map((c) => c.id || c.outerHTML.slice(0, 60)));
    assert.deepEqual(unnamed, []);
    assert.equal(await page.getAttribute('#predict-status', 'aria-live'), 'polite');
    assert.equal(await page.getAttribute('#balance-summary', 'aria-live'), 'polite');
  });

  test('Stop ends a long load-balancing run early and says so', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Requests', { exact: true }).fill('2000');
    await page.getByLabel('At once').fill('1');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForFunction(() => Number(document.querySelector('#balance-progress').value) >= 5);
    await page.getByRole('button', { name: 'Stop' }).click();
    const summary = await waitForBalanceSummary(page);
    const done = Number(summary.match(/^Stopped: (\d+) requests/)?.[1]);
    assert.ok(done >= 5 && done < 2000, summary);
    assert.equal(await page.isEnabled('#balance-start'), true);
  });

  test('the load-balancing view can send predictions (with a generated image)', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('Requests', { exact: true }).fill('8');
    await page.getByRole('radio', { name: '/api/v1/predict' }).check();
    await page.getByRole('button', { name: 'Start' }).click();
    const summary = await waitForBalanceSummary(page);
    assert.match(summary, /^Done: 8 requests in [\d.]+ s, answered by 1 pod\./);
    assert.deepEqual(await podCounts(page), { [SOLO_POD]: 8 });
    await page.screenshot({ path: artifact('balance-one-replica.png'), fullPage: true });
  });

  test('on a phone-sized screen (dark scheme) nothing scrolls sideways', async () => {
    // Dark, too: the screenshot shows the other colour scheme.
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2,
      isMobile: true, hasTouch: true, colorScheme: 'dark' });
    phone.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await phone.goto(`${server.url}/`);
      await phone.getByLabel('Choose an image').setInputFiles(SAMPLE_IMAGE);
      await waitForAnswer(phone, 'sample.jpg');
      await phone.getByLabel('Requests', { exact: true }).fill('12');
      await phone.getByRole('button', { name: 'Start' }).click();
      await waitForBalanceSummary(phone);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
      await phone.screenshot({ path: artifact('phone-dark.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});

describe('the load-balancing view against the local five-replica cluster', { skip: clusterSkip ?? false }, () => {
  let cluster;
  let browser;

  before(async () => {
    cluster = await startCluster({ replicas: CLUSTER_REPLICAS });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  test('50 requests to /whoami are answered by all five pods, each on a new connection', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${cluster.url}/`);
    await page.getByLabel('Requests', { exact: true }).fill('50');
    await page.getByRole('button', { name: 'Start' }).click();
    const summary = await waitForBalanceSummary(page);
    await page.locator('#balance').screenshot({ path: artifact('balance-five-replicas.png') });
    await page.screenshot({ path: artifact('cluster-page.png'), fullPage: true });

    assert.match(summary, /^Done: 50 requests in [\d.]+ s, answered by 5 pods\. 50 of 50 opened a new connection\.$/);
    const counts = await podCounts(page);
    assert.deepEqual(Object.keys(counts).sort(),
      Array.from({ length: CLUSTER_REPLICAS }, (_, i) => `ml-app-${i + 1}`).sort());
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 50);
    // Round robin over one connection per request: a fair share each, give or take the page's own requests.
    for (const [pod, n] of Object.entries(counts)) {
      assert.ok(n >= 5 && n <= 15, `${pod} answered ${n} of 50`);
    }
    assert.deepEqual(pageErrors, [], 'script errors in the page');
    await page.close();
  });
});

async function waitForStatus(url, status, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(`${url}/readyz`)).status !== status) {
    assert.ok(Date.now() < deadline, `${url}/readyz never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function predictViaApi(url, bytes, name) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), name);
  const response = await fetch(`${url}/api/v1/predict?k=5`, { method: 'POST', body: form,
    headers: { Accept: 'application/json' } });
  assert.equal(response.status, 200);
  return response.json();
}

async function waitForAnswer(page, fileName) {
  await page.locator('#file-name', { hasText: fileName }).waitFor();
  await page.locator('#predict-status', { hasText: 'answered by pod' }).waitFor({ timeout: 60_000 });
}

async function renderedTopK(page) {
  return page.$$eval('#top-k li', (items) => items.map((item) => ({
    label: item.querySelector('.k-label').textContent,
    percent: item.querySelector('.k-value').textContent,
  })));
}

/** A real DragEvent/ClipboardEvent carrying the file, as the browser fires them for a drop or a Ctrl+V. */
async function dispatchWithFile(page, kind, bytes, name) {
  await page.evaluate(async ({ kind, base64, name }) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], name, { type: 'image/jpeg' }));
    if (kind === 'drop') {
      const zone = document.querySelector('#drop-zone');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    } else {
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true,
        cancelable: true }));
    }
  }, { kind, base64: bytes.toString('base64'), name: basename(name) });
}

async function waitForBalanceSummary(page, timeout = 120_000) {
  const summary = page.locator('#balance-summary');
  await summary.filter({ hasText: /^(Done|Stopped):/ }).waitFor({ timeout });
  return summary.textContent();
}

async function podCounts(page) {
  const rows = await page.$$eval('#pods-body tr[data-pod]', (trs) => trs.map((tr) => [tr.dataset.pod,
    Number(tr.querySelector('.count').textContent)]));
  return Object.fromEntries(rows);
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
