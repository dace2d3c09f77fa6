#!/usr/bin/env node
'use strict';
// Runs the compiled CLI. `npm ci` builds it (the "prepare" script); after editing sources run `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'main', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('trove: the CLI is not built yet. Run `npm run build` in ' + path.join(__dirname, '..') + ' and try again.');
  process.exit(2);
}
require(entry).runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error('trove: ' + (err && err.message ? err.message : String(err))); process.exitCode = 1; },
);
