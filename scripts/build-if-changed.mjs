// Builds what `npm start` runs, skipping each build whose inputs have not changed since it last
// ran: the package (dist/) and the compiled scripts and sandbox (build/). A second `npm start`
// with nothing changed then costs a hash of the sources instead of two TypeScript builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
/** Kept in node_modules, so that a fresh `npm ci` builds everything again. */
const DIGESTS = join(ROOT, 'node_modules', '.cache', 'n8n-nodes-imbrace', 'build-inputs.json');

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const builds = [
	{
		name: 'package',
		doing: 'Building the package (tsc and the icons, into dist/)',
		inputs: ['nodes', 'credentials', 'icons', 'package.json', 'tsconfig.json', 'gulpfile.js'],
		outputs: [...manifest.n8n.nodes, ...manifest.n8n.credentials],
		command: ['npm', ['run', 'build', '--silent']],
	},
	{
		name: 'scripts',
		doing: 'Compiling the scripts and the sandbox (into build/)',
		inputs: ['scripts', 'test', 'nodes', 'credentials', 'tsconfig.json', 'tsconfig.test.json'],
		outputs: ['build/scripts/start.js'],
		command: [process.execPath, [tsc, '-p', 'tsconfig.test.json']],
	},
];

function filesOf(path) {
	const full = join(ROOT, path);
	if (!existsSync(full)) return [];
	if (!statSync(full).isDirectory()) return [path];
	return readdirSync(full, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile())
		.map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

function digestOf(inputs) {
	const hash = createHash('sha256');
	for (const file of inputs.flatMap(filesOf).sort())
		hash
			.update(file)
			.update('\0')
			.update(readFileSync(join(ROOT, file)))
			.update('\0');
	return hash.digest('hex');
}

const digests = existsSync(DIGESTS) ? JSON.parse(readFileSync(DIGESTS, 'utf8')) : {};
for (const build of builds) {
	const digest = digestOf(build.inputs);
	const built = build.outputs.every((output) => existsSync(join(ROOT, output)));
	if (built && digests[build.name] === digest) {
		console.log(`> ${build.doing.replace(/ \(.*/, '')}: unchanged, skipped`);
		continue;
	}
	console.log(`> ${build.doing}`);
	const [command, args] = build.command;
	const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
	if (result.status !== 0) {
		process.stdout.write(result.stdout ?? '');
		process.stderr.write(result.stderr ?? '');
		console.error(`> ${build.doing} failed`);
		process.exit(1);
	}
	digests[build.name] = digest;
	mkdirSync(dirname(DIGESTS), { recursive: true });
	writeFileSync(DIGESTS, `${JSON.stringify(digests, null, '\t')}\n`);
}
