import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { CredentialData } from '../harness/engine';
import type { Sandbox } from '../sandbox';

/**
 * The bad-input matrix: each case is one bad item run next to one good item, the bad values
 * fed through expressions so that n8n's own parameter validation (which the editor applies to
 * literals) cannot refuse them before the node runs.
 */

/** What a bad input is expected to do. */
export type Expectation =
	/** Refused by the node's own checks: an error item and no request at all. */
	| 'checked'
	/** Sent, and refused by iMBRACE: an error item after exactly one request. */
	| 'refused'
	/** Not a mistake the node can or should stop: it runs (the output is recorded). */
	| 'accepted'
	/** The host cannot be reached (no network here): an error item, no request reaches iMBRACE. */
	| 'unreachable';

export interface CaseContext {
	sandbox: Sandbox;
	/** The suite's credential (the agent token, aimed at the sandbox), with overrides. */
	credentials(overrides?: CredentialData): CredentialData;
}

export interface CaseRun {
	parameters: INodeParameters;
	/** Item 0: the bad input. */
	bad: INodeExecutionData;
	/** Item 1: the same operation with good values. */
	good: INodeExecutionData;
	credentials: CredentialData;
	/** The credential is what is wrong, so the good item fails as well. */
	sharedFailure?: boolean;
}

/** What a bad input did, as the suite saw it. */
export interface Observed {
	/** What happened, in the terms of the expectations; `other` for anything else. */
	caught: Expectation | 'other';
	message: string;
	description?: string;
	requests: number;
}

export interface BadInput {
	/** The bad input, as the report shows it (Markdown). */
	input: string;
	/** Resource and operation, as the report shows them. */
	operation: string;
	/** The right outcome (or outcomes, where more than one fix is right). */
	expect: Expectation | Expectation[];
	/** What an accepted input produced, for the report; the number of items by default. */
	outcome?(items: INodeExecutionData[]): string;
	build(context: CaseContext): CaseRun;
}

const json = (value: IDataObject): INodeExecutionData => ({ json: value });

/** A short PDF as an item's binary field. */
export function pdfItem(property: string, value: IDataObject = {}): INodeExecutionData {
	return {
		json: value,
		binary: {
			[property]: {
				data: Buffer.from('%PDF-1.4 reliability').toString('base64'),
				mimeType: 'application/pdf',
				fileName: 'brochure.pdf',
				fileExtension: 'pdf',
			},
		},
	};
}

const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';
export const WRONG_TOKEN = 'acc_11111111-2222-4333-8444-555555555555';
export const HUGE_TEXT = 'x'.repeat(100_000);

function getViewCounts(bad: unknown, context: CaseContext): CaseRun {
	return {
		parameters: {
			resource: 'conversation',
			operation: 'getViewCounts',
			businessUnitId: '={{ $json.id }}',
		},
		bad: json({ id: bad as string }),
		good: json({ id: context.sandbox.ids.businessUnitId }),
		credentials: context.credentials(),
	};
}

function getChannelCounts(bad: unknown, context: CaseContext): CaseRun {
	return {
		parameters: {
			resource: 'conversation',
			operation: 'getChannelCounts',
			view: '={{ $json.view }}',
		},
		bad: json({ view: bad as string }),
		good: json({ view: 'all' }),
		credentials: context.credentials(),
	};
}

function getTeamChannelCounts(bad: unknown, context: CaseContext): CaseRun {
	return {
		parameters: {
			resource: 'conversation',
			operation: 'getTeamChannelCounts',
			teamId: '={{ $json.id }}',
		},
		bad: json({ id: bad as string }),
		good: json({ id: context.sandbox.ids.teamId }),
		credentials: context.credentials(),
	};
}

