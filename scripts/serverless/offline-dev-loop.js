'use strict';

// The edit-and-try loop of scripts/dev on top of serverless-offline 13: code reloads on
// save, every HTTP function is warm before "ready" and again after each reload, and the
// schedule runs once (scripts/local_cloud.py's). Only `sls offline start` is touched.
//
// Reload. serverless-offline keeps one python process per function (invoke.py imports the
// handler once, then serves requests over stdin). Its own `reloadHandler` option starts a
// new process for every request instead: each request a cold start of a second or more,
// and each old process left running until it has idled for `terminateIdleLambdaTime`.
// Here a process is retired only when a .py file it may have imported changed: the
// handlers, and the `shared` package, which the functions import from the source tree
// (scripts/setup's .pth file), so editing the layer reloads too. serverless-offline's
// pool keeps its instances private; it picks an instance by reading its public `status`,
// so a retired one is given the status RETIRED, its process is stopped, and the pool
// starts a fresh one. Routing stays serverless.yml's; a change to serverless.yml itself
// still needs a restart.
//
// Warm-up. After start and after each reload, a GET of each route without parameters of
// every HTTP function (from serverless.yml), so no request of the developer's pays the
// import of Flask, SQLAlchemy and pydantic, or a route's own lazy imports.
//
// Schedule. housekeeping's `schedule` event would fire in serverless-offline every five
// minutes while scripts/local_cloud.py runs it every SHOP_HOUSEKEEPING_SECONDS; the event is
// dropped here, for offline only, so the one that can be tuned is the one that runs.

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

// The directories whose Python modules the local functions import (see above).
const SOURCES = ['handlers', 'shared'];
// Editors save in bursts (a temporary file, a rename, a chmod): one reload for all of it.
const SETTLE_MS = 300;
// A function whose module fails to import answers 500 at once (offline-init-errors.js);
// one that hangs while importing would hold the warm-up, which moves on after this.
const WARM_UP_TIMEOUT_MS = 30_000;

class OfflineDevLoop {
  constructor(serverless, cliOptions) {
    this.serverless = serverless;
    this.cliOptions = cliOptions;
    this.generation = 0;
    this.bornIn = new WeakMap();
    this.running = new Set();
    this.hooks = {
      'before:offline:start:init': () => this.prepare(),
      'after:offline:start:init': () => this.start(),
    };
  }

  async prepare() {
    this.warmUpRoutes = warmUpRoutes(this.serverless.service.functions);
    this.leaveSchedulesToLocalCloud();
    await this.retireStaleInstances();
  }

  async start() {
    await this.warmUp();
    this.watchSources();
    const url = `http://localhost:${this.httpPort()}`;
    console.log(`==> ready on ${url}: functions reload when a file under ${SOURCES.join('/ or ')}/ changes`);
  }

  leaveSchedulesToLocalCloud() {
    for (const [name, definition] of Object.entries(this.serverless.service.functions)) {
      const events = definition.events || [];
      definition.events = events.filter((event) => !event.schedule);
      if (definition.events.length < events.length) {
        console.log(`    ${name}: its schedule runs in scripts/local_cloud.py (SHOP_HOUSEKEEPING_SECONDS)`);
      }
    }
  }

  // The pool hands out any IDLE instance of a function; one older than the newest change
  // is retired instead, and the pool asked again until it makes a new one.
  async retireStaleInstances() {
    const file = path.join(
      this.serverless.serviceDir,
      'node_modules/serverless-offline/src/lambda/LambdaFunctionPool.js'
    );
    const { default: LambdaFunctionPool } = await import(pathToFileURL(file).href);
    if (typeof LambdaFunctionPool?.prototype?.get !== 'function') {
      throw new this.serverless.classes.Error(
        'offline-dev-loop: serverless-offline no longer has LambdaFunctionPool#get; ' +
          'update scripts/serverless/offline-dev-loop.js.'
      );
    }
    const original = LambdaFunctionPool.prototype.get;
    if (original.devLoop) return;
    const loop = this;
    const get = function get(functionKey, functionDefinition) {
      for (;;) {
        const instance = original.call(this, functionKey, functionDefinition);
        if (!loop.isStale(instance)) return instance;
        loop.retire(instance);
      }
    };
    get.devLoop = true;
    LambdaFunctionPool.prototype.get = get;
  }

