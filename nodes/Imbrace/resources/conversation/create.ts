import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { idLocator } from '../../../shared/fields/descriptions';
import { operationRouting } from '../../../shared/operations/routing';
import { beforeSending, fieldsOf, textOf, tidyId } from '../../../shared/fields/validation';

export const createOperation: INodePropertyOptions = {
	name: 'Create',
	value: 'create',
	action: 'Create a conversation',
	description:
		'Open a conversation: a contact token opens its own; an agent token or API key names the contact (and optionally the channel) in Additional Fields',
	routing: operationRouting({
		endpoint: 'createConversation',
		method: 'POST',
		// One contact's conversations are created in item order. A create whose answer was lost is
		// not repeated: no endpoint lists a contact's conversations to confirm it by.
		write: {
			what: 'conversation',
			done: 'created',
			lane: (request) => textOf(request, 'contact_id'),
		},
		checks: [
			beforeSending(function (request) {
				const body = fieldsOf(request, 'body');
				tidyId(this, body, 'contact_id', 'Contact ID', 'contact', false);
				tidyId(this, body, 'channel_id', 'Channel ID', 'channel', false);
			}),
		],
		hints: {
			notFound: 'Contact ID and Channel ID',
			invalid:
				'An agent token or API key must name the contact: add Contact ID under Additional Fields.',
		},
	}),
};

const CREATE = { resource: ['conversation'], operation: ['create'] };

/**
 * Version 1 took the contact and channel as plain text; version 1.1 as resource locators, with
 * "From list" pickers. A parameter's type cannot change within a version: workflows saved with
 * version 1 keep its text fields.
 */
export const createFields: INodeProperties[] = [
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { ...CREATE, '@version': [1] } },
		options: [
			{
				displayName: 'Channel ID',
				name: 'channelId',
				type: 'string',
				default: '',
				placeholder: 'e.g. ch_2592e13f-c43f-48a2-a416-a7bb12a5caec',
				description: "The channel to open it in; the contact's own channel when left out",
				routing: {
					send: { type: 'body', property: 'channel_id' },
				},
			},
			{
				displayName: 'Contact ID',
				name: 'contactId',
				type: 'string',
				default: '',
				placeholder: 'e.g. con_da38689f-ac07-476f-90d9-4a45ec327337',
				description:
					'The contact to open the conversation for (needed with an agent token or API key)',
				routing: {
					send: { type: 'body', property: 'contact_id' },
				},
			},
		],
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: { ...CREATE, '@version': [{ _cnd: { gte: 1.1 } }] } },
		options: [
			{
				...idLocator({
					name: 'channelId',
					displayName: 'Channel ID',
					kind: 'channel',
					searchListMethod: 'searchChannels',
					placeholder: 'e.g. ch_2592e13f-c43f-48a2-a416-a7bb12a5caec',
					description: "The channel to open it in; the contact's own channel when left out",
				}),
				routing: { send: { type: 'body', property: 'channel_id' } },
			},
			{
				...idLocator({
					name: 'contactId',
					displayName: 'Contact ID',
					kind: 'contact',
					searchListMethod: 'searchContacts',
					placeholder: 'e.g. con_da38689f-ac07-476f-90d9-4a45ec327337',
					description:
						'The contact to open the conversation for (needed with an agent token or API key)',
				}),
				routing: { send: { type: 'body', property: 'contact_id' } },
			},
		],
	},
];
