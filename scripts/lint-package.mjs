// Lints the package exactly as n8n's verification scanner lints a published version's
// tarball: pack it, unpack it, and run the scanner's rules over its JavaScript and package.json
// with inline configuration (eslint-disable comments) ignored.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';

import { scannerConfig } from '../eslint.config.mjs';

const workDir = mkdtempSync(join(tmpdir(), 'imbrace-pack-'));
try {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], { encoding: 'utf8' }),
	);
	const packageDir = join(workDir, 'package');
	execFileSync('tar', ['-xzf', join(workDir, packed.filename), '-C', workDir]);

	const eslint = new ESLint({
		cwd: packageDir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: scannerConfig,
	});
	const results = await eslint.lintFiles(['**/*.js', 'package.json']);
	const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
	const output = await (await eslint.loadFormatter('stylish')).format(results);
	if (output) console.log(output);
	console.log(
		`Packed tarball ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes, ` +
			`${results.length} linted, ${errors} errors.`,
	);
	if (errors > 0) process.exitCode = 1;
} finally {
	rmSync(workDir, { recursive: true, force: true });
}
