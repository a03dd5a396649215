// The queue-mode cluster's safety net, a process of its own: when the process that started the
// cluster dies without tearing it down (Ctrl+C under Jest, whose test code cannot handle
// signals; a crash; SIGKILL), it stops the process groups listed in <folder>/processes.json
// and removes the folder. It ends as soon as a normal teardown removes the list.
// Usage: node reaper.mjs <parent pid> <cluster folder> <keep folder: 0 or 1>
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [parentPid, dir, keep] = process.argv.slice(2);
const registry = join(dir, 'processes.json');

const alive = (pid) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};
const signalGroup = (pid, signal) => {
	try {
		process.kill(-pid, signal);
	} catch {
		// The group is gone already.
	}
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

while (existsSync(registry) && alive(Number(parentPid))) await sleep(500);

if (existsSync(registry)) {
	const groups = JSON.parse(readFileSync(registry, 'utf8'));
	for (const { pid, signal } of groups) signalGroup(pid, signal);
	// Orphaned n8n processes (their output pipes closed) may not finish a graceful stop.
	const deadline = Date.now() + 15_000;
	while (groups.some(({ pid }) => alive(pid)) && Date.now() < deadline) await sleep(200);
	for (const { pid } of groups) signalGroup(pid, 'SIGKILL');
	if (keep !== '1') rmSync(dir, { recursive: true, force: true });
}
