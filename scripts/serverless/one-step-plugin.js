'use strict';

// The frame of a local plugin that does one thing at some points of osls' lifecycle:
// `step(serverless)` runs on each of `events` (`before:package:compileLayers`, ...).
//
// osls names a plugin after its class (in its logs, and in its errors about hooks), so
// each plugin made here keeps a name of its own.

function oneStepPlugin(name, events, step) {
  class Plugin {
    constructor(serverless) {
      this.hooks = Object.fromEntries(events.map((event) => [event, () => step(serverless)]));
    }
  }
  Object.defineProperty(Plugin, 'name', { value: name });
  return Plugin;
}

module.exports = { oneStepPlugin };
