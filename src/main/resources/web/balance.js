// The "Load balancing" view: fire N requests at /whoami or /api/v1/predict, a few at a time, and draw live how many
// each pod answered and how long each request took.
//
// New connections: a browser reuses keep-alive connections and a script can't forbid that (Connection is a
// forbidden header). So the page doesn't pretend: it reads the browser's Resource Timing for each request and
// reports how many opened a new connection. They all do when the server closes each connection after one reply
// (--max-requests-per-connection 1), which is what a per-connection balancer like kube-proxy needs to spread them.
import { requestJson, showError, hideError, formatMs, formatPercent } from './api.js';
import { podColour } from './pods.js';

const MAX_REQUESTS = 2000;
// Browsers open at most six HTTP/1.1 connections to one server; more "at once" would only queue inside the browser
// and show up as latency that no server caused.
const MAX_PARALLEL = 6;
const GENERATED_IMAGE_SIZE = 224;

export class BalanceView {
  constructor(root, chosenImage) {
    this.chosenImage = chosenImage;
    this.run = null;
    this.renderQueued = false;
    this.el = {
      form: root.querySelector('#balance-form'),
      count: root.querySelector('#balance-count'),
      parallel: root.querySelector('#balance-parallel'),
      start: root.querySelector('#balance-start'),
      stop: root.querySelector('#balance-stop'),
      progress: root.querySelector('#balance-progress'),
      progressText: root.querySelector('#balance-progress-text'),
      summary: root.querySelector('#balance-summary'),
      error: root.querySelector('#balance-error'),
      podsBody: root.querySelector('#pods-body'),
      strip: root.querySelector('#latency-strip'),
    };
    this.el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.start();
    });
    this.el.stop.addEventListener('click', () => this.run?.controller.abort());
    this.connections = new Map();
    if (typeof PerformanceObserver !== 'undefined') {
      performance.setResourceTimingBufferSize?.(MAX_REQUESTS * 2);
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (entry.name.includes('lb-run=')) {
            this.connections.set(entry.name, opensNewConnection(entry));
          }
        }
        this.queueRender();
      }).observe({ type: 'resource', buffered: false });
    }
    new ResizeObserver(() => this.queueRender()).observe(this.el.strip);
  }

  async start() {
    const el = this.el;
    if (!el.form.reportValidity()) {
      return;
    }
    const count = clamp(Number(el.count.value), 1, MAX_REQUESTS);
    const parallel = clamp(Number(el.parallel.value), 1, MAX_PARALLEL);
    const target = new FormData(el.form).get('target');
    hideError(el.error);

    const run = {
      id: Date.now().toString(36),
      count,
      target,
      controller: new AbortController(),
      results: [],
      started: performance.now(),
      finished: null,
      image: target === 'predict' ? await this.imageToSend() : null,
    };
    this.run = run;
    performance.clearResourceTimings();
    this.connections.clear();
    el.progress.max = count;
    el.summary.textContent = '';
    el.start.disabled = true;
    el.stop.disabled = false;
    this.queueRender();

    let next = 0;
    const worker = async () => {
      while (next < count && !run.controller.signal.aborted) {
        const seq = next++;
        run.results.push(await this.send(run, seq));
        this.queueRender();
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));

    run.finished = performance.now();
    el.start.disabled = false;
    el.stop.disabled = true;
    // Resource Timing entries arrive a moment after the last reply; give them a frame before the summary.
    await new Promise((resolve) => setTimeout(resolve, 100));
    this.render();
    el.summary.textContent = this.summary(run);
  }

  async send(run, seq) {
    const url = run.target === 'whoami'
      ? `/whoami?lb-run=${run.id}&seq=${seq}`
      : `/api/v1/predict?k=1&lb-run=${run.id}&seq=${seq}`;
    const options = { signal: run.controller.signal };
    if (run.target === 'predict') {
      const form = new FormData();
      form.append('file', run.image, run.image.name || 'image.png');
      options.method = 'POST';
      options.body = form;
    }
    try {
      const answer = await requestJson(url, options);
      return { seq, url: new URL(url, location.href).href, pod: answer.pod ?? 'unknown', ms: answer.ms, ok: true };
    } catch (failure) {
      if (failure.name === 'AbortError') {
        return { seq, aborted: true };
      }
      this.showFirstError(failure);
      return { seq, url: new URL(url, location.href).href, pod: failure.pod ?? null, ok: false,
        status: failure.status ?? 0, ms: null };
    }
  }

  showFirstError(failure) {
    if (this.el.error.hidden) {
      showError(this.el.error, failure);
    }
  }

  async imageToSend() {
    const chosen = this.chosenImage();
    if (chosen && chosen.type.startsWith('image/')) {
      return chosen;
    }
    return generatedImage();
  }

  queueRender() {
    if (!this.renderQueued) {
      this.renderQueued = true;
      requestAnimationFrame(() => {
        this.renderQueued = false;
        this.render();
      });
    }
  }

  render() {
    const run = this.run;
    if (!run) {
      drawEmptyStrip(this.el.strip);
      return;
    }
    const done = run.results.filter((r) => !r.aborted);
    const failed = done.filter((r) => !r.ok).length;
    this.el.progress.value = done.length;
    this.el.progressText.textContent = `${done.length} of ${run.count} done`
      + (failed ? `, ${failed} failed` : '') + (run.finished ? '' : '…');
    this.renderPods(done);
    drawStrip(this.el.strip, run, done);
    this.el.strip.setAttribute('aria-label', `Latency of each request, coloured by pod. ${this.stripSummary(done)}`);
  }

  renderPods(done) {
    const byPod = new Map();
    for (const result of done.filter((r) => r.ok)) {
      if (!byPod.has(result.pod)) {
        byPod.set(result.pod, []);
      }
      byPod.get(result.pod).push(result.ms);
    }
    const answered = done.filter((r) => r.ok).length;
    const rows = [...byPod.entries()]
      .sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }))
      .map(([pod, latencies]) => podRow(pod, latencies, answered));
    const failures = countBy(done.filter((r) => !r.ok), (r) => r.status);
    for (const [status, n] of failures) {
      rows.push(errorRow(status, n));
    }
    if (rows.length === 0) {
      const row = document.createElement('tr');
      row.className = 'empty';
      row.innerHTML = '<td colspan="5">No answers yet.</td>';
      rows.push(row);
    }
    this.el.podsBody.replaceChildren(...rows);
  }

  stripSummary(done) {
    const latencies = done.filter((r) => r.ok).map((r) => r.ms);
    if (latencies.length === 0) {
      return 'No answers yet.';
    }
    return `${latencies.length} answers, median ${formatMs(quantile(latencies, 0.5))}, `
      + `slowest ${formatMs(Math.max(...latencies))}.`;
  }

  summary(run) {
    const done = run.results.filter((r) => !r.aborted);
    const ok = done.filter((r) => r.ok);
    const pods = new Set(ok.map((r) => r.pod));
    const seconds = (run.finished - run.started) / 1000;
    let text = `${run.controller.signal.aborted ? 'Stopped' : 'Done'}: ${done.length} requests in `
      + `${seconds.toFixed(1)} s, answered by ${pods.size} ${pods.size === 1 ? 'pod' : 'pods'}`;
    if (done.length > ok.length) {
      text += `, ${done.length - ok.length} failed`;
    }
    const known = done.map((r) => this.connections.get(r.url)).filter((v) => v !== undefined);
    if (known.length === done.length && done.length > 0) {
      const opened = known.filter(Boolean).length;
      text += `. ${opened} of ${done.length} opened a new connection`;
      if (opened < done.length) {
        text += ' (the browser reused its open connections for the rest)';
      }
    }
    return `${text}.`;
  }
}