  isStale(instance) {
    if (!this.bornIn.has(instance)) {
      this.bornIn.set(instance, this.generation);
      this.running.add(instance);
    }
    return this.bornIn.get(instance) < this.generation;
  }

  retire(instance) {
    Object.defineProperty(instance, 'status', { value: 'RETIRED' });
    this.running.delete(instance);
    // An instance that never ran has no process yet: nothing to stop.
    Promise.resolve()
      .then(() => instance.cleanup())
      .catch(() => {});
  }

  reload(changed) {
    this.generation += 1;
    for (const instance of this.running) {
      // A busy one finishes its request first; the pool retires it when it is next picked.
      if (instance.status === 'IDLE') this.retire(instance);
    }
    console.log(`==> ${changed} changed: functions restart with the new code`);
    return this.warmUp();
  }

  // One watch per directory rather than Node's recursive one, which follows files by
  // inode and so misses the second save of an editor that saves by renaming a new file
  // over the old one (vim, sed -i, most IDEs).
  watchSources() {
    const watched = new Set();
    let timer = null;
    let changed = new Set();
    const settled = () => {
      const files = [...changed].sort().join(', ');
      changed = new Set();
      watchAll();
      this.reload(files);
    };
    const watchAll = () => {
      for (const source of SOURCES) {
        for (const directory of directories(path.join(this.serverless.serviceDir, source))) {
          if (watched.has(directory)) continue;
          watched.add(directory);
          fs.watch(directory, (_, filename) => {
            if (!filename || !filename.endsWith('.py')) return;
            changed.add(path.relative(this.serverless.serviceDir, path.join(directory, filename)));
            clearTimeout(timer);
            timer = setTimeout(settled, SETTLE_MS);
          }).on('error', () => watched.delete(directory));
        }
      }
    };
    watchAll();
  }

  httpPort() {
    const offline = this.serverless.service.custom?.['serverless-offline'] || {};
    return this.cliOptions.httpPort || offline.httpPort || 3000;
  }

  async warmUp() {
    const started = Date.now();
    const base = `http://localhost:${this.httpPort()}`;
    // Functions side by side; each one's routes in turn, so one process serves them all.
    const failures = await Promise.all(
      this.warmUpRoutes.map(async ({ functionKey, routes }) => {
        for (const route of routes) {
          const failure = await warmUpRequest(`${base}${route}`);
          if (failure) return `${functionKey} (${route}: ${failure})`;
        }
        return null;
      })
    );
    const names = this.warmUpRoutes.map(({ functionKey }) => functionKey).join(', ');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`    warm in ${seconds} s: ${names}`);
    const failed = failures.filter(Boolean);
    if (failed.length) {
      console.log(`    could not warm ${failed.join(', ')}: see the function's error above`);
    }
  }
}

async function warmUpRequest(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(WARM_UP_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.status < 500 ? null : String(response.status);
  } catch (error) {
    return error.cause?.code || error.name;
  }
}

function directories(root) {
  const found = [root];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== '__pycache__') {
      found.push(...directories(path.join(root, entry.name)));
    }
  }
  return found;
}

// Per HTTP function, a GET of each of its routes without path parameters, from
// serverless.yml: cheap (a 405 for a POST-only route, a 401 without a token), and each
// runs its route's lazy imports too. Read before serverless-offline rewrites the events.
function warmUpRoutes(functions) {
  const all = [];
  for (const [functionKey, definition] of Object.entries(functions)) {
    const routes = (definition.events || [])
      .map((event) => event.httpApi?.path)
      .filter((route) => route && route !== '*' && !route.includes('{'));
    if (routes.length) all.push({ functionKey, routes });
  }
  return all;
}

module.exports = OfflineDevLoop;
