// Debian's Chromium for the browser check: Playwright's own browser download cannot work here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import type { Page } from 'playwright-core';

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

/** The few browser APIs `settle` uses (the project compiles without the DOM's types). */
interface SettlingDocument {
	fonts: { ready: Promise<unknown> };
	getAnimations(): Array<{
		playState: string;
		finished: Promise<unknown>;
		effect: { getTiming(): { iterations?: number } } | null;
	}>;
}

/**
 * Waits until the page looks the way it will stay: its fonts loaded and no CSS animation or
 * transition running (endless ones, such as spinners, aside), at most `timeoutMs`. For
 * screenshots that show the page, not a frame of a fade-in.
 */
export async function settle(page: Page, timeoutMs = 5000): Promise<void> {
	await page.evaluate(async (timeout) => {
		const { document } = globalThis as unknown as { document: SettlingDocument };
		await document.fonts.ready;
		const deadline = Date.now() + timeout;
		for (;;) {
			const running = document
				.getAnimations()
				.filter(
					(animation) =>
						animation.playState === 'running' &&
						animation.effect?.getTiming().iterations !== Infinity,
				);
			if (running.length === 0 || Date.now() > deadline) break;
			await Promise.race([
				Promise.all(running.map((animation) => animation.finished.catch(() => undefined))),
				new Promise((resolve) => setTimeout(resolve, 250)),
			]);
		}
	}, timeoutMs);
	// Two frames, so that what the last animation left is painted.
	await page.evaluate(
		() =>
			new Promise((resolve) => {
				const { requestAnimationFrame: nextFrame } = globalThis as unknown as {
					requestAnimationFrame(callback: () => void): void;
				};
				nextFrame(() => nextFrame(() => resolve(undefined)));
			}),
	);
}

if (require.main === module) ensureChromium();
