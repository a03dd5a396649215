import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { operationRouting, uploadFile } from '../../../shared/transport';
import {
	checkBeforeSending,
	checkBinaryProperty,
	checkId,
	checkText,
	checkUrl,
	ensure,
	parameterValue,
} from '../../../shared/validation';
import { conversationIdField } from './conversationId';

const FILE_TYPES = ['image', 'file', 'pdf'];

function sendsFileFromBinary(context: IExecuteSingleFunctions): boolean {
	return (
		FILE_TYPES.includes(context.getNodeParameter('messageType') as string) &&
		context.getNodeParameter('fileSource') === 'binary'
	);
}

const checkMessage = checkBeforeSending(function () {
	ensure(
		this,
		'Conversation ID',
		checkId(parameterValue(this, 'conversationId'), 'conversation', false),
	);
	const messageType = this.getNodeParameter('messageType') as string;
	if (messageType === 'text') {
		ensure(this, 'Text', checkText(this.getNodeParameter('text')));
	} else if (messageType === 'quickReply') {
		const title = String(this.getNodeParameter('title', '')).trim();
		const payload = String(this.getNodeParameter('payload', '')).trim();
		if (!title && !payload) {
			ensure(this, 'Title', {
				problem: 'and the Payload are both empty',
				fix: 'A quick reply needs a Title, a Payload, or both.',
			});
		}
	} else if (sendsFileFromBinary(this)) {
		const property = this.getNodeParameter('binaryPropertyName') as string;
		ensure(this, 'Input Binary Field', checkBinaryProperty(this.getInputData(), property));
	} else {
		ensure(this, 'URL', checkUrl(this.getNodeParameter('url')));
	}
});

/** Binary File: uploads the item's file first and sends the address iMBRACE gives it. */
async function uploadBinaryFile(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	if (sendsFileFromBinary(this)) {
		const url = await uploadFile(this, this.getNodeParameter('binaryPropertyName') as string);
		requestOptions.body = { ...(requestOptions.body as IDataObject), url };
	}
	return requestOptions;
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
			checks: [checkMessage, uploadBinaryFile],
			hints: {
				notFound: 'Conversation ID',
				invalid:
					'Check the fields of the chosen Message Type; an agent token or API key must also set the Conversation ID.',
			},
		},
	),
};

function showFor(extra: IDataObject = {}) {
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
		routing: {
			send: {
				type: 'body',
				property: 'type',
				value: '={{ $value === "quickReply" ? "quick_reply" : $value }}',
			},
		},
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
		routing: { send: { type: 'body', property: 'url', value: '={{ String($value).trim() }}' } },
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
		routing: { send: { type: 'body', property: 'caption', value: '={{ $value || undefined }}' } },
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		placeholder: 'e.g. Red',
		description: 'The text of the reply option',
		displayOptions: showFor({ messageType: ['quickReply'] }),
		routing: { send: { type: 'body', property: 'title', value: '={{ $value || undefined }}' } },
	},
	{
		displayName: 'Payload',
		name: 'payload',
		type: 'string',
		default: '',
		placeholder: 'e.g. 0_red',
		description: 'The value a bot receives when the option is chosen',
		displayOptions: showFor({ messageType: ['quickReply'] }),
		routing: { send: { type: 'body', property: 'payload', value: '={{ $value || undefined }}' } },
	},
];
