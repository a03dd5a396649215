import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { conversationMessages, messageId } from '../../../shared/transport/endpoints';
import { nodeRunOf } from '../../../shared/operations/nodeRun';
import { endpointPath } from '../../../shared/transport/routes';
import {
	operationRouting,
	requesterOf,
	unexpectedAnswer,
} from '../../../shared/operations/routing';
import type { Requester } from '../../../shared/transport/requester';
import { idLocator } from '../../../shared/fields/descriptions';
import type { TemplateKind } from '../../../shared/inbox/templates';
import { findTemplate } from '../../../shared/inbox/templates';
import { fillTemplate, templateVariableCount } from '../../../shared/transport/inbox';
import {
	asText,
	checkBinaryProperty,
	checkText,
	checkUrl,
	dropEmpty,
	ensure,
	fieldsOf,
	textOf,
	tidyId,
} from '../../../shared/fields/validation';

const FILE_TYPES = ['image', 'file', 'pdf'];
const TEMPLATE_TYPES = ['template', 'whatsappTemplate'];

/** The Variables as texts: a list of values, or one value mapped on its own. */
function variablesOf(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	return (Array.isArray(value) ? value : [value]).map((variable) =>
		typeof variable === 'object' && variable !== null ? JSON.stringify(variable) : String(variable),
	);
}

/**
 * A template send (§20). The node reads the template first, although iMBRACE refuses a wrong
 * number of WhatsApp variables itself: a message template's text is filled in by the sender,
 * so it must be read anyway, and counting both kinds' variables before anything is sent names
 * the item and the count the template expects. iMBRACE reads templates only as a business unit's
 * list (§19), so the conversation's unit is looked up first; both reads are kept for the run.
 */
async function prepareTemplate(
	context: IExecuteSingleFunctions,
	request: IHttpRequestOptions,
	body: IDataObject,
): Promise<void> {
	const kind: TemplateKind = body.type === 'template' ? 'message' : 'whatsapp';
	const templateId = typeof body.template_id === 'string' ? body.template_id.trim() : '';
	ensure(
		context,
		'Template ID',
		templateId ? undefined : { problem: 'is empty', fix: 'Choose a template, or map its ID.' },
	);
	ensure(
		context,
		'Conversation ID',
		body.conversation_id
			? undefined
			: {
					problem: 'is empty',
					fix: 'A template is sent into a named conversation: set the Conversation ID.',
				},
	);
	body.template_id = templateId;
	const variables = variablesOf(body.variables);
	const empty = variables.findIndex((variable) => !variable.trim());
	if (empty >= 0) {
		ensure(context, 'Variables', {
			problem: `have an empty value at position ${empty + 1}`,
			fix: 'Every variable of a template needs a text: fill it in, or map a value that is not empty.',
		});
	}
	// Sent by an earlier try of Retry On Fail: it is not sent again, so needs no reading.
	if (nodeRunOf(context).recall(context.getItemIndex())) return;
	const requester = await requesterOf(context);
	const template = await findTemplate(
		context,
		requester,
		kind,
		String(body.conversation_id),
		templateId,
		request,
	);
	const text = String(template.text ?? '');
	const expected = templateVariableCount(text);
	if (variables.length !== expected) {
		const name = String(template.title ?? template.template_name ?? templateId);
		ensure(context, 'Variables', {
			problem: `have ${variables.length} value${variables.length === 1 ? '' : 's'}, but the template "${name}" expects ${expected}`,
			fix: `Give one variable per placeholder of the template, in order: the first fills {{1}}. The template reads: ${text}`,
		});
	}
	if (kind === 'whatsapp') {
		if (template.status !== undefined && template.status !== 'APPROVED') {
			ensure(context, 'Template ID', {
				problem: `"${templateId}" is not approved by WhatsApp (its status is ${String(template.status)})`,
				fix: 'Only approved WhatsApp templates can be sent: choose another, or wait for its approval.',
			});
		}
		body.type = 'whatsapp.template';
		body.variables = variables;
	} else {
		body.type = 'message_template';
		body.text = fillTemplate(text, variables);
		delete body.variables;
	}
}

/** The request options of the node's own request (timeout, proxy, certificates), for its others. */
function sameOptions(request: IHttpRequestOptions) {
	const { timeout, proxy, skipSslCertificateValidation } = request;
	return { timeout, proxy, skipSslCertificateValidation };
}

