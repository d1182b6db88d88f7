'use strict';

// ${httpHandlers:files}: the files of every HTTP function's handler module, for meta.
//
// meta documents every HTTP function (handlers/meta.py imports each route module it is
// packaged with), so its package must carry exactly those modules. Rather than a second
// list to keep in step with `functions`, the list is read off serverless.yml itself: a
// function is an HTTP function when one of its events is `httpApi`; each contributes its
// handler module and the byte code scripts/build_layer compiles for it.

const PYTHON_TAG = 'cpython-312';

class HttpHandlers {
  constructor(serverless) {
    this.serverless = serverless;
    this.configurationVariablesSources = {
      httpHandlers: { resolve: (source) => this.resolve(source) },
    };
  }

  resolve({ address }) {
    if (address !== 'files') {
      throw new this.serverless.classes.Error(`httpHandlers: unknown address "${address}" (files)`);
    }
    // The raw configuration: resolving `functions` would resolve this variable again.
    const functions = this.serverless.configurationInput.functions || {};
    const modules = Object.values(functions)
      .filter((fn) => (fn.events || []).some((event) => event && 'httpApi' in event))
      .map((fn) => fn.handler.slice(0, fn.handler.lastIndexOf('.')));
    const files = ['handlers/__init__', ...modules].flatMap((module) => {
      const slash = module.lastIndexOf('/');
      const [dir, name] = [module.slice(0, slash), module.slice(slash + 1)];
      return [`${module}.py`, `${dir}/__pycache__/${name}.${PYTHON_TAG}.pyc`];
    });
    return { value: files };
  }
}

module.exports = HttpHandlers;
