import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

/**
 * The parameters of Send and Wait for Response. Their names and values are n8n's own (those of
 * its Slack, Telegram and WhatsApp nodes): n8n's "Human review" tool for AI agents fixes
 * `operation`, `responseType` and `message` by these names.
 */

export const DEFAULT_APPROVE_LABEL = 'Approve';
export const DEFAULT_DECLINE_LABEL = 'Decline';
export const DEFAULT_RESPOND_LABEL = 'Respond';

/**
 * The execution's custom data key under which a waiting node keeps the message it sent (its ID
 * and conversation), for the output on resume. Custom data is the one part of a waiting execution
 * that n8n hands the webhook: the node's own output while waiting is taken off before it runs.
 */
export function sentMessageKey(nodeId: string): string {
	return `imbrace_sent_${nodeId.replace(/[^\p{L}\p{N}_]/gu, '_')}`.slice(0, 50);
}

/** The button labels of an approval, as set under Approval Options. */
export function approvalLabels(values: IDataObject): { approve: string; decline: string } {
	const label = (value: unknown, fallback: string) =>
		typeof value === 'string' && value.trim() ? value.trim() : fallback;
	return {
		approve: label(values.approveLabel, DEFAULT_APPROVE_LABEL),
		decline: label(values.disapproveLabel, DEFAULT_DECLINE_LABEL),
	};
}

export const sendAndWaitOperation: INodePropertyOptions = {
	name: 'Send and Wait for Response',
	value: SEND_AND_WAIT_OPERATION,
	action: 'Send message and wait for response',
	description:
		"Send a text message with links to approve, decline or answer, and wait for the contact's response",
};

const forSendAndWait = { resource: ['message'], operation: [SEND_AND_WAIT_OPERATION] };

const limitWaitTime: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description:
		'Whether to stop waiting after a time; the workflow then goes on without a response, with the input item as output',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					description: 'Whether to stop waiting after a time interval or at a date and time',
					options: [
						{
							name: 'After Time Interval',
							description: 'Waits for a certain amount of time',
							value: 'afterTimeInterval',
						},
						{
							name: 'At Specified Time',
							description: 'Waits until the set date and time',
							value: 'atSpecifiedTime',
						},
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 1,
					description: 'The time to wait',
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
					options: [
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
					default: 'hours',
					description: 'Unit of the interval value',
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
					default: '',
					description: 'Stop waiting at this date and time',
				},
			],
		},
	],
};

export const sendAndWaitFields: INodeProperties[] = [
	{
		displayName: 'Only the first input item is sent, and the whole workflow waits for its response',
		name: 'sendAndWaitNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: forSendAndWait },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 4 },
		placeholder: 'e.g. May we book the repair for Monday at 10:00?',
		description:
			'The text sent to the conversation; one link per button follows it, which opens a page to answer on',
		displayOptions: { show: forSendAndWait },
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'approval',
		options: [
			{
				name: 'Approval',
				value: 'approval',
				description: 'The contact approves (or declines) through a link',
			},
			{
				name: 'Free Text',
				value: 'freeText',
				description: 'The contact writes an answer on a page that a link opens',
			},
		],
		displayOptions: { show: forSendAndWait },
	},
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'fixedCollection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{
						displayName: 'Type of Approval',
						name: 'approvalType',
						type: 'options',
						default: 'single',
						options: [
							{ name: 'Approve Only', value: 'single' },
							{ name: 'Approve and Disapprove', value: 'double' },
						],
					},
					{
						displayName: 'Approve Button Label',
						name: 'approveLabel',
						type: 'string',
						default: DEFAULT_APPROVE_LABEL,
					},
					{
						displayName: 'Disapprove Button Label',
						name: 'disapproveLabel',
						type: 'string',
						default: DEFAULT_DECLINE_LABEL,
						displayOptions: { show: { approvalType: ['double'] } },
					},
				],
			},
		],
		displayOptions: { show: { ...forSendAndWait, responseType: ['approval'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [limitWaitTime],
		displayOptions: { show: { ...forSendAndWait, responseType: ['approval'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			limitWaitTime,
			{
				displayName: 'Message Button Label',
				name: 'messageButtonLabel',
				type: 'string',
				default: DEFAULT_RESPOND_LABEL,
				description: 'The text before the link to the answer page',
			},
		],
		displayOptions: { show: { ...forSendAndWait, responseType: ['freeText'] } },
	},
];