/** Uploads the item's binary file (name and type kept) and answers its iMBRACE address. */
async function uploadFile(
	context: IExecuteSingleFunctions,
	property: string,
	request: IHttpRequestOptions,
): Promise<string> {
	const binary = context.helpers.assertBinaryData(property);
	const content = await context.helpers.getBinaryDataBuffer(property);
	const mimeType = binary.mimeType || 'application/octet-stream';
	const fileName =
		binary.fileName || `file${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;

	const form = new FormData();
	form.append('file', new Blob([content], { type: mimeType }), fileName);
	form.append('destination', mimeType);
	// An upload is repeated like a read: a second copy of a file sends no message.
	const answer = await (
		await requesterOf(context)
	).call({
		request: {
			method: 'POST',
			url: endpointPath('uploadFile'),
			body: form,
			...sameOptions(request),
		},
		hints: { invalid: `Check the file in the Input Binary Field "${property}".` },
	});
	if (typeof answer.url !== 'string' || !answer.url) throw unexpectedAnswer(context, answer);
	return answer.url;
}

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
	if (TEMPLATE_TYPES.includes(String(body.type))) {
		await prepareTemplate(this, request, body);
		return request;
	}
	delete body.variables;
	delete body.template_id;
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
		// Sent by an earlier try of Retry On Fail: it is not sent again, so needs no upload.
		if (!nodeRunOf(this).recall(this.getItemIndex())) {
			body.url = await uploadFile(this, property, request);
		}
	} else {
		body.url = typeof body.url === 'string' ? body.url.trim() : body.url;
		ensure(this, 'URL', checkUrl(body.url));
	}
	return request;
}

/** Whether a listed message is the one the request sent (the same type and content). */
function isSameMessage(listed: IDataObject, sent: IDataObject): boolean {
	const content = (listed.content ?? {}) as IDataObject;
	const same = (key: string) => String(content[key] ?? '') === String(sent[key] ?? '');
	if (sent.type === 'message_template') {
		// Stored as a text message with the filled-in text.
		return ['text', 'message_template'].includes(String(listed.type)) && same('text');
	}
	if (sent.type === 'whatsapp.template') {
		return (
			JSON.stringify(content.variables ?? null) === JSON.stringify(sent.variables) &&
			['whatsapp.template', 'template', 'text'].includes(String(listed.type))
		);
	}
	if (listed.type !== sent.type) return false;
	if (sent.type === 'text') return same('text');
	if (sent.type === 'quick_reply') return same('title') && same('payload');
	return same('url') && same('caption');
}

/**
 * How much earlier than its send a message may be stamped and still be it: the error of the
 * gateway's clock once known from its answers, or a wide margin before that.
 */
const KNOWN_CLOCK_MARGIN_MS = 5_000;
const UNKNOWN_CLOCK_MARGIN_MS = 2 * 60_000;

/**
 * After a lost answer: the message is in the conversation if one of its newest messages is the
 * same message, stamped since this send began, newer than what this process last sent there,
 * from this token's sender where that is known, and not one this run delivered already. The
 * API has no idempotency key; the README says what is left (the same text from elsewhere in the
 * same seconds).
 */
async function confirmSent(
	this: IExecuteSingleFunctions,
	requester: Requester,
	request: IHttpRequestOptions,
	startedAt: number,
): Promise<IDataObject | undefined> {
	const sent = request.body as IDataObject;
	const conversationId = textOf(request, 'conversation_id');
	const answer = await requester.call({
		request: {
			method: 'GET',
			url: endpointPath('messages'),
			qs: { ...(conversationId ? { conversation_id: conversationId } : {}), limit: 20, skip: 0 },
			...sameOptions(request),
		},
		hints: { notFound: 'Conversation ID' },
	});
	const { sender, clockAheadMs, lastSent } = requester.token;
	const since = new Date(
		clockAheadMs === undefined
			? startedAt - UNKNOWN_CLOCK_MARGIN_MS
			: startedAt + clockAheadMs - KNOWN_CLOCK_MARGIN_MS,
	).toISOString();
	const delivered = nodeRunOf(this).deliveredIds();
	const { rows } = conversationMessages.readPage(answer, 0);
	const previous = lastSent.get(String(rows[0]?.conversation_id ?? conversationId));
	return rows.find(
		(message) =>
			isSameMessage(message, sent) &&
			String(message.created_at) >= since &&
			(!previous ||
				(String(message.created_at) >= previous.at && messageId(message) !== previous.id)) &&
			!delivered.has(messageId(message)) &&
			(sender === undefined || message.from === sender),
	);
}

export const sendOperation: INodePropertyOptions = {
	name: 'Send',
	value: 'send',
	action: 'Send a message',
	description:
		'Send a text, image, file, PDF, quick-reply or template message to a conversation; files come from a URL or from binary input',
	routing: operationRouting({
		endpoint: 'messages',
		method: 'POST',
		// One conversation's messages are sent in item order, each after the previous one's answer.
		write: {
			what: 'message',
			done: 'sent',
			lane: (request) => textOf(request, 'conversation_id'),
			confirm: confirmSent,
		},
		checks: [prepareMessage],
		hints: {
			notFound: 'Conversation ID',
			invalid:
				'Check the fields of the chosen Message Type; an agent token or API key must also set the Conversation ID.',
		},
	}),
};

function showFor(extra: Record<string, string[]> = {}) {
	return { show: { resource: ['message'], operation: ['send'], ...extra } };
}

export const sendFields: INodeProperties[] = [
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
			{
				name: 'Template',
				value: 'template',
				description: "One of the business unit's message templates, its variables filled in",
			},
			{ name: 'Text', value: 'text', description: 'A plain text message' },
			{
				name: 'WhatsApp Template',
				value: 'whatsappTemplate',
				description:
					'A template approved by WhatsApp: the only message a WhatsApp contact may get more than 24 hours after writing last',
			},
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
		...idLocator({
			name: 'templateId',
			displayName: 'Template ID',
			kind: 'template',
			required: true,
			searchListMethod: 'searchTemplates',
			placeholder: 'e.g. tpl_order_update',
			description:
				"The template to send; the list shows the conversation's templates (for WhatsApp, the approved ones of its channel)",
			displayOptions: showFor({ messageType: TEMPLATE_TYPES }),
		}),
		routing: { send: { type: 'body', property: 'template_id' } },
	},
	{
		displayName: 'Variables',
		name: 'variables',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Variable' },
		default: [],
		placeholder: 'e.g. Jenny',
		description:
			'The texts of the template’s placeholders, in order: the first fills {{1}}, the second {{2}}, and so on',
		displayOptions: showFor({ messageType: TEMPLATE_TYPES }),
		routing: { send: { type: 'body', property: 'variables' } },
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