function create(bad: IDataObject, context: CaseContext): CaseRun {
	const { ids } = context.sandbox;
	return {
		parameters: {
			resource: 'conversation',
			operation: 'create',
			additionalFields: {
				contactId: '={{ $json.contactId }}',
				channelId: '={{ $json.channelId }}',
			},
		},
		bad: json({ contactId: ids.contactIds[1], channelId: ids.channelId, ...bad }),
		good: json({ contactId: ids.contactIds[1], channelId: ids.channelId }),
		credentials: context.credentials(),
	};
}

/** Create with the bad item lacking a field altogether (the expression resolves to undefined). */
function createWithout(field: string, context: CaseContext): CaseRun {
	const run = create({}, context);
	delete run.bad.json[field];
	return run;
}

function getMany(bad: IDataObject, context: CaseContext, credentials?: CredentialData): CaseRun {
	return {
		parameters: {
			resource: 'message',
			operation: 'getMany',
			conversationId: '={{ $json.id }}',
			limit: '={{ $json.limit }}',
		},
		bad: json({ limit: 2, ...bad }),
		good: json({ id: context.sandbox.ids.contactConversationId, limit: 2 }),
		credentials: credentials ?? context.credentials(),
	};
}

function sendText(bad: IDataObject, context: CaseContext): CaseRun {
	const id = context.sandbox.ids.contactConversationId;
	return {
		parameters: {
			resource: 'message',
			operation: 'send',
			conversationId: '={{ $json.id }}',
			messageType: 'text',
			text: '={{ $json.text }}',
		},
		bad: json({ id, text: 'Hello', ...bad }),
		good: json({ id, text: 'Thanks, we are on it.' }),
		credentials: context.credentials(),
	};
}

function sendImageUrl(bad: string, context: CaseContext): CaseRun {
	const id = context.sandbox.ids.contactConversationId;
	return {
		parameters: {
			resource: 'message',
			operation: 'send',
			conversationId: id,
			messageType: 'image',
			fileSource: 'url',
			url: '={{ $json.url }}',
		},
		bad: json({ url: bad }),
		good: json({ url: 'https://files.example.com/photo.png' }),
		credentials: context.credentials(),
	};
}

function search(bad: IDataObject, context: CaseContext, credentials?: CredentialData): CaseRun {
	return {
		parameters: {
			resource: 'message',
			operation: 'search',
			organizationId: '={{ $json.org }}',
			query: '={{ $json.query }}',
			limit: '={{ $json.limit }}',
			options: { filter: '={{ $json.filter }}' },
		},
		bad: json({ org: '', query: 'refund', filter: '', limit: 2, ...bad }),
		good: json({
			org: context.sandbox.ids.organizationId,
			query: 'refund',
			filter: 'type = text',
			limit: 2,
		}),
		credentials: credentials ?? context.credentials(),
	};
}

function fetchByFilter(bad: IDataObject, context: CaseContext): CaseRun {
	return {
		parameters: {
			resource: 'message',
			operation: 'fetch',
			organizationId: '',
			filter: '={{ $json.filter }}',
			limit: '={{ $json.limit }}',
		},
		bad: json({ filter: 'type = text', limit: 2, ...bad }),
		good: json({ filter: 'type = text', limit: 2 }),
		credentials: context.credentials(),
	};
}

/** Channel counts with a credential that is wrong in some way: both items fail alike. */
function withCredential(overrides: (context: CaseContext) => CredentialData) {
	return (context: CaseContext): CaseRun => ({
		...getChannelCounts('all', context),
		credentials: context.credentials(overrides(context)),
		sharedFailure: true,
	});
}

