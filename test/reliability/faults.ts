import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Fault, Sandbox } from '../sandbox';
import { pdfItem } from './bad-inputs';

/**
 * The fault matrix: every fault the sandbox can inject, against every operation, each run once
 * without and once with n8n's Retry On Fail. A fault applies to one request only. The node
 * repeats what may be repeated by itself; what it may not repeat (a create whose answer was lost)
 * fails saying so, and Retry On Fail does not repeat it either.
 */

/** The node's Timeout (Request Options) in the timeout cells, and how late the answer comes. */
export const TIMEOUT_MS = 200;
export const DELAY_MS = 500;

export interface FaultKind {
	/** As the report shows it. */
	name: string;
	fault: Fault;
	/** The status the sandbox records for the faulted request (0: no answer). */
	status: number;
	/** The message the user should see, given the sandbox's address. */
	message(url: string): string;
	/**
	 * What the node makes of it: `refusal` fails the item (the request is fine to repeat on Retry
	 * On Fail); `retry` is repeated at once; `lost` may mean the request was carried out: a read is
	 * repeated, a write looked up or failed with the doubt. `handled`: the sandbox carried it out.
	 */
	treatment: 'refusal' | 'retry' | 'lost';
	handled: boolean;
}

export const FAULT_KINDS: FaultKind[] = [
	{
		name: '500 Internal Server Error',
		fault: { kind: 'status', status: 500 },
		status: 500,
		message: () => 'Internal Server Error (HTTP 500)',
		treatment: 'lost',
		handled: false,
	},
	{
		name: '401 (injected)',
		fault: { kind: 'status', status: 401 },
		status: 401,
		message: () => 'Unauthorized - Invalid token (HTTP 401)',
		treatment: 'refusal',
		handled: false,
	},
	{
		name: '403 (injected)',
		fault: { kind: 'status', status: 403 },
		status: 403,
		message: () => 'Forbidden (HTTP 403)',
		treatment: 'refusal',
		handled: false,
	},
	{
		name: '404 (injected)',
		fault: { kind: 'status', status: 404 },
		status: 404,
		message: () => 'Not Found (HTTP 404)',
		treatment: 'refusal',
		handled: false,
	},
	{
		name: '502 HTML page',
		fault: { kind: 'html', status: 502 },
		status: 502,
		message: () => 'Bad Gateway (HTTP 502)',
		treatment: 'lost',
		handled: false,
	},
	{
		name: '503 HTML page',
		fault: { kind: 'html', status: 503 },
		status: 503,
		message: () => 'Service Unavailable (HTTP 503)',
		treatment: 'retry',
		handled: false,
	},
	{
		name: '429, Retry-After: 1',
		fault: { kind: 'rateLimit', retryAfter: 1 },
		status: 429,
		message: () => 'Too many requests. Please try again later. (HTTP 429)',
		treatment: 'retry',
		handled: false,
	},
	{
		name: `answer after ${DELAY_MS} ms, Timeout ${TIMEOUT_MS} ms`,
		fault: { kind: 'delay', ms: DELAY_MS },
		status: 200,
		message: (url) => `${url} did not answer in time`,
		treatment: 'lost',
		handled: true,
	},
	{
		name: 'dropped connection',
		fault: { kind: 'drop' },
		status: 0,
		message: (url) => `The connection to ${url} closed before iMBRACE answered`,
		treatment: 'lost',
		handled: false,
	},
	{
		name: 'malformed JSON (200)',
		fault: { kind: 'malformedJson' },
		status: 200,
		message: () => 'iMBRACE sent a response that is not valid JSON (HTTP 200)',
		treatment: 'lost',
		handled: true,
	},
];

export interface FaultedOperation {
	/** As the report shows it. */
	name: string;
	parameters(sandbox: Sandbox): INodeParameters;
	items?(): INodeExecutionData[];
	/** The request the fault is aimed at. */
	method: string;
	path: string;
	/** What a Create or Send creates: how to count them on the sandbox, and what they are. */
	creates?: { noun: 'conversation' | 'message'; count(sandbox: Sandbox): Promise<number> };
	/** A write the node can look up after a lost answer (Send), or not (Create). */
	write?: 'confirmed' | 'doubted';
}

/** A direct read of the sandbox, as the agent. */
async function read(sandbox: Sandbox, path: string): Promise<Record<string, unknown>> {
	const response = await fetch(`${sandbox.url}${path}`, {
		headers: { 'x-access-token': sandbox.tokens.agent },
	});
	return (await response.json()) as Record<string, unknown>;
}

/** Conversations of the organization (its §2 count), to see whether a Create took effect. */
const conversations = {
	noun: 'conversation' as const,
	count: async (sandbox: Sandbox) =>
		Number((await read(sandbox, '/v2/backend/channels/_conv_count?view=all')).all),
};

/** Messages of the conversation the Send cells write to (the §5 total). */
const messages = {
	noun: 'message' as const,
	count: async (sandbox: Sandbox) =>
		Number(
			(
				await read(
					sandbox,
					`/v1/backend/conversation_messages?limit=1&conversation_id=${sandbox.ids.contactConversationId}`,
				)
			).count,
		),
};

