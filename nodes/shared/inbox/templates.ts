import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeRun } from '../operations/nodeRun';
import { nodeRunOf } from '../operations/nodeRun';
import type { Requester } from '../transport/requester';
import { INBOX_PATHS, readInboxList } from '../transport/inbox';
import { CONVERSATION_HINTS, requestOptionsOf, teamConversationsOf } from './teamConversations';

export type TemplateKind = 'message' | 'whatsapp';

/**
 * What one node run has read for its template sends, so that 1,000 items to one conversation
 * with one template cost one lookup and one template list, not a thousand of each.
 */
interface RunReads {
	conversations: Map<string, Promise<IDataObject>>;
	templates: Map<string, Promise<IDataObject[]>>;
}

const reads = new WeakMap<NodeRun, RunReads>();

function readsOf(context: IExecuteSingleFunctions): RunReads {
	const run = nodeRunOf(context);
	let known = reads.get(run);
	if (!known) {
		known = { conversations: new Map(), templates: new Map() };
		reads.set(run, known);
	}
	return known;
}

/** Remembers a read for the run; a read that failed is not remembered (the next item asks again). */
function once<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
	let reading = cache.get(key);
	if (!reading) {
		reading = read();
		cache.set(key, reading);
		reading.catch(() => cache.delete(key));
	}
	return reading;
}

/** A template of the conversation's business unit (and, for WhatsApp, of its channel). */
export async function findTemplate(
	context: IExecuteSingleFunctions,
	requester: Requester,
	kind: TemplateKind,
	conversationId: string,
	templateId: string,
	request: IHttpRequestOptions,
): Promise<IDataObject> {
	const known = readsOf(context);
	// Every item reads through the run's cache; an item that fails here says so on itself.
	const conversation = await once(known.conversations, conversationId, async () => {
		const [first] = await teamConversationsOf(context, requester, conversationId, request);
		return first;
	}).catch((error) => {
		if (error instanceof NodeOperationError) {
			// Thrown for the item that first asked: said again for this one.
			throw new NodeOperationError(
				context.getNode(),
				error.message.replace(/\[item \d+\]$/, `[item ${context.getItemIndex()}]`),
				{
					itemIndex: context.getItemIndex(),
					description: error.description ?? undefined,
				},
			);
		}
		throw error;
	});
	const businessUnitId = String(conversation.business_unit_id ?? '');
	const channelId = String(conversation.channel_id ?? '');
	const list =
		kind === 'message'
			? { url: INBOX_PATHS.messageTemplates, qs: { type: 'business_unit_id', q: businessUnitId } }
			: {
					url: INBOX_PATHS.whatsappTemplates,
					qs: { type: 'business_unit_id', q: businessUnitId, channel_id: channelId },
				};
	const templates = await once(
		known.templates,
		`${kind} ${businessUnitId} ${channelId}`,
		async () =>
			await readInboxList(
				{ method: 'GET', ...list, ...requestOptionsOf(request) },
				Infinity,
				async (page) => await requester.call({ request: page, hints: CONVERSATION_HINTS }),
			),
	);
	const template = templates.find((candidate) => String(candidate.id) === templateId);
	if (template) return template;
	const itemIndex = context.getItemIndex();
	const where =
		kind === 'message'
			? `a message template of the business unit ${businessUnitId}`
			: `a WhatsApp template of the channel ${channelId}`;
	throw new NodeOperationError(
		context.getNode(),
		`The Template ID "${templateId}" is not ${where}, to which the conversation belongs [item ${itemIndex}]`,
		{
			itemIndex,
			description:
				"Choose the template from the list (it shows the conversation's templates), or check the ID in iMBRACE.",
		},
	);
}