function podRow(pod, latencies, answered) {
  const row = document.createElement('tr');
  row.dataset.pod = pod;
  const name = document.createElement('th');
  name.scope = 'row';
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = podColour(pod);
  swatch.setAttribute('aria-hidden', 'true');
  const text = document.createElement('span');
  text.className = 'pod-name';
  text.textContent = pod;
  name.append(swatch, text);

  const count = cell(String(latencies.length), 'num count');
  const share = document.createElement('td');
  share.className = 'share-col';
  const bar = document.createElement('span');
  bar.className = 'share-bar';
  bar.setAttribute('aria-hidden', 'true');
  const fill = document.createElement('span');
  fill.style.width = `${(latencies.length / answered) * 100}%`;
  fill.style.background = podColour(pod);
  bar.append(fill);
  const percent = document.createElement('span');
  percent.className = 'share-text';
  percent.textContent = formatPercent(latencies.length / answered);
  share.append(bar, percent);
  row.append(name, count, share, cell(formatMs(quantile(latencies, 0.5)), 'num'),
    cell(formatMs(quantile(latencies, 0.95)), 'num'));
  return row;
}

function errorRow(status, n) {
  const row = document.createElement('tr');
  row.className = 'failed';
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = status === 0 ? 'no reply' : `failed (HTTP ${status})`;
  row.append(name, cell(String(n), 'num count'), cell('', 'share-col'), cell('–', 'num'), cell('–', 'num'));
  return row;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.className = className;
  td.textContent = text;
  return td;
}

/**
 * Resource Timing gives a reused connection connectStart == connectEnd == fetchStart; a new one has a connect phase
 * after fetchStart. (On loopback a connect can finish inside the timer's resolution, hence both tests.)
 */
function opensNewConnection(entry) {
  return entry.connectEnd > entry.connectStart || entry.connectStart > entry.fetchStart;
}

