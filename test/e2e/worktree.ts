// The end-to-end run must leave the work tree as it found it: everything it writes (n8n user
// folders, screenshots, logs) belongs in git-ignored folders. Jest's global setup records
// `git status`, its global teardown compares.
import { spawnSync } from 'node:child_process';
import { relative, resolve } from 'node:path';

import { ROOT } from '../../scripts/n8n/runtime';

const BEFORE = Symbol.for('n8n-nodes-imbrace.worktree-before');
type WithBefore = typeof globalThis & { [BEFORE]?: string[] };

/** `git status --porcelain` as lines, or undefined outside a git work tree. */
export function worktreeStatus(): string[] | undefined {
	const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], {
		cwd: ROOT,
		encoding: 'utf8',
	});
	if (status.status !== 0) return undefined;
	return status.stdout.split('\n').filter(Boolean);
}

/** Changes the run may make on purpose: `npm run screenshots` refreshes the README's pictures. */
function intended(line: string): boolean {
	const chosen = process.env.IMBRACE_SCREENSHOTS_DIR;
	if (!chosen) return false;
	const folder = `${relative(ROOT, resolve(ROOT, chosen))}/`;
	return line.slice(3).startsWith(folder);
}

export function recordWorktree(): void {
	(globalThis as WithBefore)[BEFORE] = worktreeStatus();
}

export function checkWorktree(): void {
	const before = (globalThis as WithBefore)[BEFORE];
	const after = worktreeStatus();
	if (!before || !after) return;
	const changed = after.filter((line) => !before.includes(line) && !intended(line));
	const undone = before.filter((line) => !after.includes(line) && !intended(line));
	if (changed.length || undone.length) {
		throw new Error(
			'The end-to-end run changed the work tree (`git status --porcelain`):\n' +
				[
					...changed.map((line) => `  now:    ${line}`),
					...undone.map((line) => `  before: ${line}`),
				].join('\n'),
		);
	}
	console.log(`The work tree is as the run found it (${before.length} changes before and after).`);
}
