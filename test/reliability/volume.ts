import type { INode } from 'n8n-workflow';

import type { CredentialData, NodeRun } from '../harness/engine';
import { runNode } from '../harness/engine';
import { SEND_ITEM_TEXT, storedTexts, textItems } from '../harness/sandbox';
import type { Fault, Sandbox } from '../sandbox';
import { Random } from '../sandbox/api/data';
import { SEND } from './faults';

/**
 * The volume matrix: a thousand Send items over five conversations while one request in ten
 * fails, every way an outage can (refused, dropped, answered after the message was stored and
 * then lost), with and without Retry On Fail and Continue On Fail. Seeded: the faults land on the
 * same requests in every run. (429s are a rate limit, not an outage: the node paces itself by
 * them, which the sending tests and the benchmark measure against the sandbox's token bucket.)
 */

export const VOLUME_SENDS = 1000;
export const VOLUME_CONVERSATIONS = 5;
const SEED = 20261201;

export interface VolumeCell {
	name: string;
	settings: Partial<INode>;
}

const RETRY: Partial<INode> = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };

export const VOLUME_CELLS: VolumeCell[] = [
	{ name: 'no Retry On Fail, no Continue On Fail', settings: {} },
	{ name: 'Retry On Fail', settings: RETRY },
	{ name: 'Continue On Fail', settings: { onError: 'continueRegularOutput' } },
	{
		name: 'Retry On Fail and Continue On Fail',
		settings: { ...RETRY, onError: 'continueRegularOutput' },
	},
];

/** The faults of the mix, drawn with equal chances. */
export const VOLUME_FAULTS: Array<{ name: string; fault: Fault }> = [
	{ name: '500 before storing', fault: { kind: 'status', status: 500 } },
	{ name: '503 page', fault: { kind: 'html', status: 503 } },
	{ name: 'connection dropped before storing', fault: { kind: 'drop' } },
	{ name: 'stored, then 500', fault: { kind: 'writeThenFail', then: 500 } },
	{ name: 'stored, then 502 page', fault: { kind: 'writeThenFail', then: 502 } },
	{ name: 'stored, then 504 page', fault: { kind: 'writeThenFail', then: 504 } },
	{ name: 'stored, then connection dropped', fault: { kind: 'writeThenFail', then: 'drop' } },
];

export interface VolumeSummary {
	delivered: number;
	lost: number;
	duplicated: number;
	outOfOrder: number;
	failed: number;
	/** Items the node did not send because an earlier item failed (Continue On Fail off). */
	notSent: number;
	injectedFaults: number;
	requests: number;
	/** What the failed items said, how many said it, and how many of them iMBRACE holds anyway. */
	failures: Array<{ message: string; count: number; delivered: number }>;
	/** Items neither delivered, nor reported failed, nor left unsent after a failure: must be 0. */
	unaccounted: number;
}

export async function runVolume(
	sandbox: Sandbox,
	credentials: CredentialData,
	settings: Partial<INode>,
): Promise<{ run: NodeRun; summary: VolumeSummary }> {
	const seeded = new Random(SEED);
	const random = () => seeded.next();
	const conversations = Array.from({ length: VOLUME_CONVERSATIONS }, () =>
		sandbox.addConversation(),
	);
	const items = textItems(VOLUME_SENDS, conversations, 'Volume');
	sandbox.clearRequests();
	// Each fault is aimed at one item's first send, or at the first look-ups in one conversation, so
	// that it lands on the same request whatever order the conversations' requests arrive in.
	let injectedFaults = 0;
	for (const item of items) {
		if (random() >= 0.1) continue;
		const { fault } = VOLUME_FAULTS[Math.floor(random() * VOLUME_FAULTS.length)];
		sandbox.injectFault({
			...fault,
			match: { method: 'POST', path: SEND, body: { text: item.json.text } },
		});
		injectedFaults++;
	}
	for (const conversation of conversations) {
		const lookUp = { method: 'GET', path: SEND, query: { conversation_id: conversation } };
		sandbox.injectFault({ kind: 'html', status: 502, match: lookUp, times: 2 });
		injectedFaults += 2;
	}
	let run: NodeRun;
	try {
		run = await runNode({
			parameters: { ...SEND_ITEM_TEXT, requestOptions: { timeout: 2000 } },
			items,
			credentials,
			settings,
		});
	} finally {
		sandbox.clearFaults();
	}
	const requests = sandbox.requests().filter((request) => request.path === SEND).length;

	const stored = new Map<string, string[]>();
	for (const conversation of conversations) {
		stored.set(conversation, await storedTexts(sandbox, conversation, SEND));
	}
	const all = [...stored.values()].flat();
	const counts = new Map<string, number>();
	for (const text of all) counts.set(text, (counts.get(text) ?? 0) + 1);

	// Items the node reported as sent, and the failures it reported (on items or as the node's).
	const sent = new Set(
		run.output
			.filter((item) => !item.error)
			.map((item) => String((item.json.content as { text?: string })?.text)),
	);
	const failures = new Map<string, { count: number; delivered: number }>();
	const failedTexts = new Set<string>();
	const failedItems = run.output.filter((item) => item.error);
	const nodeError = run.error;
	const reported = nodeError ? [nodeError] : failedItems.map((item) => item.error!);
	for (const [index, error] of reported.entries()) {
		const itemIndex = Number(
			(error as { context?: { itemIndex?: number } }).context?.itemIndex ??
				failedItems[index]?.pairedItem ??
				-1,
		);
		const text = items[itemIndex]?.json.text ?? '';
		failedTexts.add(text);
		const message = error.message.replace(/\[item \d+\]/, '[item n]');
		const entry = failures.get(message) ?? { count: 0, delivered: 0 };
		entry.count++;
		if (counts.has(text)) entry.delivered++;
		failures.set(message, entry);
	}
	// Without Continue On Fail the node stops at its first failure: later items are not sent.
	const notSent = nodeError
		? items.filter((item) => !counts.has(item.json.text) && !failedTexts.has(item.json.text)).length
		: 0;
	const outOfOrder = conversations.filter((conversation) => {
		const order = stored.get(conversation)!.map((text) => Number(text.replace('Volume ', '')));
		return order.some((n, index) => index > 0 && n < order[index - 1]);
	}).length;
	return {
		run,
		summary: {
			delivered: counts.size,
			// Reported as sent, but not in iMBRACE.
			lost: [...sent].filter((text) => !counts.has(text)).length,
			duplicated: [...counts.values()].filter((count) => count > 1).length,
			outOfOrder,
			failed: reported.length,
			notSent,
			injectedFaults,
			requests,
			failures: [...failures.entries()].map(([message, entry]) => ({ message, ...entry })),
			unaccounted:
				VOLUME_SENDS -
				counts.size -
				[...failures.values()].reduce((sum, entry) => sum + entry.count - entry.delivered, 0) -
				notSent,
		},
	};
}
