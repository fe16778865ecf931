// What the browser test needs outside the browser: finding the tools (skip locally, fail under CI=true, as the
// Java tests do with SystemTools), starting a real ml-app replica, and a place for screenshots.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ARTIFACTS = join(PROJECT_ROOT, 'target', 'e2e-artifacts');
export const JAR = join(PROJECT_ROOT, 'target', 'ml-app.jar');
export const SAMPLE_IMAGE = join(PROJECT_ROOT, 'src', 'main', 'resources', 'samples', 'sample.jpg');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const IN_CI = (process.env.CI || '').toLowerCase() === 'true';

// The flags this machine's closed network needs: without the background-networking ones Chromium keeps trying
// (and failing) to reach Google's services.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Returns why the browser test can't run here, or null when it can. Under CI=true a missing piece is an error,
 * because .ci/run installs all of them: CI must never go green by skipping.
 */
export async function missingPrerequisite() {
  let reason = null;
  if (!existsSync(CHROMIUM)) {
    reason = `${CHROMIUM} is not installed (apt-get install chromium)`;
  } else if (!existsSync(JAR)) {
    reason = `${JAR} is missing (mvn -B -DskipTests package)`;
  } else if (!existsSync(javaBinary())) {
    reason = `no Java 21+ at ${javaBinary()} (set JAVA_HOME)`;
  } else {
    try {
      await import('playwright-core');
    } catch {
      reason = 'playwright-core is not installed (cd e2e && npm ci)';
    }
  }
  if (reason && IN_CI) {
    throw new Error(`${reason}; .ci/run should have provided it`);
  }
  return reason ? `skipped: ${reason}` : null;
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export function artifact(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export function javaBinary() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java';
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts one ml-app replica from the built jar on a free loopback port and waits until /readyz is green. */
export async function startReplica({ podName, extraArgs = [], readyTimeoutMs = 180_000 }) {
  const port = await freePort();
  const log = createWriteStream(artifact(`server-${podName}.log`));
  const child = spawn(javaBinary(), ['-jar', JAR, 'serve', '--host', '127.0.0.1', '--port', String(port),
    '--pod-name', podName, '--drain-timeout', '2s', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`ml-app exited with ${child.exitCode} before it was ready; see ${artifact(`server-${podName}.log`)}`);
    }
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.status === 200) {
        return {
          url,
          /** Sends SIGTERM and returns at once: the replica drains (its /readyz turns red) and then exits. */
          terminate: () => child.kill('SIGTERM'),
          /** Stops it: SIGTERM (a graceful drain), or SIGKILL when it was already told to terminate. */
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill(child.killed ? 'SIGKILL' : 'SIGTERM');
              await exited;
            }
          },
        };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`ml-app was not ready within ${readyTimeoutMs} ms`);
}

/** Runs a project script synchronously, its output saved as an artifact; throws when it fails. */
export function runScript(args, logName, env = {}) {
  const result = spawnSync('bash', args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, encoding: 'utf8',
    timeout: 300_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  createWriteStream(artifact(logName)).end(output);
  if (result.status !== 0) {
    throw new Error(`bash ${args.join(' ')} failed (${result.status ?? result.signal}):\n${output.slice(-2000)}`);
  }
  return output;
}

export const LOCAL_CLUSTER = join(PROJECT_ROOT, 'scripts', 'deploy', 'local-cluster.sh');

/** Why the five-replica cluster can't be started here (skip locally, error under CI=true), or null. */
export function missingClusterPrerequisite() {
  let reason = null;
  if (!existsSync(LOCAL_CLUSTER)) {
    reason = `${LOCAL_CLUSTER} is missing`;
  } else if (!existsSync('/usr/sbin/haproxy') && spawnSync('which', ['haproxy']).status !== 0) {
    reason = 'haproxy is not installed (apt-get install haproxy)';
  }
  if (reason && IN_CI) {
    throw new Error(`${reason}; .ci/run should have provided it`);
  }
  return reason ? `skipped: ${reason}` : null;
}

async function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A run of `count` consecutive free loopback ports (the cluster script numbers replicas from a base port). */
export async function freePortRange(count) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) {
      return base;
    }
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/**
 * scripts/deploy/local-cluster.sh: five replicas behind HAProxy in TCP round-robin mode, the local stand-in for a
 * Kubernetes Service. Each replica closes a connection after one reply, so every browser request is a new
 * connection and is balanced on its own.
 */
export async function startCluster({ replicas = 5 } = {}) {
  const port = await freePort();
  const basePort = await freePortRange(replicas);
  const runDir = artifact('local-cluster');
  const env = { ML_APP_JAR: JAR, JAVA: javaBinary() };
  const common = ['--run-dir', runDir];
  runScript([LOCAL_CLUSTER, 'up', '--replicas', String(replicas), '--port', String(port), '--base-port',
    String(basePort), '--max-requests-per-connection', '1', ...common], 'local-cluster-up.log', env);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => runScript([LOCAL_CLUSTER, 'down', ...common], 'local-cluster-down.log', env),
  };
}