export const SEND = '/channel-service/v1/conversation_messages';
export const UPLOAD = `${SEND}/_fileupload`;
export const CREATE = '/channel-service/v1/conversations';

export const FAULTED_OPERATIONS: FaultedOperation[] = [
	{
		name: 'conversation getViewCounts',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'getViewCounts',
			businessUnitId: sandbox.ids.businessUnitId,
		}),
		method: 'GET',
		path: '/channel-service/v2/team_conversations/_views_count',
	},
	{
		name: 'conversation getChannelCounts',
		parameters: () => ({ resource: 'conversation', operation: 'getChannelCounts', view: 'all' }),
		method: 'GET',
		path: '/channel-service/v1/channels/_conv_count',
	},
	{
		name: 'conversation getTeamChannelCounts',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'getTeamChannelCounts',
			teamId: sandbox.ids.teamId,
		}),
		method: 'GET',
		path: '/channel-service/v1/channels/_conv_count',
	},
	{
		name: 'conversation create',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'create',
			additionalFields: { contactId: sandbox.ids.contactIds[1] },
		}),
		method: 'POST',
		path: CREATE,
		creates: conversations,
		write: 'doubted',
	},
	{
		name: 'message getMany',
		parameters: (sandbox) => ({
			resource: 'message',
			operation: 'getMany',
			conversationId: sandbox.ids.contactConversationId,
			limit: 2,
		}),
		method: 'GET',
		path: SEND,
	},
	{
		name: 'message send (text)',
		parameters: (sandbox) => ({
			resource: 'message',
			operation: 'send',
			conversationId: sandbox.ids.contactConversationId,
			messageType: 'text',
			text: 'Thanks, we are on it.',
		}),
		method: 'POST',
		path: SEND,
		creates: messages,
		write: 'confirmed',
	},
	{
		name: 'message send (PDF, binary: the upload faulted)',
		parameters: (sandbox) => ({
			resource: 'message',
			operation: 'send',
			conversationId: sandbox.ids.contactConversationId,
			messageType: 'pdf',
			fileSource: 'binary',
			binaryPropertyName: 'data',
		}),
		items: () => [pdfItem('data')],
		method: 'POST',
		path: UPLOAD,
		creates: messages,
	},
	{
		name: 'message search',
		parameters: () => ({ resource: 'message', operation: 'search', query: 'refund', limit: 2 }),
		method: 'POST',
		path: '/v1/backend/meilisearch/org_imbrace/search',
	},
	{
		name: 'message fetch',
		parameters: () => ({
			resource: 'message',
			operation: 'fetch',
			filter: 'type = text',
			limit: 2,
		}),
		method: 'POST',
		path: '/v1/backend/meilisearch/org_imbrace/fetch',
	},
];

/** A request as the matrix shows it: what it was (for writes), and the status it got. */
export function label(request: { method: string; path: string; status: number }): string {
	const status = request.status === 0 ? 'dropped' : String(request.status);
	if (request.path === UPLOAD) return `upload ${status}`;
	if (request.path === SEND) return `${request.method === 'POST' ? 'send' : 'check'} ${status}`;
	if (request.path === CREATE) return `create ${status}`;
	return status;
}

export interface Expected {
	/** The requests of a run without Retry On Fail, then with it. */
	plain: string[];
	retried: string[];
	/** Whether the item fails without Retry On Fail, and with it. */
	fails: boolean;
	failsRetried: boolean;
	/** What a write created without Retry On Fail, and with it. */
	created?: number;
	createdRetried?: number;
}

/** What each cell must show: the node's treatment of the fault, written out request by request. */
export function expectedCell(kind: FaultKind, operation: FaultedOperation): Expected {
	const faulted = label({ method: operation.method, path: operation.path, status: kind.status });
	const ok = label({ method: operation.method, path: operation.path, status: 200 });
	// After the upload, the message is sent.
	const after = operation.path === UPLOAD ? ['send 200'] : [];
	const creates = operation.creates ? 1 : undefined;
	if (kind.treatment === 'refusal') {
		return {
			plain: [faulted],
			retried: [faulted, ok, ...after],
			fails: true,
			failsRetried: false,
			created: operation.creates ? 0 : undefined,
			createdRetried: creates,
		};
	}
	if (kind.treatment === 'lost' && operation.write === 'doubted') {
		// Never made again: the item fails saying the conversation may have been created.
		const made = kind.handled ? 1 : 0;
		return {
			plain: [faulted],
			retried: [faulted],
			fails: true,
			failsRetried: true,
			created: made,
			createdRetried: made,
		};
	}
	const requests =
		kind.treatment === 'lost' && operation.write === 'confirmed'
			? // Looked up in the conversation, and sent again only if it is not there.
				kind.handled
				? [faulted, 'check 200']
				: [faulted, 'check 200', ok]
			: [faulted, ok, ...after];
	return {
		plain: requests,
		retried: requests,
		fails: false,
		failsRetried: false,
		created: creates,
		createdRetried: creates,
	};
}