/** Sizes the canvas to its box in device pixels; returns [width, height, devicePixelRatio]. */
function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(200, Math.round(canvas.clientWidth * dpr));
  const height = Math.max(120, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  return [width, height, dpr];
}

function drawEmptyStrip(canvas) {
  const [width, height, dpr] = fitCanvas(canvas);
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, width, height);
  g.fillStyle = getComputedStyle(canvas).getPropertyValue('--ink-soft').trim() || '#666';
  g.font = `${13 * dpr}px system-ui, sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText('Press Start: each request will appear here as a dot.', width / 2, height / 2);
}

function drawStrip(canvas, run, done) {
  const [width, height, dpr] = fitCanvas(canvas);
  const styles = getComputedStyle(canvas);
  const ink = styles.getPropertyValue('--ink-soft').trim() || '#666';
  const grid = styles.getPropertyValue('--grid').trim() || '#ddd';
  const danger = styles.getPropertyValue('--danger').trim() || '#c00';
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, width, height);

  const pad = { left: 58 * dpr, right: 8 * dpr, top: 10 * dpr, bottom: 22 * dpr };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const latencies = done.filter((r) => r.ok).map((r) => r.ms);
  const yMax = niceCeiling(latencies.length ? Math.max(...latencies) : 10);

  g.font = `${11 * dpr}px system-ui, sans-serif`;
  g.textBaseline = 'middle';
  g.lineWidth = 1;
  for (const fraction of [0, 0.5, 1]) {
    const y = pad.top + plotH * (1 - fraction);
    g.strokeStyle = grid;
    g.beginPath();
    g.moveTo(pad.left, y);
    g.lineTo(width - pad.right, y);
    g.stroke();
    g.fillStyle = ink;
    g.textAlign = 'right';
    g.fillText(axisLabel(yMax * fraction), pad.left - 6 * dpr, y);
  }
  g.textAlign = 'left';
  g.textBaseline = 'alphabetic';
  g.fillText('request 1', pad.left, height - 5 * dpr);
  g.textAlign = 'right';
  g.fillText(`request ${run.count}`, width - pad.right, height - 5 * dpr);

  const radius = (run.count > 400 ? 1.8 : run.count > 100 ? 2.6 : 3.6) * dpr;
  for (const result of done) {
    const x = pad.left + ((result.seq + 0.5) / run.count) * plotW;
    if (result.ok) {
      const y = pad.top + plotH * (1 - Math.min(result.ms, yMax) / yMax);
      g.fillStyle = podColour(result.pod);
      g.beginPath();
      g.arc(x, y, radius, 0, Math.PI * 2);
      g.fill();
    } else {
      const y = pad.top + radius;
      g.strokeStyle = danger;
      g.lineWidth = 1.5 * dpr;
      g.beginPath();
      g.moveTo(x - radius, y - radius);
      g.lineTo(x + radius, y + radius);
      g.moveTo(x + radius, y - radius);
      g.lineTo(x - radius, y + radius);
      g.stroke();
    }
  }
}

/** A 224×224 JPEG drawn on a canvas, for predict runs when the user chose no image. */
async function generatedImage() {
  const canvas = document.createElement('canvas');
  canvas.width = GENERATED_IMAGE_SIZE;
  canvas.height = GENERATED_IMAGE_SIZE;
  const g = canvas.getContext('2d');
  const gradient = g.createLinearGradient(0, 0, GENERATED_IMAGE_SIZE, GENERATED_IMAGE_SIZE);
  gradient.addColorStop(0, '#f4c06a');
  gradient.addColorStop(1, '#b5452c');
  g.fillStyle = gradient;
  g.fillRect(0, 0, GENERATED_IMAGE_SIZE, GENERATED_IMAGE_SIZE);
  g.fillStyle = '#fff3d6';
  for (let i = 0; i < 12; i++) {
    g.beginPath();
    g.arc(30 + ((i * 53) % 170), 30 + ((i * 97) % 170), 10 + (i % 4) * 6, 0, Math.PI * 2);
    g.fill();
  }
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
  return new File([blob], 'generated.jpg', { type: 'image/jpeg' });
}

function axisLabel(ms) {
  if (ms >= 1000) {
    return `${+(ms / 1000).toFixed(2)} s`;
  }
  return `${+ms.toFixed(ms < 1 ? 2 : 1)} ms`;
}

function niceCeiling(value) {
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(value, 0.001)));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * magnitude) {
      return step * magnitude;
    }
  }
  return 10 * magnitude;
}

function quantile(values, q) {
  if (values.length === 0) {
    return null;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function countBy(items, key) {
  const counts = new Map();
  for (const item of items) {
    counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  }
  return counts;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, Math.round(Number.isFinite(value) ? value : low)));
}
