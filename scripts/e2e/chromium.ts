// Debian's Chromium for the browser check: Playwright's own browser download cannot work here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(): string {
	if (existsSync(CHROMIUM)) return CHROMIUM;
	console.log('[e2e] installing Debian chromium for the browser check');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () =>
		spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
			stdio: 'inherit',
			env,
		}).status;
	if (install() !== 0) {
		spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
		if (install() !== 0) throw new Error('apt-get could not install chromium');
	}
	return CHROMIUM;
}

if (require.main === module) ensureChromium();
