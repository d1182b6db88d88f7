// Sends events to one Python function through serverless-offline's own runner, as
// `sls offline start` does, with the shop's plugin for ended processes in place; prints
// each answer and how long it took, one JSON line per event.
//
// node offline_runner.mjs <project root> <module.handler> <events>  (in the module's directory)

import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, handler, events] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const OfflineInitErrors = require(path.join(root, 'scripts/serverless/offline-init-errors.js'));
await new OfflineInitErrors({}).hooks['before:offline:start:init']();

const runnerFile = 'node_modules/serverless-offline/src/lambda/handler-runner/python-runner/index.js';
const { default: PythonRunner } = await import(pathToFileURL(path.join(root, runnerFile)).href);
const runner = new PythonRunner({ handler, runtime: 'python3.12' }, {});
for (let event = 0; event < Number(events); event += 1) {
  const started = performance.now();
  const answer = await runner.run({ event }, {});
  console.log(JSON.stringify({ answer, seconds: (performance.now() - started) / 1000 }));
}
runner.cleanup();
