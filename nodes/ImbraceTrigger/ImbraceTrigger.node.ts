import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { idLocator } from '../shared/fields/descriptions';
import { CHATROOM_URL } from '../shared/fields/chatroomUrl';
import { listSearch } from '../shared/listSearch';
import { pollMessages } from './poll';

export class ImbraceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'iMBRACE Trigger',
		name: 'imbraceTrigger',
		icon: { light: 'file:../../icons/imbrace.svg', dark: 'file:../../icons/imbrace.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{"New messages in " + ($parameter["scope"] === "conversation" ? "a conversation" : "the organization")}}',
		// n8n's node panel shows the action node and this trigger as one item, with this description
		// (its generateMergedNodesAndActions): it has to fit both.
		description:
			'Start workflows on new iMBRACE messages, and send, list and search messages and read conversation counts',
		defaults: { name: 'iMBRACE Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'imbraceApi', required: true }],
		properties: [
			{
				displayName:
					'Polls iMBRACE at the Poll Times above (once a minute at most). Activation only marks where the messages stand; every message that arrives after it starts the workflow once.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					"Messages sent with this trigger's credential do not start the workflow, whatever sent them (the iMBRACE node on any n8n or worker, iMBRACE's own apps), so that a reply workflow does not answer itself: the trigger asks iMBRACE who the credential is. Where iMBRACE will not say (a contact's token, an API key limited to some paths), the messages of every agent and of the bot are left out instead. To watch them too, add Include Own Messages (or choose Sender Types) under Options.",
				name: 'ownMessagesNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Watch',
				name: 'scope',
				type: 'options',
				options: [
					{
						name: 'Whole Organization',
						value: 'organization',
						description: 'Every message of the organization, optionally narrowed by a search',
					},
					{
						name: 'One Conversation',
						value: 'conversation',
						description: 'The messages of one conversation',
					},
				],
				default: 'organization',
			},
			idLocator({
				name: 'conversationId',
				displayName: 'Conversation ID',
				kind: 'conversation',
				required: true,
				searchListMethod: 'searchConversations',
				url: CHATROOM_URL,
				description: 'The conversation to watch',
				displayOptions: { show: { scope: ['conversation'] } },
			}),
			idLocator({
				name: 'organizationId',
				displayName: 'Organization ID',
				kind: 'organization',
				placeholder: 'e.g. org_imbrace',
				description: "The organization to watch; empty uses the credential's Organization ID",
				displayOptions: { show: { scope: ['organization'] } },
			}),
			{
				displayName: 'Query',
				name: 'query',
				type: 'string',
				default: '',
				placeholder: 'e.g. refund',
				description: 'Only messages containing these words; empty for every message',
				displayOptions: { show: { scope: ['organization'] } },
			},
			{
				displayName: 'Filter',
				name: 'filter',
				type: 'string',
				default: '',
				placeholder: 'e.g. business_unit_id = bu_imbrace_testing',
				description:
					'Only messages matching this Meilisearch filter over conversation_id, business_unit_id, from, type and created_at',
				displayOptions: { show: { scope: ['organization'] } },
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: true,
				description:
					"Whether to return each message in the iMBRACE node's flat shape instead of the raw data",
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Include Own Messages',
						name: 'includeOwnMessages',
						type: 'boolean',
						default: false,
						description:
							"Whether messages sent with this trigger's credential start the workflow too (a workflow that answers them can answer itself); where iMBRACE will not say who the credential is, whether agents' and the bot's messages do",
					},
					{
						displayName: 'Message Types',
						name: 'messageTypes',
						type: 'multiOptions',
						options: [
							{ name: 'File', value: 'file' },
							{ name: 'Image', value: 'image' },
							{ name: 'PDF', value: 'pdf' },
							{ name: 'Quick Reply', value: 'quick_reply' },
							{ name: 'Text', value: 'text' },
						],
						default: [],
						description: 'Only messages of these types; none chosen for every type',
					},
					{
						displayName: 'Sender Types',
						name: 'senderTypes',
						type: 'multiOptions',
						options: [
							{ name: 'Agent', value: 'agent', description: 'A person of the team (u_…)' },
							{ name: 'Bot', value: 'bot', description: 'The iMBRACE bot (u_imbrace_bot)' },
							{ name: 'Contact', value: 'contact', description: 'A customer (con_…)' },
						],
						default: [],
						description: 'Only messages from these senders; none chosen for every sender',
					},
				],
			},
		],
	};

	methods = { listSearch };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollMessages.call(this);
	}
}
