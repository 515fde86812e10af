#!/usr/bin/env node
// The `relay` command: in a clone of the repository it runs the TypeScript sources through tsx's
// loader, so that an edit shows at once; installed from the package, the compiled JavaScript of lib/.
// The AWS SDK's notice that its later releases need Node 22 is for deployers, not for each command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { existsSync } = require('node:fs');
const path = require('node:path');

const sources = path.join(__dirname, '..', 'cli', 'main.ts');
if (existsSync(sources)) require('tsx/cjs');
require(existsSync(sources) ? sources : path.join(__dirname, '..', 'lib', 'cli', 'main.js'))
  .main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })
  .then((code) => {
    process.exitCode = code;
  });
