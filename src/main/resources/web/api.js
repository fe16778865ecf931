// Talking to the server: one place that turns HTTP replies, including the API's JSON errors, into values the
// views can render, and errors into sentences a person can act on.

/** An error reply from the API (or no reply at all: status 0). */
export class ApiError extends Error {
  constructor(status, code, serverMessage, retryAfterSeconds, pod, body = null) {
    super(serverMessage || `HTTP ${status}`);
    this.body = body;
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
    this.retryAfterSeconds = retryAfterSeconds;
    this.pod = pod;
  }
}

export const POD_HEADER = 'X-Pod-Name';

/**
 * Sends a request that expects JSON back. Resolves to {body, pod, status, ms}; rejects with ApiError for a non-2xx
 * reply or a network failure. Never cached: every call must reach a server, which is the point of a load-balancing demo.
 */
export async function requestJson(url, options = {}) {
  const started = performance.now();
  let response;
  try {
    response = await fetch(url, {
      cache: 'no-store',
      ...options,
      headers: { Accept: 'application/json', ...(options.headers || {}) },
    });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, 'network', error.message, null, null);
  }
  const pod = response.headers.get(POD_HEADER);
  const text = await response.text();
  const ms = performance.now() - started;
  const body = parseJson(text);
  if (!response.ok) {
    const message = body ? body.message ?? body.reason ?? null : text.trim().slice(0, 300);
    throw new ApiError(response.status, body?.error ?? null, message,
      retryAfter(response.headers.get('Retry-After')), body?.pod ?? pod, body);
  }
  return { body, pod: body?.pod ?? pod, status: response.status, ms };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function retryAfter(header) {
  if (header === null) {
    return null;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, Math.round(seconds));
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

/** What went wrong, as a sentence for a person; the server's own wording is kept apart as a detail. */
export function explain(error) {
  if (!(error instanceof ApiError)) {
    return `Something went wrong in this page: ${error.message}`;
  }
  switch (error.status) {
    case 0:
      return "The server couldn't be reached. Check that it is running and that you are online, then try again.";
    case 400:
      return "The server couldn't read that image: the file looks damaged or incomplete. Try another image.";
    case 413:
      return 'That file is too large for the server. Choose a smaller image, or shrink this one first.';
    case 415:
      return "That file isn't an image the server can read. Choose a JPEG, PNG, GIF or BMP image.";
    case 503:
      return 'The server is busy or not ready yet. ' + (error.retryAfterSeconds !== null
        ? `Try again in ${error.retryAfterSeconds} ${error.retryAfterSeconds === 1 ? 'second' : 'seconds'}.`
        : 'Try again in a moment.');
    case 404:
      return "This server doesn't offer that: it may be running in hello mode, without a model.";
    default:
      return `The server answered with an error (HTTP ${error.status}). Try again; if it keeps happening, check the server's log.`;
  }
}

/** Fills an error element with the sentence, plus the server's own message and pod as a smaller detail line. */
export function showError(element, error) {
  element.replaceChildren();
  const sentence = document.createElement('span');
  sentence.className = 'error-sentence';
  sentence.textContent = explain(error);
  element.append(sentence);
  if (error instanceof ApiError && error.status !== 0 && (error.serverMessage || error.pod)) {
    const detail = document.createElement('span');
    detail.className = 'error-detail';
    const parts = [];
    if (error.serverMessage) {
      parts.push(`Server said: “${error.serverMessage}”`);
    }
    parts.push(`HTTP ${error.status}${error.pod ? ` from pod ${error.pod}` : ''}`);
    detail.textContent = parts.join(' · ');
    element.append(detail);
  }
  element.hidden = false;
}

export function hideError(element) {
  element.hidden = true;
  element.replaceChildren();
}

export function formatMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '–';
  }
  if (ms === 0) {
    return '0 ms';
  }
  if (ms < 10) {
    return `${ms.toFixed(2)} ms`;
  }
  if (ms < 1000) {
    return `${ms.toFixed(1)} ms`;
  }
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatPercent(fraction) {
  return `${(fraction * 100).toFixed(1)}%`;
}
