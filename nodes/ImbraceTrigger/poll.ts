import { createHash } from 'node:crypto';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import type { SenderType } from '../shared/simplify';
import { senderType, simplifyMessage } from '../shared/simplify';
import { Requester, gatewayOf } from '../shared/transport/requester';
import { checkId, ensure, organizationIdOf, parameterValue } from '../shared/fields/validation';
import type { Budget, Stream, StreamCursor } from './streams';
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
	includeOwnMessages: boolean;
}

async function readSettings(context: IPollFunctions): Promise<Settings> {
	const scope = context.getNodeParameter('scope') as Settings['scope'];
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const common = {
		messageTypes: (options.messageTypes as string[] | undefined) ?? [],
		senderTypes: (options.senderTypes as SenderType[] | undefined) ?? [],
		// Version 0.1 had Simplify among the options; a workflow saved with it keeps its choice.
		simplify:
			typeof options.simplify === 'boolean'
				? options.simplify
				: (context.getNodeParameter('simplify', true) as boolean),
		includeOwnMessages: options.includeOwnMessages === true,
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

/** Whether a message starts the workflow; `ownSender` is who the credential sends as, if known. */
function matches(message: IDataObject, settings: Settings, ownSender: string | undefined): boolean {
	const sender = senderType(message.from);
	return (
		(!settings.messageTypes.length || settings.messageTypes.includes(String(message.type))) &&
		(!settings.senderTypes.length || (sender !== null && settings.senderTypes.includes(sender))) &&
		(settings.includeOwnMessages || ownSender === undefined || message.from !== ownSender)
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
 * The cursor in the node's static data. Version 0.1 kept the organization's as a time and the IDs
 * handled at it; the slow path of the stream (positions unknown) picks up from there.
 */
function storedCursor(value: unknown): StreamCursor | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const cursor = value as IDataObject;
	if (typeof cursor.position === 'number') return cursor as unknown as StreamCursor;
	if (typeof cursor.at !== 'string' || !Array.isArray(cursor.ids)) return undefined;
	const lastId = String(cursor.ids.at(-1) ?? '');
	return { key: String(cursor.key), position: -1, length: -1, lastId, at: cursor.at };
}

/**
 * One poll. The first after activation only records where the stream stands; later ones emit
 * every message since, oldest first, and move the cursor only once they have read them all
 * (a failed poll leaves it where it was). A manual run shows the newest matching message and
 * leaves the cursor alone.
 */
export async function pollMessages(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = await readSettings(this);
	// A failed poll is repeated by the next one (n8n's scheduler backs off after a 429).
	const requester = new Requester(this, await gatewayOf(this), { once: true });
	const stream: Stream =
		settings.scope === 'conversation'
			? conversationStream(requester, settings.target)
			: organizationStream(requester, settings.target, settings);
	const toItems = (messages: IDataObject[], ownSender: string | undefined) =>
		messages
			.filter((message) => matches(message, settings, ownSender))
			.map((message) => ({ json: settings.simplify ? simplifyMessage(message) : message }));

	if (this.getMode() === 'manual') {
		const newest = toItems(await stream.newest(), requester.token.identity).slice(0, 1);
		return newest.length ? [newest] : null;
	}

	const staticData = this.getWorkflowStaticData('node');
	// Who the credential sends as is learned from its sends (in this process) and kept here, so
	// that a restart does not forget it.
	const ownSender = requester.token.identity ?? (staticData.ownSender as string | undefined);
	if (ownSender !== undefined && staticData.ownSender !== ownSender)
		staticData.ownSender = ownSender;
	const key = streamKey(settings);
	const cursor = storedCursor(staticData.cursor);
	if (!cursor || cursor.key !== key) {
		staticData.cursor = await stream.start(key);
		return null;
	}
	const { messages, cursor: next } = await stream.since(cursor, pollBudget(this));
	staticData.cursor = next;
	const items = toItems(messages, ownSender);
	return items.length ? [items] : null;
}
