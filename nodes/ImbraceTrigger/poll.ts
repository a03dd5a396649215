import { createHash } from 'node:crypto';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { SenderType } from '../shared/simplify';
import { senderType, simplifyMessage } from '../shared/simplify';
import { checkId, ensure, organizationIdOf, parameterValue } from '../shared/validation';
import type { Budget, ConversationCursor, OrganizationCursor, Stream } from './streams';
import { conversationStream, organizationStream } from './streams';

/**
 * A poll stops reading once it holds this many messages (it finishes the page it is on); a larger
 * backlog drains over the following polls.
 */
const MAX_MESSAGES_PER_POLL = 5000;

/** What n8n versions without a poll budget get: n8n's own default. */
const DEFAULT_BUDGET_MS = 5 * 60_000;

interface Settings {
	scope: 'conversation' | 'organization';
	target: string;
	query: string;
	filter: string;
	messageTypes: string[];
	senderTypes: SenderType[];
	simplify: boolean;
}

async function readSettings(context: IPollFunctions): Promise<Settings> {
	const scope = context.getNodeParameter('scope') as Settings['scope'];
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const common = {
		messageTypes: (options.messageTypes as string[] | undefined) ?? [],
		senderTypes: (options.senderTypes as SenderType[] | undefined) ?? [],
		simplify: options.simplify === true,
	};
	if (scope === 'conversation') {
		const conversationId = parameterValue(context, 'conversationId');
		ensure(context, 'Conversation ID', checkId(conversationId, 'conversation', true));
		return { ...common, scope, target: String(conversationId).trim(), query: '', filter: '' };
	}
	return {
		...common,
		scope,
		target: await organizationIdOf(context),
		query: String(context.getNodeParameter('query', '')),
		filter: String(context.getNodeParameter('filter', '')).trim(),
	};
}

/** Names what the cursor follows, so that watching something else starts afresh. */
function streamKey(settings: Settings): string {
	const watched = [settings.scope, settings.target, settings.query, settings.filter];
	return createHash('sha256').update(JSON.stringify(watched)).digest('hex').slice(0, 16);
}

function matches(message: IDataObject, settings: Settings): boolean {
	const sender = senderType(message.from);
	return (
		(!settings.messageTypes.length || settings.messageTypes.includes(String(message.type))) &&
		(!settings.senderTypes.length || (sender !== null && settings.senderTypes.includes(sender)))
	);
}

function pollBudget(context: IPollFunctions): Budget {
	const started = Date.now();
	// Stop with a fifth of the budget to spare: the items still have to reach n8n.
	const budgetMs = 0.8 * (context.getPollBudgetMs?.() ?? DEFAULT_BUDGET_MS);
	return {
		allowsMore: (collected) => collected < MAX_MESSAGES_PER_POLL && Date.now() - started < budgetMs,
	};
}

/**
 * One poll. The first after activation only records where the stream stands; later ones emit
 * every message since, oldest first, and move the cursor only once they have read them all
 * (a failed poll leaves it where it was). A manual run shows the newest matching message and
 * leaves the cursor alone.
 */
export async function pollMessages(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = await readSettings(this);
	const stream: Stream<ConversationCursor | OrganizationCursor> =
		settings.scope === 'conversation'
			? conversationStream(this, settings.target)
			: organizationStream(this, settings.target, settings);
	const toItems = (messages: IDataObject[]) =>
		messages
			.filter((message) => matches(message, settings))
			.map((message) => ({ json: settings.simplify ? simplifyMessage(message) : message }));

	if (this.getMode() === 'manual') {
		const newest = toItems(await stream.newest()).slice(0, 1);
		return newest.length ? [newest] : null;
	}

	const staticData = this.getWorkflowStaticData('node');
	const key = streamKey(settings);
	const cursor = staticData.cursor as ConversationCursor | OrganizationCursor | undefined;
	if (!cursor || cursor.key !== key) {
		staticData.cursor = await stream.start(key);
		return null;
	}
	const { messages, cursor: next } = await stream.since(cursor, pollBudget(this));
	staticData.cursor = next;
	const items = toItems(messages);
	return items.length ? [items] : null;
}
