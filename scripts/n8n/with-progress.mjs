// Runs one command and prints a line every 20 seconds while it runs, so that a long step whose own
// output is turned down (an npm install with --loglevel=error) never looks stuck. A separate
// process because runtime.ts installs synchronously, which leaves it no event loop for a timer.
//
//   node with-progress.mjs "<what is going on>" <command> [arguments...]
import { spawn } from 'node:child_process';

const INTERVAL_MS = 20_000;
const [doing, command, ...args] = process.argv.slice(2);
const started = Date.now();

function elapsed() {
	const seconds = Math.round((Date.now() - started) / 1000);
	return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

const child = spawn(command, args, { stdio: 'inherit' });
const ticker = setInterval(() => console.log(`${doing}, ${elapsed()} so far`), INTERVAL_MS);
child.on('error', (error) => {
	clearInterval(ticker);
	console.error(`${command}: ${error.message}`);
	process.exit(1);
});
child.on('exit', (code, signal) => {
	clearInterval(ticker);
	process.exit(code ?? (signal ? 1 : 0));
});
