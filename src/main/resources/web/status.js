// The "Model & status" view: GET /api/v1/model and GET /readyz, and the replica that answered them.
import { requestJson, ApiError, explain, formatMs } from './api.js';

export class StatusView {
  constructor(root, onPod) {
    this.onPod = onPod;
    this.el = {
      refresh: root.querySelector('#status-refresh'),
      pod: root.querySelector('#status-pod'),
      ready: root.querySelector('#status-ready'),
      name: root.querySelector('#model-name'),
      format: root.querySelector('#model-format'),
      input: root.querySelector('#model-input'),
      scaling: root.querySelector('#model-scaling'),
      labelsCount: root.querySelector('#model-labels-count'),
      sha: root.querySelector('#model-sha'),
      load: root.querySelector('#model-load'),
      demoBadge: root.querySelector('#status-demo-badge'),
      labelsDetails: root.querySelector('#labels-details'),
      labels: root.querySelector('#model-labels'),
      error: root.querySelector('#status-error'),
    };
    this.el.refresh.addEventListener('click', () => this.refresh());
  }

  async refresh() {
    this.el.refresh.disabled = true;
    try {
      await Promise.all([this.refreshReadiness(), this.refreshModel()]);
    } finally {
      this.el.refresh.disabled = false;
    }
  }

  async refreshReadiness() {
    const { ready } = this.el;
    try {
      const answer = await requestJson('/readyz');
      setState(ready, 'ok', 'Ready');
      this.showPod(answer.pod);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 503) {
        setState(ready, 'bad', `Not ready${failure.serverMessage ? `: ${failure.serverMessage}` : ''}`);
      } else {
        setState(ready, 'bad', explain(failure));
      }
      this.showPod(failure.pod);
    }
  }

  async refreshModel() {
    const el = this.el;
    el.error.hidden = true;
    try {
      const { body, pod } = await requestJson('/api/v1/model');
      this.showPod(pod);
      el.name.textContent = body.name ?? '–';
      el.format.textContent = body.format ?? '–';
      el.input.textContent = Array.isArray(body.input_shape) ? body.input_shape.join(' × ') : '–';
      const scaling = body.input_scaling ?? {};
      el.scaling.textContent = scaling.range ? `[${scaling.range}]: ${scaling.reason ?? ''}` : '–';
      const labels = Array.isArray(body.labels) ? body.labels : [];
      el.labelsCount.textContent = String(labels.length);
      el.labels.replaceChildren(...labels.map((label) => {
        const item = document.createElement('li');
        item.textContent = label;
        return item;
      }));
      el.labelsDetails.hidden = labels.length === 0;
      el.sha.textContent = body.sha256 ? `${body.sha256.slice(0, 12)}…` : '–';
      el.sha.title = body.sha256 ?? '';
      el.sha.setAttribute('aria-label', body.sha256 ?? 'unknown');
      el.load.textContent = formatMs(body.load_ms);
      el.demoBadge.hidden = !body.demo;
    } catch (failure) {
      for (const key of ['name', 'format', 'input', 'scaling', 'labelsCount', 'sha', 'load']) {
        el[key].textContent = '–';
      }
      el.demoBadge.hidden = true;
      el.labelsDetails.hidden = true;
      el.error.textContent = `The model's details couldn't be loaded. ${explain(failure)}`;
      el.error.hidden = false;
      this.showPod(failure.pod);
    }
  }

  showPod(pod) {
    if (pod) {
      this.el.pod.textContent = pod;
      this.onPod?.(pod);
    }
  }
}

function setState(element, state, text) {
  element.textContent = text;
  element.dataset.state = state;
}
