import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Fault, Sandbox } from '../sandbox';
import { pdfItem } from './bad-inputs';

/**
 * The fault matrix: every fault the sandbox can inject, against every operation, each run once
 * without and once with n8n's Retry On Fail. A fault applies to one request only, so a second
 * try should succeed.
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
}

export const FAULT_KINDS: FaultKind[] = [
	{
		name: '500 Internal Server Error',
		fault: { kind: 'status', status: 500 },
		status: 500,
		message: () => 'Internal Server Error (HTTP 500)',
	},
	{
		name: '401 (injected)',
		fault: { kind: 'status', status: 401 },
		status: 401,
		message: () => 'Unauthorized - Invalid token (HTTP 401)',
	},
	{
		name: '403 (injected)',
		fault: { kind: 'status', status: 403 },
		status: 403,
		message: () => 'Forbidden (HTTP 403)',
	},
	{
		name: '404 (injected)',
		fault: { kind: 'status', status: 404 },
		status: 404,
		message: () => 'Not Found (HTTP 404)',
	},
	{
		name: '502 HTML page',
		fault: { kind: 'html', status: 502 },
		status: 502,
		message: () => 'Bad Gateway (HTTP 502)',
	},
	{
		name: '503 HTML page',
		fault: { kind: 'html', status: 503 },
		status: 503,
		message: () => 'Service Unavailable (HTTP 503)',
	},
	{
		name: '429, Retry-After: 2',
		fault: { kind: 'rateLimit', retryAfter: 2 },
		status: 429,
		message: () => 'Too many requests. Please try again later. (HTTP 429)',
	},
	{
		name: `answer after ${DELAY_MS} ms, Timeout ${TIMEOUT_MS} ms`,
		fault: { kind: 'delay', ms: DELAY_MS },
		status: 200,
		message: (url) => `${url} did not answer in time`,
	},
	{
		name: 'dropped connection',
		fault: { kind: 'drop' },
		status: 0,
		message: (url) => `The connection to ${url} closed before iMBRACE answered`,
	},
	{
		name: 'malformed JSON (200)',
		fault: { kind: 'malformedJson' },
		status: 200,
		message: () => 'iMBRACE sent a response that is not valid JSON (HTTP 200)',
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

const SEND = '/v1/backend/conversation_messages';

export const FAULTED_OPERATIONS: FaultedOperation[] = [
	{
		name: 'conversation getViewCounts',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'getViewCounts',
			businessUnitId: sandbox.ids.businessUnitId,
		}),
		method: 'GET',
		path: '/v2/backend/team_conversations/_views_count',
	},
	{
		name: 'conversation getChannelCounts',
		parameters: () => ({ resource: 'conversation', operation: 'getChannelCounts', view: 'all' }),
		method: 'GET',
		path: '/v2/backend/channels/_conv_count',
	},
	{
		name: 'conversation getTeamChannelCounts',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'getTeamChannelCounts',
			teamId: sandbox.ids.teamId,
		}),
		method: 'GET',
		path: '/v1/backend/channels/_conv_count',
	},
	{
		name: 'conversation create',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'create',
			additionalFields: { contactId: sandbox.ids.contactIds[1] },
		}),
		method: 'POST',
		path: '/v1/backend/conversation',
		creates: conversations,
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
		path: `${SEND}/_fileupload`,
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
