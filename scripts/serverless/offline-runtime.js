'use strict';

// Lets serverless-offline 13 serve functions on python3.12, Lambda's runtime for the shop.
//
// Why: serverless-offline 13 keeps a list of the runtimes it knows by name (its
// src/config/supportedRuntimes.js ends at python3.11) and refuses any other, although its
// Python runner only starts `python3` from PATH: here the venv's, which is 3.12 (see
// scripts/setup). Newer releases that know 3.12 need Serverless v4.
//
// What: before `offline start` loads the functions, the provider's runtime is added to
// that list, so serverless.yml names the one runtime Lambda runs, with no environment
// variable in between. Nothing changes for `package` or `deploy`.

const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { oneStepPlugin } = require('./one-step-plugin');

async function acceptProviderRuntime(serverless) {
  const runtime = serverless.service.provider.runtime;
  // The package's exports hide this module; its file URL is the very module instance
  // serverless-offline imports itself, so adding to its sets is seen there.
  const file = path.join(
    serverless.serviceDir,
    'node_modules/serverless-offline/src/config/supportedRuntimes.js'
  );
  const runtimes = await import(pathToFileURL(file).href);
  if (!runtimes.supportedPython || !runtimes.supportedRuntimes) {
    throw new serverless.classes.Error(
      'offline-runtime: serverless-offline no longer exports supportedPython and ' +
        'supportedRuntimes; update scripts/serverless/offline-runtime.js.'
    );
  }
  if (runtime.startsWith('python')) {
    runtimes.supportedPython.add(runtime);
    runtimes.supportedRuntimes.add(runtime);
  }
}

module.exports = oneStepPlugin(
  'OfflineRuntime',
  ['before:offline:start:init', 'before:offline:start'],
  acceptProviderRuntime
);
