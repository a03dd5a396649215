import type { IDataObject } from 'n8n-workflow';

/** The one flat message shape, whichever endpoint the message came from. */
export interface SimpleMessage extends IDataObject {
	id: string | null;
	conversation_id: string | null;
	business_unit_id: string | null;
	organization_id: string | null;
	from: string | null;
	sender_type: 'contact' | 'agent' | 'bot' | null;
	type: string | null;
	text: string | null;
	url: string | null;
	caption: string | null;
	title: string | null;
	payload: string | null;
	created_at: string | null;
}

export type SenderType = 'contact' | 'agent' | 'bot';

export function senderType(from: unknown): SenderType | null {
	if (typeof from !== 'string') return null;
	if (from === 'u_imbrace_bot') return 'bot';
	if (from.startsWith('u_')) return 'agent';
	if (from.startsWith('con_')) return 'contact';
	return null;
}

function field(source: IDataObject, key: string): string | null {
	const value = source[key];
	return value === undefined || value === null ? null : String(value);
}

/**
 * Flattens a message: a list item (`id`) or an index document (`_id`/`public_id`), with its
 * payload nested under `content`.
 */
export function simplifyMessage(message: IDataObject): SimpleMessage {
	const content = (
		typeof message.content === 'object' && message.content !== null ? message.content : {}
	) as IDataObject;
	return {
		id: field(message, 'id') ?? field(message, 'public_id') ?? field(message, '_id'),
		conversation_id: field(message, 'conversation_id'),
		business_unit_id: field(message, 'business_unit_id'),
		organization_id: field(message, 'organization_id'),
		from: field(message, 'from'),
		sender_type: senderType(message.from),
		type: field(message, 'type'),
		text: field(content, 'text'),
		url: field(content, 'url'),
		caption: field(content, 'caption'),
		title: field(content, 'title'),
		payload: field(content, 'payload'),
		created_at: field(message, 'created_at'),
	};
}
