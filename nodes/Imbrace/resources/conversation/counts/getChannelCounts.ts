import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { operationRouting } from '../../../../shared/operations/routing';
import { beforeSending, ensure, fieldsOf } from '../../../../shared/fields/validation';

const VIEWS = ['all', 'joined', 'yours'];

export const getChannelCountsOperation: INodePropertyOptions = {
	name: 'Get Channel Counts',
	value: 'getChannelCounts',
	action: 'Get conversation counts per channel type',
	description:
		'Count the organization’s conversations per channel type (web, Facebook, WhatsApp, Instagram, WeChat, LINE, email, WeCom) and in all',
	routing: operationRouting({
		endpoint: 'channelCounts',
		method: 'GET',
		checks: [
			beforeSending(function (request) {
				const { view } = fieldsOf(request, 'qs');
				if (!VIEWS.includes(String(view))) {
					ensure(this, 'View', {
						problem: `"${String(view)}" is not one of ${VIEWS.join(', ')}`,
						fix: 'Choose All, Joined or Yours, or map one of those values.',
					});
				}
			}),
		],
	}),
};

export const getChannelCountsFields: INodeProperties[] = [
	{
		displayName: 'View',
		name: 'view',
		type: 'options',
		options: [
			{ name: 'All', value: 'all', description: 'Every conversation of the organization' },
			{ name: 'Joined', value: 'joined', description: 'Conversations the caller has joined' },
			{ name: 'Yours', value: 'yours', description: 'Conversations assigned to the caller' },
		],
		default: 'all',
		description: 'Which conversations to count',
		displayOptions: { show: { resource: ['conversation'], operation: ['getChannelCounts'] } },
		routing: { send: { type: 'query', property: 'view' } },
	},
];
