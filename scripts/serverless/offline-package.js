'use strict';

// Lets `sls package` run without AWS: no credentials, no network (local builds, CI,
// tests/packaging).
//
// Why: once a service has a layer, osls 3 (lib/plugins/aws/package/compile/layers.js,
// AwsCompileLayers#compareWithLastLayer) asks CloudFormation for the deployed stack
// (DescribeStacks) while packaging, to find out whether an identical layer zip was
// uploaded before and can be reused instead of uploaded again. Offline that call fails
// (after several retries) and so does the whole `package` command.
//
// What: for the `package` command only, that comparison is skipped, and nothing else;
// the layer is still compiled and hashed as usual. `deploy` keeps it (a deploy has
// credentials anyway and profits from the reuse). The one cost: a later
// `sls deploy --package <dir>` uploads the layer and publishes a new version of it even
// when its content did not change.

const { oneStepPlugin } = require('./one-step-plugin');

function skipDeployedLayerComparison(serverless) {
  const [command] = serverless.processedInput.commands;
  if (command !== 'package') return;

  const compileLayers = serverless.pluginManager.plugins.find(
    (plugin) => plugin.constructor.name === 'AwsCompileLayers'
  );
  if (!compileLayers || typeof compileLayers.compareWithLastLayer !== 'function') {
    // Fail loudly rather than let packaging wait on AWS: osls changed its internals.
    throw new serverless.classes.Error(
      'offline-package: osls no longer has AwsCompileLayers#compareWithLastLayer; ' +
        'update scripts/serverless/offline-package.js for this osls version.'
    );
  }
  compileLayers.compareWithLastLayer = async () => {};
}

module.exports = oneStepPlugin(
  'OfflinePackage',
  ['before:package:compileLayers'],
  skipDeployedLayerComparison
);
