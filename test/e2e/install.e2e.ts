// The release tarball of `npm run package`, installed the ways README.md's "Installation"
// describes, each checked by running an example in real n8n 2.x.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { N8nInstance } from '../../scripts/n8n/instance';
import { cli, execute } from '../../scripts/n8n/instance';
import { ROOT } from '../../scripts/n8n/runtime';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { prepareN8n, startByHand } from './n8n';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	version: string;
};
const TARBALL = join(ROOT, 'release', `n8n-nodes-imbrace-${version}.tgz`);

describe('the release tarball, installed as README.md says', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let nodesDir: string;

	beforeAll(async () => {
		execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs')], { cwd: ROOT });
		sandbox = await startSandbox();
		n8n = await prepareN8n(2, sandbox, startByHand);
		nodesDir = join(n8n.userFolder, '.n8n', 'nodes');
	});
	beforeEach(() => rmSync(nodesDir, { recursive: true, force: true }));
	afterAll(async () => sandbox?.close());

	it('npm run package writes the tarball and its SHA-256', () => {
		const [sha256, name] = readFileSync(`${TARBALL}.sha256`, 'utf8').trim().split(/\s+/);
		expect(name).toBe(`n8n-nodes-imbrace-${version}.tgz`);
		expect(createHash('sha256').update(readFileSync(TARBALL)).digest('hex')).toBe(sha256);
	});

	it('works installed with npm into the nodes folder (no copy of n8n-workflow beside it)', async () => {
		execFileSync('npm', ['install', '--prefix', nodesDir, '--legacy-peer-deps', TARBALL], {
			cwd: n8n.userFolder,
			stdio: 'ignore',
		});

		expect((await execute(n8n, 'imbraceEscalate1')).status).toBe('success');
		expect(() =>
			readFileSync(join(nodesDir, 'node_modules', 'n8n-workflow', 'package.json')),
		).toThrow();
	});

	it('works unpacked into the nodes folder, as for a Docker volume or a queue-mode worker', async () => {
		const target = join(nodesDir, 'node_modules', 'n8n-nodes-imbrace');
		mkdirSync(target, { recursive: true });
		execFileSync('tar', ['-xzf', TARBALL, '-C', target, '--strip-components=1']);

		expect((await execute(n8n, 'imbraceEscalate1')).status).toBe('success');
	});

	it('without it, n8n fails the workflow with "Unrecognized node type"', async () => {
		const result = await cli(n8n, ['execute', '--id=imbraceEscalate1', '--rawOutput']);

		expect(result.code).not.toBe(0);
		expect(result.stdout + result.stderr).toContain(
			'Unrecognized node type: n8n-nodes-imbrace.imbrace',
		);
	});
});
