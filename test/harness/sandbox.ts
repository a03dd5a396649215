import type { INodeParameters } from 'n8n-workflow';

import type { Sandbox, SandboxOptions } from '../sandbox';
import { startSandbox } from '../sandbox';
import type { CredentialData } from './engine';
import { runNode } from './engine';

export interface SandboxFixture {
	readonly sandbox: Sandbox;
	/** An iMBRACE credential aimed at the sandbox (custom environment), as an agent. */
	credentials(overrides?: CredentialData): CredentialData;
}

/**
 * One sandbox per test file, back at its seed state before every test. The nodes have found out
 * which routes it serves before the first test (tests of that start sandboxes of their own), so
 * that each test's requests are its own.
 */
export function useSandbox(options: SandboxOptions = {}): SandboxFixture {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox(options);
		await findRoutes(sandbox);
	});
	beforeEach(() => sandbox?.reset());
	afterAll(async () => {
		await sandbox?.close();
	});
	return {
		get sandbox() {
			if (!sandbox) throw new Error('The sandbox starts in beforeAll');
			return sandbox;
		},
		credentials(overrides = {}) {
			return sandboxCredentials(this.sandbox, overrides);
		},
	};
}

/** Lets the nodes find out which routes a sandbox serves, then forgets the requests that took. */
export async function findRoutes(sandbox: Sandbox): Promise<void> {
	const run = await runNode({
		parameters: { resource: 'conversation', operation: 'getChannelCounts' },
		credentials: sandboxCredentials(sandbox),
	});
	if (run.error) throw run.error;
	sandbox.clearRequests();
}

/** An iMBRACE credential aimed at a sandbox (custom environment), as an agent. */
export function sandboxCredentials(
	sandbox: Sandbox,
	overrides: CredentialData = {},
): CredentialData {
	return {
		environment: 'custom',
		baseUrl: sandbox.url,
		authType: 'accessToken',
		accessToken: sandbox.tokens.agent,
		organizationId: sandbox.ids.organizationId,
		...overrides,
	};
}

/**
 * What the sandbox answers to a direct call, for comparing with the node's output; the call is
 * taken off the request log afterwards.
 */
export async function callApi(
	sandbox: Sandbox,
	path: string,
	init: { method?: string; body?: unknown; token?: string; apiKey?: string } = {},
): Promise<Record<string, unknown>> {
	const response = await fetch(`${sandbox.url}${path}`, {
		method: init.method ?? 'GET',
		headers: {
			...(init.apiKey
				? { 'x-api-key': init.apiKey }
				: { 'x-access-token': init.token ?? sandbox.tokens.agent }),
			...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
		},
		body: init.body === undefined ? undefined : JSON.stringify(init.body),
	});
	const body = (await response.json()) as Record<string, unknown>;
	sandbox.clearRequests();
	return body;
}

/**
 * The texts a conversation holds, oldest first, as the gateway stored them, read through
 * `listPath` (§5 of either route family). Like callApi, it leaves the request log empty.
 */
export async function storedTexts(
	sandbox: Sandbox,
	conversationId: string,
	listPath: string,
): Promise<string[]> {
	const texts: string[] = [];
	for (let skip = 0; ; skip += 100) {
		const page = (await callApi(
			sandbox,
			`${listPath}?conversation_id=${conversationId}&limit=100&skip=${skip}`,
		)) as { data: Array<{ content: { text: string } }>; has_more: boolean };
		texts.push(...page.data.map((message) => message.content.text));
		if (!page.has_more) return texts.reverse();
	}
}

/** Send's parameters that send each item's `text` into the item's `conversation` (see textItems). */
export const SEND_ITEM_TEXT: INodeParameters = {
	resource: 'message',
	operation: 'send',
	conversationId: '={{ $json.conversation }}',
	messageType: 'text',
	text: '={{ $json.text }}',
};

// A type literal, not an interface: assignable to n8n's INodeExecutionData as it stands.
type TextItem = { json: { conversation: string; text: string } };

/** `count` text items ("<label> n", n from 0), to the given conversations in turn. */
export function textItems(count: number, conversations: string[], label = 'Message'): TextItem[] {
	return Array.from({ length: count }, (_, n) => ({
		json: { conversation: conversations[n % conversations.length], text: `${label} ${n}` },
	}));
}

/** A resource locator value, as the editor saves one. */
export function byId(value: string) {
	return { __rl: true, mode: 'id', value };
}
