'use strict';

// Keeps scripts/dev's emulation away from AWS.
//
// Why: serverless.yml's `params.local` points the functions at the emulated queue on
// 127.0.0.1, and the stage `local` gets the local CORS origins (localhost). A template
// packaged or deployed for that stage would ship those values to Lambda and API Gateway.
//
// What: `package`, `deploy` and `deploy function` fail for the stage `local`; scripts/dev,
// `invoke local` and `print` use it as before.

const LOCAL_STAGE = 'local';

class LocalStage {
  constructor(serverless) {
    this.serverless = serverless;
    const refuse = () => this.refuseLocalStage();
    this.hooks = {
      'before:package:initialize': refuse,
      'before:deploy:deploy': refuse,
      'before:deploy:function:initialize': refuse,
    };
  }

  refuseLocalStage() {
    if (this.serverless.service.provider.stage !== LOCAL_STAGE) return;
    throw new this.serverless.classes.Error(
      `The stage "${LOCAL_STAGE}" is scripts/dev's emulation on this machine and is never ` +
        'packaged or deployed: pass --stage with the name of a real stage (README, "Deploy to AWS").'
    );
  }
}

module.exports = LocalStage;
module.exports.LOCAL_STAGE = LOCAL_STAGE;
