import type { RecordedRequest, Sandbox } from './server';

/**
 * Resolves with the next request the sandbox records that matches, or rejects after `ms`: how a
 * test of a running n8n waits for a poll or a send, without sleeping.
 */
export function nextRequest(
	sandbox: Sandbox,
	matches: (request: RecordedRequest) => boolean,
	ms: number,
): Promise<RecordedRequest> {
	return new Promise<RecordedRequest>((resolve, reject) => {
		const timer = setTimeout(() => {
			stop();
			reject(new Error(`No matching request within ${ms / 1000} s`));
		}, ms);
		const stop = sandbox.onRequest((request) => {
			if (!matches(request)) return;
			clearTimeout(timer);
			stop();
			resolve(request);
		});
	});
}
