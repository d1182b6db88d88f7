'use strict';

// Keeps scripts/dev's emulation away from AWS.
//
// Why: serverless.yml's `params.local` points the functions at the emulated queue on
// 127.0.0.1, and the stage `local` gets the local CORS origins (localhost). A template
// packaged or deployed for that stage would ship those values to Lambda and API Gateway.
//
// What: `package`, `deploy` and `deploy function` fail for the stage `local`; scripts/dev,
// `invoke local` and `print` use it as before.

const { oneStepPlugin } = require('./one-step-plugin');

const LOCAL_STAGE = 'local';

function refuseLocalStage(serverless) {
  if (serverless.service.provider.stage !== LOCAL_STAGE) return;
  throw new serverless.classes.Error(
    `The stage "${LOCAL_STAGE}" is scripts/dev's emulation on this machine and is never ` +
      'packaged or deployed: pass --stage with the name of a real stage (README, "Deploy to AWS").'
  );
}

module.exports = oneStepPlugin(
  'LocalStage',
  ['before:package:initialize', 'before:deploy:deploy', 'before:deploy:function:initialize'],
  refuseLocalStage
);
module.exports.LOCAL_STAGE = LOCAL_STAGE;
