import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { checkId, checkText, ensure, parameterValue } from '../../../../shared/fields/validation';
import { requestOptionsOf } from '../../../../shared/operations/custom';
import { conversationMessages } from '../../../../shared/transport/endpoints';
import { Requester, gatewayOf } from '../../../../shared/transport/requester';
import { endpointPath } from '../../../../shared/transport/routes';
import { DEFAULT_RESPOND_LABEL, approvalLabels, sentMessageKey } from './fields';

const MS_PER_UNIT: Record<string, number> = {
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};

/** When to stop waiting, from Options > Limit Wait Time (read as n8n's own nodes read it). */
export function waitTillOf(context: IExecuteFunctions): Date {
	const limit = context.getNodeParameter('options.limitWaitTime.values', 0, {}) as IDataObject;
	if (!Object.keys(limit).length) return WAIT_INDEFINITELY;
	const item = { context, itemIndex: 0 };
	if (limit.limitType === 'atSpecifiedTime') {
		const at = new Date(String(limit.maxDateAndTime ?? ''));
		ensure(
			item,
			'Max Date and Time',
			Number.isNaN(at.getTime())
				? {
						problem: `"${String(limit.maxDateAndTime ?? '')}" is not a date and time`,
						fix: 'Enter a date and time under Options > Limit Wait Time, e.g. 2026-12-24T18:00:00.',
					}
				: undefined,
		);
		return at;
	}
	const amount = Number(limit.resumeAmount ?? 1);
	const unit = MS_PER_UNIT[String(limit.resumeUnit ?? 'hours')];
	ensure(
		item,
		'Amount',
		Number.isFinite(amount) && amount >= 0 && unit
			? undefined
			: {
					problem: `"${String(limit.resumeAmount)}" is not a time to wait`,
					fix: 'Enter a number of minutes, hours or days of 0 or more under Options > Limit Wait Time.',
				},
	);
	return new Date(Date.now() + amount * unit);
}

/**
 * The text sent: the message, then one link per button, each on its own line. Plain links work in
 * every channel a conversation can be on (web chat, WhatsApp, Messenger, email, LINE, WeChat).
 */
export function messageText(context: IExecuteFunctions, message: string): string {
	const responseType = context.getNodeParameter('responseType', 0, 'approval') as string;
	const links: Array<[string, string]> = [];
	if (responseType === 'freeText') {
		const label = context.getNodeParameter(
			'options.messageButtonLabel',
			0,
			DEFAULT_RESPOND_LABEL,
		) as string;
		links.push([
			String(label || DEFAULT_RESPOND_LABEL),
			context.getSignedResumeUrl({ approved: 'true' }),
		]);
	} else {
		const values = context.getNodeParameter('approvalOptions.values', 0, {}) as IDataObject;
		const labels = approvalLabels(values);
		links.push([labels.approve, context.getSignedResumeUrl({ approved: 'true' })]);
		if (values.approvalType === 'double') {
			links.push([labels.decline, context.getSignedResumeUrl({ approved: 'false' })]);
		}
	}
	return `${message.trim()}\n\n${links.map(([label, url]) => `${label}: ${url}`).join('\n')}`;
}

/**
 * Keeps the sent message in the execution's custom data: through the context where n8n offers it
 * (2.x), else through `$execution.customData` (1.x, whose contexts have no `customData`). Where
 * neither takes it (10 keys are in use already), the output on resume names no message.
 */
function keepSentMessage(context: IExecuteFunctions, value: string) {
	const key = sentMessageKey(context.getNode().id);
	try {
		if (Reflect.has(context, 'customData')) context.customData.set(key, value);
		else {
			context.evaluateExpression(
				`{{ $execution.customData.set(${JSON.stringify(key)}, ${JSON.stringify(value)}) }}`,
				0,
			);
		}
	} catch {
		// The output on resume names no message; the answer itself is not affected.
	}
}

/** n8n 1.x checks a resume link's signature only for an execution that asks for it. */
function requireSignedLinks(context: IExecuteFunctions) {
	const older = context as IExecuteFunctions & { setSignatureValidationRequired?: () => void };
	if (typeof older.setSignatureValidationRequired === 'function') {
		older.setSignatureValidationRequired();
	}
}

/**
 * Send and Wait for Response is a custom operation (see the node's customOperations): routing
 * cannot put an execution to wait. It sends one text message for the first item only (the whole
 * execution waits for one answer, as with n8n's own Send and Wait), through the Requester like
 * every send, then waits. The message it sent is kept in the execution's custom data, where the
 * webhook finds it for the output on resume.
 */
export async function sendAndWaitMessage(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const item = { context: this, itemIndex: 0 };
	const pairedItem = { item: 0 };
	try {
		const rawConversationId = parameterValue(item, 'conversationId');
		const conversationId =
			typeof rawConversationId === 'string' ? rawConversationId.trim() : rawConversationId;
		ensure(item, 'Conversation ID', checkId(conversationId, 'conversation', false));
		const message = this.getNodeParameter('message', 0, '');
		ensure(item, 'Message', checkText(typeof message === 'number' ? String(message) : message));
		const waitTill = waitTillOf(this);
		requireSignedLinks(this);
		const text = messageText(this, String(message));
		const body: IDataObject = {
			...(conversationId ? { conversation_id: conversationId } : {}),
			type: 'text',
			text,
		};
		const requestOptions = requestOptionsOf(this, 0);
		const requester = new Requester(this, await gatewayOf(this));
		const sent = await requester.call({
			request: { method: 'POST', url: endpointPath('messages'), body, ...requestOptions },
			hints: {
				itemIndex: 0,
				notFound: 'Conversation ID',
				invalid: 'Check the Message; an agent token or API key must also set the Conversation ID.',
			},
			write: {
				what: 'message',
				done: 'sent',
				// The signed links make the text unique: a stored message with it is this one.
				confirm: async () => {
					const answer = await requester.call({
						request: {
							method: 'GET',
							url: endpointPath('messages'),
							qs: {
								...(conversationId ? { conversation_id: conversationId } : {}),
								limit: 20,
								skip: 0,
							},
							...requestOptions,
						},
						hints: { itemIndex: 0, notFound: 'Conversation ID' },
					});
					return conversationMessages
						.readPage(answer, 0)
						.rows.find((row) => (row.content as IDataObject | undefined)?.text === text);
				},
			},
		});
		requester.learnFromSent(sent);
		const json = {
			message_id: String(sent.id ?? ''),
			conversation_id: String(sent.conversation_id ?? conversationId ?? ''),
		};
		keepSentMessage(this, `${json.message_id} ${json.conversation_id}`);
		await this.putExecutionToWait(waitTill);
		return [[{ json, pairedItem }]];
	} catch (caught) {
		const error =
			caught instanceof NodeOperationError || (caught as Error)?.name === 'NodeApiError'
				? (caught as NodeOperationError)
				: new NodeOperationError(this.getNode(), caught as Error, { itemIndex: 0 });
		if (!this.continueOnFail()) throw error;
		return [[{ json: {}, error, pairedItem }]];
	}
}
