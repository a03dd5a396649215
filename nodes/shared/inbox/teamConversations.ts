import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FailureHints } from '../transport/errors';
import { INBOX_PATHS, rowsOf } from '../transport/inbox';
import type { Requester } from '../transport/requester';
import { simplifyMessage } from '../simplify';

/** WhatsApp lets a business write freely for this long after the contact's last message (§21). */
const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The request options of the node's own request (timeout, proxy, certificates), for its others. */
export function requestOptionsOf(request: IHttpRequestOptions) {
	const { timeout, proxy, skipSslCertificateValidation } = request;
	return { timeout, proxy, skipSslCertificateValidation };
}

/** Hints for a request to the inbox about one conversation. */
export const CONVERSATION_HINTS: FailureHints = { inbox: true, notFound: 'Conversation ID' };

/**
 * The team conversations of a `conv_` conversation that the caller sees (§15), one per team it is
 * routed to. None: the conversation is not one this credential can see, which fails the item.
 */
export async function teamConversationsOf(
	context: IExecuteSingleFunctions,
	requester: Requester,
	conversationId: string,
	request: IHttpRequestOptions,
): Promise<IDataObject[]> {
	const answer = await requester.call({
		request: {
			method: 'GET',
			url: INBOX_PATHS.teamConversations,
			qs: { type: 'conversation_id', q: conversationId },
			...requestOptionsOf(request),
		},
		hints: CONVERSATION_HINTS,
	});
	const found = rowsOf(answer.data);
	if (found.length) return found;
	const itemIndex = context.getItemIndex();
	throw new NodeOperationError(
		context.getNode(),
		`The conversation ${conversationId} is not one this credential can see [item ${itemIndex}]`,
		{
			itemIndex,
			description:
				"Check the Conversation ID, and that the credential's user is in a team the conversation is routed to (an administrator can assign it to one with Assign).",
		},
	);
}

/** One team conversation with the people in it now (§16). */
export async function readTeamConversation(
	requester: Requester,
	teamConversationId: string,
	request: IHttpRequestOptions,
): Promise<IDataObject> {
	return await requester.call({
		request: {
			method: 'GET',
			url: `${INBOX_PATHS.teamConversations}/${encodeURIComponent(teamConversationId)}`,
			...requestOptionsOf(request),
		},
		hints: CONVERSATION_HINTS,
	});
}

/** A team conversation's own ID (`id`, or `_id` on older answers). */
export function teamConversationId(teamConversation: IDataObject): string {
	return String(teamConversation.id ?? teamConversation._id ?? '');
}

function objectOrNull(value: unknown): IDataObject | null {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as IDataObject)
		: null;
}

function textOrNull(value: unknown): string | null {
	return value === undefined || value === null ? null : String(value);
}

/**
 * The node's flat conversation: `id` is the `conv_` ID users copy, the team conversation's own ID
 * beside it. `whatsapp_window_open` says whether a free-form message may still go (null off
 * WhatsApp); `agents` are the people in it now, bots left out, or null where the answer (a list)
 * does not say.
 */
export function simplifyConversation(teamConversation: IDataObject, nowMs: number): IDataObject {
	const latest = objectOrNull(teamConversation.latest_message);
	const contactLatest = objectOrNull(teamConversation.contacts_latest_message);
	const lastContactAt = textOrNull(contactLatest?.created_at);
	const channelType = textOrNull(teamConversation.channel_type);
	const lastContactMs = lastContactAt === null ? NaN : Date.parse(lastContactAt);
	const users = Array.isArray(teamConversation.users)
		? (teamConversation.users as unknown[]).map(objectOrNull)
		: undefined;
	return {
		id: textOrNull(teamConversation.conversation_id),
		team_conversation_id: teamConversationId(teamConversation) || null,
		team_id: textOrNull(teamConversation.team_id),
		business_unit_id: textOrNull(teamConversation.business_unit_id),
		channel_id: textOrNull(teamConversation.channel_id),
		channel_type: channelType,
		contact_id: textOrNull(teamConversation.contact_id),
		name: textOrNull(teamConversation.name),
		status: textOrNull(teamConversation.status),
		is_joined: typeof teamConversation.is_joined === 'boolean' ? teamConversation.is_joined : null,
		last_message: latest ? simplifyMessage(latest) : null,
		last_contact_message_at: lastContactAt,
		whatsapp_window_open:
			channelType === 'whatsapp'
				? !Number.isNaN(lastContactMs) && nowMs - lastContactMs < WHATSAPP_WINDOW_MS
				: null,
		agents: users
			? users
					.filter((user): user is IDataObject => user !== null && user.is_bot !== true)
					.map((user) => ({ id: textOrNull(user.id), name: textOrNull(user.display_name) }))
			: null,
	};
}
