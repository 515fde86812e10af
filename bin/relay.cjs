#!/usr/bin/env node
// The `relay` command runs the TypeScript sources directly through tsx's loader.
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })
  .then((code) => {
    process.exitCode = code;
  });
