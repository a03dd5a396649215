// `npm run package`: the release tarball exactly as `npm pack` makes it (what `npm publish`
// would upload), written to the git-ignored release/ folder with its SHA-256 beside it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RELEASE_DIR = join(ROOT, 'release');

mkdirSync(RELEASE_DIR, { recursive: true });
const [packed] = JSON.parse(
	execFileSync('npm', ['pack', '--json', '--pack-destination', RELEASE_DIR], {
		cwd: ROOT,
		encoding: 'utf8',
	}),
);
const tarball = join(RELEASE_DIR, packed.filename);
const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
// The format `sha256sum -c` checks.
writeFileSync(`${tarball}.sha256`, `${sha256}  ${packed.filename}\n`);

console.log(`${relative(process.cwd(), tarball) || tarball}`);
console.log(`  ${packed.name}@${packed.version}: ${packed.entryCount} files, ${packed.size} bytes`);
console.log(`  sha256 ${sha256}`);
console.log(`Install it into n8n: see README.md, "Installation".`);
