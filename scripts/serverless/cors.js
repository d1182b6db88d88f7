'use strict';

// The API's CORS policy (shared/cors.py) for API Gateway and for scripts/dev alike.
//
// ${cors:httpApi} resolves to provider.httpApi.cors: `python3 -m shared.cors` reads
// CORS_ALLOWED_ORIGINS, checks every origin with shared/config.py (the check each
// function's cold start makes) and prints the object, or `false` when no origin is allowed.
// A malformed origin fails the command that reads serverless.yml, naming the setting. The
// stage `local` gets operations.md's local default origins; every other stage goes to AWS,
// where unset means no browser at all.
//
// serverless-offline 13 answers CORS on its own: whatever httpApi.cors says, it reflects
// any Origin into Access-Control-Allow-Origin on every non-preflight answer (its
// src/events/http/HttpServer.js, onPreResponse), so a browser on any site could call the
// local API. For `offline start` this plugin hides httpApi.cors from it (so neither it nor
// hapi's route-level cors applies a policy) and takes over on its HTTP server, as API
// Gateway does: a preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered 204 without reaching a function, and every answer loses the CORS headers
// serverless-offline added and gets the policy's own, only for an allowed origin.

const { execFileSync } = require('node:child_process');
const { LOCAL_STAGE } = require('./local-stage');

const PYTHON = 'python3';

class Cors {
  constructor(serverless) {
    this.serverless = serverless;
    this.policy = false;
    this.configurationVariablesSources = {
      cors: { resolve: (source) => this.resolve(source) },
    };
    this.hooks = {
      'before:offline:start:init': () => this.takePolicyFromOffline(),
      'after:offline:start:init': () => this.applyPolicyOnOffline(),
      'before:offline:start': () => this.refusePlainOffline(),
    };
  }

  async resolve({ address, resolveVariable }) {
    if (address !== 'httpApi') {
      throw new this.serverless.classes.Error(`cors: unknown address "${address}" (httpApi)`);
    }
    const stage = await resolveVariable('sls:stage');
    const args = ['-m', 'shared.cors', ...(stage === LOCAL_STAGE ? [] : ['--deployed'])];
    try {
      const output = execFileSync(PYTHON, args, {
        cwd: this.serverless.serviceDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { value: JSON.parse(output) };
    } catch (error) {
      const reason = (error.stderr || error.message).trim();
      throw new this.serverless.classes.Error(`cors: ${reason}`);
    }
  }

  takePolicyFromOffline() {
    const httpApi = this.serverless.service.provider.httpApi || {};
    this.policy = httpApi.cors || false;
    httpApi.cors = false;
  }

  applyPolicyOnOffline() {
    const offline = this.serverless.pluginManager.plugins.find(
      (plugin) => plugin.constructor.name === 'ServerlessOffline'
    );
    const server = offline && offline.internals && offline.internals().getApiGatewayServer();
    if (!server || typeof server.ext !== 'function') {
      // Fail loudly rather than serve with serverless-offline's reflect-any-origin CORS.
      throw new this.serverless.classes.Error(
        'cors: serverless-offline no longer exposes internals().getApiGatewayServer(); ' +
          'update scripts/serverless/cors.js.'
      );
    }
    server.ext('onRequest', (request, h) =>
      this.policy && isPreflight(request) ? h.response().code(204).takeover() : h.continue
    );
    server.ext('onPreResponse', (request, h) => {
      const response = request.response.isBoom ? request.response.output : request.response;
      for (const name of Object.keys(response.headers)) {
        if (name.toLowerCase().startsWith('access-control-')) delete response.headers[name];
      }
      Object.assign(response.headers, this.headersFor(request));
      // serverless-offline turns any OPTIONS with an Origin into a 200.
      if (this.policy && isPreflight(request)) response.statusCode = 204;
      return h.continue;
    });
  }

  // The headers of shared/cors.py's cors_headers, as API Gateway sends them.
  headersFor(request) {
    const { origin } = request.headers;
    if (!this.policy || !origin) return {};
    const anyOrigin = this.policy.allowedOrigins.length === 1 && this.policy.allowedOrigins[0] === '*';
    if (!anyOrigin && !this.policy.allowedOrigins.includes(origin)) return {};
    const headers = { 'access-control-allow-origin': anyOrigin ? '*' : origin };
    if (isPreflight(request)) {
      headers['access-control-allow-methods'] = this.policy.allowedMethods.join(',');
      headers['access-control-allow-headers'] = this.policy.allowedHeaders.join(',');
      headers['access-control-max-age'] = String(this.policy.maxAge);
    } else {
      headers['access-control-expose-headers'] = this.policy.exposedResponseHeaders.join(',');
    }
    return headers;
  }

  refusePlainOffline() {
    throw new this.serverless.classes.Error(
      'cors: serve with `serverless offline start` (scripts/dev), whose init step lets ' +
        'scripts/serverless/cors.js apply the CORS policy; plain `serverless offline` would ' +
        "answer every origin with serverless-offline's own."
    );
  }
}

function isPreflight(request) {
  return (
    request.method === 'options' &&
    Boolean(request.headers.origin) &&
    Boolean(request.headers['access-control-request-method'])
  );
}

module.exports = Cors;
