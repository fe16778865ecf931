// The "Classify an image" view: take an image from the file picker, a drop or a paste, preview it, send it to
// POST /api/v1/predict and render the answer.
import { requestJson, showError, hideError, formatMs, formatPercent } from './api.js';
import { podColour } from './pods.js';

const TOP_K = 5;

export class PredictView {
  constructor(root, onAnswer) {
    this.onAnswer = onAnswer;
    this.file = null;
    this.previewUrl = null;
    this.busy = false;
    this.el = {
      input: root.querySelector('#file-input'),
      dropZone: root.querySelector('#drop-zone'),
      chosen: root.querySelector('#chosen'),
      preview: root.querySelector('#preview-image'),
      previewMissing: root.querySelector('#preview-missing'),
      fileName: root.querySelector('#file-name'),
      button: root.querySelector('#predict-button'),
      status: root.querySelector('#predict-status'),
      error: root.querySelector('#predict-error'),
      result: root.querySelector('#result'),
      label: root.querySelector('#result-label'),
      confidence: root.querySelector('#result-confidence'),
      demoBadge: root.querySelector('#demo-badge'),
      pod: root.querySelector('#result-pod'),
      topK: root.querySelector('#top-k'),
      timings: root.querySelector('#timings'),
    };
    this.listen();
  }

  /** The chosen image, for the load-balancing view to reuse. */
  get chosenFile() {
    return this.file;
  }

  listen() {
    const { input, dropZone, button, preview } = this.el;
    input.addEventListener('change', () => {
      if (input.files.length > 0) {
        this.choose(input.files[0]);
      }
    });
    button.addEventListener('click', () => this.predict());

    for (const type of ['dragenter', 'dragover']) {
      dropZone.addEventListener(type, (event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        dropZone.classList.add('dragging');
      });
    }
    dropZone.addEventListener('dragleave', (event) => {
      if (!dropZone.contains(event.relatedTarget)) {
        dropZone.classList.remove('dragging');
      }
    });
    dropZone.addEventListener('drop', (event) => {
      event.preventDefault();
      dropZone.classList.remove('dragging');
      const file = firstFile(event.dataTransfer);
      if (file) {
        this.choose(file);
      }
    });
    // A file dropped next to the zone would make the browser navigate away from the page to show it.
    for (const type of ['dragover', 'drop']) {
      window.addEventListener(type, (event) => event.preventDefault());
    }
    document.addEventListener('paste', (event) => {
      const file = firstFile(event.clipboardData);
      if (file) {
        event.preventDefault();
        this.choose(file);
      }
    });

    preview.addEventListener('load', () => {
      preview.hidden = false;
      this.el.previewMissing.hidden = true;
    });
    preview.addEventListener('error', () => {
      preview.hidden = true;
      this.el.previewMissing.hidden = false;
    });
  }

  choose(file) {
    this.file = file;
    if (this.previewUrl) {
      URL.revokeObjectURL(this.previewUrl);
    }
    this.previewUrl = URL.createObjectURL(file);
    const { preview, chosen, fileName } = this.el;
    preview.hidden = true;
    preview.alt = `Preview of ${file.name || 'the pasted image'}`;
    preview.src = this.previewUrl;
    fileName.textContent = `${file.name || 'Pasted image'} · ${formatBytes(file.size)}`;
    chosen.hidden = false;
    this.predict();
  }

  async predict() {
    if (!this.file || this.busy) {
      return;
    }
    const { button, status, error, result } = this.el;
    this.busy = true;
    button.disabled = true;
    result.setAttribute('aria-busy', 'true');
    hideError(error);
    status.textContent = `Classifying ${this.file.name || 'the image'}…`;

    const sent = this.file;
    const form = new FormData();
    form.append('file', sent, sent.name || 'pasted-image');
    try {
      const answer = await requestJson(`/api/v1/predict?k=${TOP_K}`, { method: 'POST', body: form });
      this.render(answer);
      status.textContent = `${answer.body.label}, ${formatPercent(answer.body.confidence)} sure, answered by pod `
        + `${answer.pod ?? 'unknown'}.`;
      this.onAnswer?.(answer.pod);
    } catch (failure) {
      result.hidden = true;
      status.textContent = '';
      showError(error, failure);
      this.onAnswer?.(failure.pod);
    } finally {
      this.busy = false;
      button.disabled = false;
      result.removeAttribute('aria-busy');
    }
    if (this.file !== sent) {
      this.predict(); // another image was chosen while this one was on its way
    }
  }

  render({ body, pod, ms }) {
    const el = this.el;
    el.label.textContent = body.label;
    el.confidence.textContent = formatPercent(body.confidence);
    el.demoBadge.hidden = !body.model?.demo;
    el.pod.textContent = pod ?? 'unknown';
    el.pod.style.setProperty('--pod-colour', podColour(pod));
    el.topK.replaceChildren(...(body.top_k ?? []).slice(0, TOP_K).map(topKItem));
    el.timings.replaceChildren(...timings(body, ms).map(([name, value]) => {
      const pair = document.createElement('div');
      const term = document.createElement('dt');
      term.textContent = name;
      const detail = document.createElement('dd');
      detail.textContent = formatMs(value);
      pair.append(term, detail);
      return pair;
    }));
    el.result.hidden = false;
  }
}

/** The server's own timings that it reported, then the round trip this page measured. */
function timings(body, roundTripMs) {
  const reported = [
    ['Inference', body.inference_ms],
    ['Preprocessing', body.preprocess_ms],
    ['Queue', body.queue_ms],
    ['Server total', body.total_ms],
  ].filter(([, value]) => typeof value === 'number');
  return [...reported, ['Round trip', roundTripMs]];
}

function topKItem({ label, probability }, rank) {
  const item = document.createElement('li');
  item.className = rank === 0 ? 'top' : '';
  const name = document.createElement('span');
  name.className = 'k-label';
  name.textContent = label;
  const bar = document.createElement('span');
  bar.className = 'k-bar';
  bar.setAttribute('aria-hidden', 'true');
  const fill = document.createElement('span');
  fill.style.width = `${Math.max(0, Math.min(1, probability)) * 100}%`;
  bar.append(fill);
  const value = document.createElement('span');
  value.className = 'k-value';
  value.textContent = formatPercent(probability);
  item.append(name, bar, value);
  return item;
}

function firstFile(transfer) {
  if (!transfer) {
    return null;
  }
  if (transfer.files && transfer.files.length > 0) {
    return transfer.files[0];
  }
  for (const item of transfer.items ?? []) {
    if (item.kind === 'file') {
      return item.getAsFile();
    }
  }
  return null;
}

function formatBytes(bytes) {
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