export const BAD_INPUTS: BadInput[] = [
	// Conversation: Get View Counts
	{
		input: 'Business Unit ID empty (`""`)',
		operation: 'conversation getViewCounts',
		expect: 'checked',
		build: (context) => getViewCounts('', context),
	},
	{
		input: 'Business Unit ID whitespace (`"   "`)',
		operation: 'conversation getViewCounts',
		expect: 'checked',
		build: (context) => getViewCounts('   ', context),
	},
	{
		input: 'Business Unit ID of the wrong kind (a `conv_…` ID)',
		operation: 'conversation getViewCounts',
		expect: 'checked',
		build: (context) => getViewCounts(context.sandbox.ids.contactConversationId, context),
	},
	{
		input: 'Business Unit ID unknown (`bu_00000000-…`)',
		operation: 'conversation getViewCounts',
		expect: 'refused',
		build: (context) => getViewCounts(`bu_${UNKNOWN_UUID}`, context),
	},
	{
		input: "Business Unit ID of another organization's unit",
		operation: 'conversation getViewCounts',
		expect: 'refused',
		build: (context) => getViewCounts(context.sandbox.ids.otherBusinessUnitId, context),
	},
	// Conversation: Get Channel Counts
	{
		input: 'View not one of the options (`"everything"`)',
		operation: 'conversation getChannelCounts',
		expect: 'checked',
		build: (context) => getChannelCounts('everything', context),
	},
	// Conversation: Get Team Channel Counts
	{
		input: 'Team ID empty (`""`)',
		operation: 'conversation getTeamChannelCounts',
		expect: 'checked',
		build: (context) => getTeamChannelCounts('', context),
	},
	{
		input: 'Team ID of the wrong kind (`bu_imbrace_testing`)',
		operation: 'conversation getTeamChannelCounts',
		expect: 'checked',
		build: (context) => getTeamChannelCounts(context.sandbox.ids.businessUnitId, context),
	},
	{
		input: 'Team ID unknown (`t_00000000-…`)',
		operation: 'conversation getTeamChannelCounts',
		expect: 'refused',
		build: (context) => getTeamChannelCounts(`t_${UNKNOWN_UUID}`, context),
	},
	{
		input: "Team ID of another organization's team",
		operation: 'conversation getTeamChannelCounts',
		expect: 'refused',
		build: (context) => getTeamChannelCounts(context.sandbox.ids.otherTeamId, context),
	},
	// Conversation: Create
	{
		input: 'Create with an agent token and no Contact ID (`""`)',
		operation: 'conversation create',
		expect: 'refused',
		build: (context) => create({ contactId: '' }, context),
	},
	{
		input: 'Contact ID of the wrong kind (a `conv_…` ID)',
		operation: 'conversation create',
		expect: 'checked',
		build: (context) => create({ contactId: context.sandbox.ids.contactConversationId }, context),
	},
	{
		input: 'Contact ID unknown (`con_00000000-…`)',
		operation: 'conversation create',
		expect: 'refused',
		build: (context) => create({ contactId: `con_${UNKNOWN_UUID}` }, context),
	},
	{
		input: 'Contact ID mapped from a field the item lacks',
		operation: 'conversation create',
		expect: ['refused', 'checked'],
		build: (context) => createWithout('contactId', context),
	},
	{
		input: 'Channel ID of the wrong kind (`t_imbrace_default_team`)',
		operation: 'conversation create',
		expect: 'checked',
		build: (context) => create({ channelId: context.sandbox.ids.teamId }, context),
	},
	{
		input: 'Channel ID mapped to an empty value (`""`), Contact ID set',
		operation: 'conversation create',
		expect: 'accepted',
		build: (context) => create({ channelId: '' }, context),
	},
	{
		input: 'Channel ID mapped from a field the item lacks, Contact ID set',
		operation: 'conversation create',
		expect: 'accepted',
		build: (context) => createWithout('channelId', context),
	},
	// Message: Get Many
	{
		input: 'Get Many with an agent token and no Conversation ID',
		operation: 'message getMany',
		expect: 'refused',
		build: (context) => getMany({ id: '' }, context),
	},
	{
		input: 'Conversation ID whitespace (`"   "`), agent token',
		operation: 'message getMany',
		expect: 'refused',
		build: (context) => getMany({ id: '   ' }, context),
	},
	{
		input: 'Conversation ID of the wrong kind (`bu_imbrace_testing`)',
		operation: 'message getMany',
		expect: 'checked',
		build: (context) => getMany({ id: context.sandbox.ids.businessUnitId }, context),
	},
	{
		input: 'Conversation ID with a space inside (`conv_ab cd`)',
		operation: 'message getMany',
		expect: 'checked',
		build: (context) => getMany({ id: 'conv_ab cd' }, context),
	},
	{
		input: 'Conversation ID unknown (`conv_00000000-…`)',
		operation: 'message getMany',
		expect: 'refused',
		build: (context) => getMany({ id: `conv_${UNKNOWN_UUID}` }, context),
	},
	{
		input: 'Conversation ID shaped like a path (`conv_x/../../v2/backend/channels/_conv_count`)',
		operation: 'message getMany',
		expect: 'refused',
		build: (context) => getMany({ id: 'conv_x/../../v2/backend/channels/_conv_count' }, context),
	},
	{
		input: "Conversation ID of another organization's conversation",
		operation: 'message getMany',
		expect: 'refused',
		build: (context) => getMany({ id: context.sandbox.ids.otherConversationIds[0] }, context),
	},
	{
		input: "A contact token reaching another contact's conversation",
		operation: 'message getMany',
		expect: 'refused',
		build: (context) =>
			getMany(
				{ id: context.sandbox.ids.conversationIds[1] },
				context,
				context.credentials({ accessToken: context.sandbox.tokens.contact }),
			),
	},
	{
		input: 'Limit 0',
		operation: 'message getMany',
		expect: 'checked',
		build: (context) =>
			getMany({ id: context.sandbox.ids.contactConversationId, limit: 0 }, context),
	},
	{
		input: 'Limit negative (`-5`)',
		operation: 'message getMany',
		expect: 'checked',
		build: (context) =>
			getMany({ id: context.sandbox.ids.contactConversationId, limit: -5 }, context),
	},
	{
		input: 'Limit fractional (`2.5`)',
		operation: 'message getMany',
		expect: 'checked',
		build: (context) =>
			getMany({ id: context.sandbox.ids.contactConversationId, limit: 2.5 }, context),
	},
	{
		input: 'Limit not a number (`"ten"`)',
		operation: 'message getMany',
		expect: 'checked',
		build: (context) =>
			getMany({ id: context.sandbox.ids.contactConversationId, limit: 'ten' }, context),
	},
	{
		input: 'Limit a numeric string (`"5"`)',
		operation: 'message getMany',
		expect: ['accepted', 'checked'],
		build: (context) =>
			getMany({ id: context.sandbox.ids.contactConversationId, limit: '5' }, context),
	},
	{
		input: 'Limit huge (`1e9`) on a conversation of 3 messages',
		operation: 'message getMany',
		expect: 'accepted',
		outcome: (items) => `no error: ${items.length} messages`,
		build: (context) =>
			getMany({ id: context.sandbox.addConversation({ messages: 3 }), limit: 1e9 }, context),
	},
	// Message: Send
	{
		input: 'Text empty (`""`)',
		operation: 'message send',
		expect: 'checked',
		build: (context) => sendText({ text: '' }, context),
	},
	{
		input: 'Text whitespace (`" \\n "`)',
		operation: 'message send',
		expect: 'checked',
		build: (context) => sendText({ text: ' \n ' }, context),
	},
	{
		input: 'Text mapped to a number (`42`)',
		operation: 'message send',
		expect: ['accepted', 'checked'],
		build: (context) => sendText({ text: 42 }, context),
	},
	{
		input: 'Text oversized (100,000 characters)',
		operation: 'message send',
		expect: 'accepted',
		outcome: ([item]) => {
			const text = (item?.json.content as IDataObject | undefined)?.text;
			return `no error: sent, and iMBRACE stored ${String(text).length.toLocaleString('en-US')} characters`;
		},
		build: (context) => sendText({ text: HUGE_TEXT }, context),
	},
	{
		input: 'Send with an agent token and no Conversation ID',
		operation: 'message send',
		expect: 'refused',
		build: (context) => sendText({ id: '' }, context),
	},
	{
		input: 'Conversation ID unknown (`conv_00000000-…`)',
		operation: 'message send',
		expect: 'refused',
		build: (context) => sendText({ id: `conv_${UNKNOWN_UUID}` }, context),
	},
	{
		input: 'URL relative (`/files/a.png`)',
		operation: 'message send (image)',
		expect: 'checked',
		build: (context) => sendImageUrl('/files/a.png', context),
	},
	{
		input: 'URL not http(s) (`ftp://files.example.com/a.png`)',
		operation: 'message send (image)',
		expect: 'checked',
		build: (context) => sendImageUrl('ftp://files.example.com/a.png', context),
	},
	{
		input: 'URL without a host (`https://`)',
		operation: 'message send (image)',
		expect: 'checked',
		build: (context) => sendImageUrl('https://', context),
	},
	{
		input: 'URL with a space in the host (`https://files example.com/a.png`)',
		operation: 'message send (image)',
		expect: 'checked',
		build: (context) => sendImageUrl('https://files example.com/a.png', context),
	},
	{
		input: 'Input Binary Field missing (`file`, the item has `data`)',
		operation: 'message send (PDF, binary)',
		expect: 'checked',
		build: (context) => ({
			parameters: {
				resource: 'message',
				operation: 'send',
				conversationId: context.sandbox.ids.contactConversationId,
				messageType: 'pdf',
				fileSource: 'binary',
				binaryPropertyName: 'file',
			},
			bad: pdfItem('data'),
			good: pdfItem('file'),
			credentials: context.credentials(),
		}),
	},
	{
		input: 'Quick reply with neither Title nor Payload',
		operation: 'message send (quick reply)',
		expect: 'checked',
		build: (context) => ({
			parameters: {
				resource: 'message',
				operation: 'send',
				conversationId: context.sandbox.ids.contactConversationId,
				messageType: 'quickReply',
				title: '={{ $json.title }}',
				payload: '={{ $json.payload }}',
			},
			bad: json({ title: ' ', payload: '' }),
			good: json({ title: 'Red', payload: '0_red' }),
			credentials: context.credentials(),
		}),
	},
	{
		input: 'Quick reply Title mapped to a number (`7`), no Payload',
		operation: 'message send (quick reply)',
		expect: ['accepted', 'checked'],
		build: (context) => ({
			parameters: {
				resource: 'message',
				operation: 'send',
				conversationId: context.sandbox.ids.contactConversationId,
				messageType: 'quickReply',
				title: '={{ $json.title }}',
				payload: '={{ $json.payload }}',
			},
			bad: json({ title: 7, payload: '' }),
			good: json({ title: 'Red', payload: '0_red' }),
			credentials: context.credentials(),
		}),
	},
	// Message: Search
	{
		input: 'Filter syntax invalid (`type = = text`)',
		operation: 'message search',
		expect: 'refused',
		build: (context) => search({ filter: 'type = = text' }, context),
	},
	{
		input: 'Filter with lower-case `and` (`type = text and from = u_imbrace_bot`)',
		operation: 'message search',
		expect: 'refused',
		build: (context) => search({ filter: 'type = text and from = u_imbrace_bot' }, context),
	},
	{
		input: 'Filter on a non-filterable attribute (`content = refund`)',
		operation: 'message search',
		expect: 'refused',
		build: (context) => search({ filter: 'content = refund' }, context),
	},
	{
		input: 'Query mapped to a number (`5`)',
		operation: 'message search',
		expect: ['accepted', 'checked'],
		build: (context) => search({ org: context.sandbox.ids.organizationId, query: 5 }, context),
	},
	{
		input: 'Organization ID empty here and in the credential',
		operation: 'message search',
		expect: 'checked',
		build: (context) => search({ org: '' }, context, context.credentials({ organizationId: '' })),
	},
	{
		input: 'Organization ID of another organization (`org_other`)',
		operation: 'message search',
		expect: 'refused',
		build: (context) => search({ org: context.sandbox.ids.otherOrganizationId }, context),
	},
	{
		input: 'Organization ID of the wrong kind (`bu_imbrace_testing`)',
		operation: 'message search',
		expect: 'checked',
		build: (context) => search({ org: context.sandbox.ids.businessUnitId }, context),
	},
	{
		input: 'Organization ID shaped like a path (`org_imbrace/../../other`)',
		operation: 'message search',
		expect: 'refused',
		build: (context) => search({ org: 'org_imbrace/../../other' }, context),
	},
	{
		input: 'Limit 0',
		operation: 'message search',
		expect: 'checked',
		build: (context) => search({ limit: 0 }, context),
	},
	// Message: Fetch by Filter
	{
		input: 'Filter empty (`""`)',
		operation: 'message fetch',
		expect: 'checked',
		build: (context) => fetchByFilter({ filter: '' }, context),
	},
	{
		input: 'Filter whitespace (`"   "`)',
		operation: 'message fetch',
		expect: 'checked',
		build: (context) => fetchByFilter({ filter: '   ' }, context),
	},
	{
		input: 'Filter mapped from a field the item lacks',
		operation: 'message fetch',
		expect: 'checked',
		build: (context) => {
			const run = fetchByFilter({}, context);
			delete run.bad.json.filter;
			return run;
		},
	},
	{
		input: 'Filter syntax invalid (`type IN [text`)',
		operation: 'message fetch',
		expect: 'refused',
		build: (context) => fetchByFilter({ filter: 'type IN [text' }, context),
	},
	{
		input: 'Filter on a non-filterable attribute (`content = refund`)',
		operation: 'message fetch',
		expect: 'refused',
		build: (context) => fetchByFilter({ filter: 'content = refund' }, context),
	},
	{
		input: 'Limit negative (`-1`)',
		operation: 'message fetch',
		expect: 'checked',
		build: (context) => fetchByFilter({ limit: -1 }, context),
	},
	{
		input: 'Limit huge (`1e9`) on a filter matching 3 messages',
		operation: 'message fetch',
		expect: 'accepted',
		outcome: (items) => `no error: ${items.length} messages`,
		build: (context) =>
			fetchByFilter(
				{
					filter: `conversation_id = ${context.sandbox.addConversation({ messages: 3 })}`,
					limit: 1e9,
				},
				context,
			),
	},
	// The credential
	{
		input: 'Token wrong (an unknown `acc_…`)',
		operation: 'credential',
		expect: 'refused',
		build: withCredential(() => ({ accessToken: WRONG_TOKEN })),
	},
	{
		input: 'Token of the wrong type (the API key sent as an Access Token)',
		operation: 'credential',
		expect: 'refused',
		build: withCredential(({ sandbox }) => ({ accessToken: sandbox.tokens.apiKey })),
	},
	{
		input: 'Token of the wrong type (an access token sent as an API Key)',
		operation: 'credential',
		expect: 'refused',
		build: withCredential(({ sandbox }) => ({
			authType: 'apiKey',
			accessToken: sandbox.tokens.agent,
		})),
	},
	{
		input: 'Token empty',
		operation: 'credential',
		expect: 'refused',
		build: withCredential(() => ({ accessToken: '' })),
	},
	{
		input: 'Environment wrong (Demo, with a sandbox token; no network here)',
		operation: 'credential',
		expect: 'unreachable',
		build: withCredential(() => ({ environment: 'demo' })),
	},
	{
		input: 'Custom Base URL without a scheme (`127.0.0.1:<port>`)',
		operation: 'credential',
		expect: 'checked',
		build: withCredential(({ sandbox }) => ({ baseUrl: sandbox.url.replace('http://', '') })),
	},
	{
		input: 'Custom Base URL of a server that is not a gateway (`<sandbox>/not-a-gateway`)',
		operation: 'credential',
		expect: 'refused',
		build: withCredential(({ sandbox }) => ({ baseUrl: `${sandbox.url}/not-a-gateway` })),
	},
];
