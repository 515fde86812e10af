#!/usr/bin/env node
// The `relay` command runs the TypeScript sources directly through tsx's loader.
// The AWS SDK's notice that its later releases need Node 22 is for deployers, not for each command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })
  .then((code) => {
    process.exitCode = code;
  });
