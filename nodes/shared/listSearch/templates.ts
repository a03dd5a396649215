import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INBOX_PAGE_SIZE, INBOX_PATHS, rowsOf } from '../transport/inbox';
import {
	businessUnitIds,
	currentId,
	matchesFilter,
	pageThroughLists,
	read,
	requesterFor,
} from './lists';

/**
 * The templates Send may use (§19): message templates, or, for a WhatsApp Template, the approved
 * WhatsApp templates. Those of the conversation's business unit (and WhatsApp channel) where the
 * Conversation ID is set, else of every unit the caller is in. iMBRACE has no search for them:
 * names are matched here.
 */
export async function searchTemplates(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const requester = await requesterFor(this);
	const whatsapp = this.getCurrentNodeParameter('messageType') === 'whatsappTemplate';
	const conversationId = currentId(this, 'conversationId', 'conv_');
	let scopes: Array<{ unit: string; channel?: string }>;
	const [conversation] = conversationId
		? rowsOf(
				(
					await read(requester, INBOX_PATHS.teamConversations, {
						type: 'conversation_id',
						q: conversationId,
					})
				).data,
			)
		: [];
	if (conversation) {
		scopes = [
			{ unit: String(conversation.business_unit_id), channel: String(conversation.channel_id) },
		];
	} else {
		scopes = (await businessUnitIds(requester)).map((unit) => ({ unit: String(unit.id) }));
	}
	return await pageThroughLists(
		scopes,
		paginationToken,
		async ({ unit, channel }, skip) =>
			await read(
				requester,
				whatsapp ? INBOX_PATHS.whatsappTemplates : INBOX_PATHS.messageTemplates,
				{
					type: 'business_unit_id',
					q: unit,
					...(whatsapp && channel ? { channel_id: channel } : {}),
					skip,
					limit: INBOX_PAGE_SIZE,
				},
			),
		(rows) =>
			rows
				.filter((template: IDataObject) => !whatsapp || template.status === 'APPROVED')
				.filter((template) =>
					matchesFilter(filter, template.title, template.template_name, template.text),
				)
				.map((template) => ({
					name: whatsapp
						? `${String(template.template_name ?? template.id)} (${String(template.language ?? '')})`
						: String(template.title ?? template.id),
					value: String(template.id),
				})),
	);
}
