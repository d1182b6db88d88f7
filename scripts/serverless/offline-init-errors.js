'use strict';

// A function whose process has ended answers as Lambda does after a failed init: a 500,
// at once, instead of a request that never ends.
//
// Why: serverless-offline 13 runs each Python function in one process (its invoke.py
// imports the handler, then reads one event per line of stdin) and waits for that process
// to print the answer. A handler module that fails to import (a typo while adding a
// resource) ends the process before it prints anything, and the request waited forever:
// scripts/dev starts offline with --noTimeout, so a breakpoint can take its time. Lambda
// answers an init failure with a 500, `{"message": "Internal Server Error"}` from API
// Gateway, and the function's traceback in its log.
//
// What: the python processes serverless-offline starts for invoke.py are watched. Once
// one has ended, the event it was sent, and each one sent to it after, is answered with
// that 500 on the line serverless-offline reads; the traceback is already in the output
// (the process's stderr). A saved file makes scripts/dev start a new process
// (offline-dev-loop.js). Only `sls offline start` is touched.

const childProcess = require('node:child_process');
const { syncBuiltinESMExports } = require('node:module');
const { oneStepPlugin } = require('./one-step-plugin');

const INVOKE_PY = 'invoke.py';
const INIT_FAILURE = JSON.stringify({
  __offline_payload__: {
    statusCode: 500,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'Internal Server Error' }),
  },
});

function watchFunctionProcesses() {
  const spawn = childProcess.spawn;
  if (spawn.watchesFunctions) return;
  const watching = function watching(command, args, ...rest) {
    const child = spawn.call(this, command, args, ...rest);
    if (Array.isArray(args) && args.some((arg) => String(arg).endsWith(INVOKE_PY))) {
      answerWhenEnded(child);
    }
    return child;
  };
  watching.watchesFunctions = true;
  childProcess.spawn = watching;
  // serverless-offline imports `spawn` as an ES module binding; this makes it see ours.
  syncBuiltinESMExports();
}

function answerWhenEnded(child) {
  let ended = false;
  // serverless-offline reads the answer through the readline interface it hangs on
  // stdout once spawn returns; a request waiting for its answer listens to it.
  const answer = () => {
    const lines = child.stdout.readline;
    if (lines && lines.listenerCount('line') > 0) lines.emit('line', INIT_FAILURE);
  };
  // 'close' comes after the last of its output has been read: an answer it printed first wins.
  child.on('close', () => {
    ended = true;
    answer();
  });
  const write = child.stdin.write.bind(child.stdin);
  child.stdin.write = (chunk, ...rest) => {
    if (!ended) return write(chunk, ...rest);
    // Each event is its JSON, then a newline; writing to an ended process would only fail.
    if (chunk === '\n') setImmediate(answer);
    return true;
  };
}

module.exports = oneStepPlugin(
  'OfflineInitErrors',
  ['before:offline:start:init'],
  watchFunctionProcesses
);
