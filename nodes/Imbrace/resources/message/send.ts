import type {
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { operationRouting, uploadFile } from '../../../shared/transport';
import {
	asText,
	checkBinaryProperty,
	checkText,
	checkUrl,
	dropEmpty,
	ensure,
	fieldsOf,
	tidyId,
} from '../../../shared/validation';
import { conversationIdField } from './conversationId';

const FILE_TYPES = ['image', 'file', 'pdf'];

/**
 * Checks the message routing built and finishes it: the wire type of a quick reply, no empty
 * optional fields, and, for a Binary File, the file uploaded first and its address sent.
 */
async function prepareMessage(
	this: IExecuteSingleFunctions,
	request: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = fieldsOf(request, 'body');
	tidyId(this, body, 'conversation_id', 'Conversation ID', 'conversation', false);
	asText(body, ['text', 'url', 'caption', 'title', 'payload']);
	dropEmpty(body, ['caption', 'title', 'payload']);
	if (body.type === 'text') {
		ensure(this, 'Text', checkText(body.text));
	} else if (body.type === 'quickReply') {
		body.type = 'quick_reply';
		if (!String(body.title ?? '').trim() && !String(body.payload ?? '').trim()) {
			ensure(this, 'Title', {
				problem: 'and the Payload are both empty',
				fix: 'A quick reply needs a Title, a Payload, or both.',
			});
		}
	} else if (this.getNodeParameter('fileSource') === 'binary') {
		const property = this.getNodeParameter('binaryPropertyName') as string;
		ensure(this, 'Input Binary Field', checkBinaryProperty(this.getInputData(), property));
		body.url = await uploadFile(this, property, request);
	} else {
		body.url = typeof body.url === 'string' ? body.url.trim() : body.url;
		ensure(this, 'URL', checkUrl(body.url));
	}
	return request;
}

export const sendOperation: INodePropertyOptions = {
	name: 'Send',
	value: 'send',
	action: 'Send a message',
	description:
		'Send a text, image, file, PDF or quick-reply message to a conversation; files come from a URL or from binary input',
	routing: operationRouting(
		{ method: 'POST', url: '/v1/backend/conversation_messages' },
		{
			checks: [prepareMessage],
			hints: {
				notFound: 'Conversation ID',
				invalid:
					'Check the fields of the chosen Message Type; an agent token or API key must also set the Conversation ID.',
			},
		},
	),
};

function showFor(extra: Record<string, string[]> = {}) {
	return { show: { resource: ['message'], operation: ['send'], ...extra } };
}

export const sendFields: INodeProperties[] = [
	conversationIdField('send', 'body'),
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{ name: 'File', value: 'file', description: 'A file to download, with an optional caption' },
			{ name: 'Image', value: 'image', description: 'A picture, with an optional caption' },
			{ name: 'PDF', value: 'pdf', description: 'A PDF document, with an optional caption' },
			{
				name: 'Quick Reply',
				value: 'quickReply',
				description: 'A reply option with a title and a payload',
			},
			{ name: 'Text', value: 'text', description: 'A plain text message' },
		],
		default: 'text',
		displayOptions: showFor(),
		routing: { send: { type: 'body', property: 'type' } },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. Thanks, we have received your request.',
		displayOptions: showFor({ messageType: ['text'] }),
		routing: { send: { type: 'body', property: 'text' } },
	},
	{
		displayName: 'File Source',
		name: 'fileSource',
		type: 'options',
		options: [
			{ name: 'URL', value: 'url', description: 'A public address of the file' },
			{
				name: 'Binary File',
				value: 'binary',
				description: 'A file of the input item, uploaded to iMBRACE first',
			},
		],
		default: 'url',
		displayOptions: showFor({ messageType: FILE_TYPES }),
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/brochure.pdf',
		description: 'The absolute http(s) address of the file',
		displayOptions: showFor({ messageType: FILE_TYPES, fileSource: ['url'] }),
		routing: { send: { type: 'body', property: 'url' } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to send',
		displayOptions: showFor({ messageType: FILE_TYPES, fileSource: ['binary'] }),
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		placeholder: 'e.g. Our price list',
		description: 'Text shown with the file',
		displayOptions: showFor({ messageType: FILE_TYPES }),
		routing: { send: { type: 'body', property: 'caption' } },
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		placeholder: 'e.g. Red',
		description: 'The text of the reply option',
		displayOptions: showFor({ messageType: ['quickReply'] }),
		routing: { send: { type: 'body', property: 'title' } },
	},
	{
		displayName: 'Payload',
		name: 'payload',
		type: 'string',
		default: '',
		placeholder: 'e.g. 0_red',
		description: 'The value a bot receives when the option is chosen',
		displayOptions: showFor({ messageType: ['quickReply'] }),
		routing: { send: { type: 'body', property: 'payload' } },
	},
];
