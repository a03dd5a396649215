/**
 * The Conversations API endpoints (the wire contract, §1–§8): routing, authentication and the
 * handlers. Pure request-in, response-out; server.ts does the HTTP. The inbox (§9–§21) adds its
 * routes and its part of sending from inbox.ts.
 */
import { createHash } from 'node:crypto';

import {
	CHANNEL_TYPES,
	OVERDUE_AFTER_MS,
	Random,
	SOON_TO_BE_AFTER_MS,
	conversationToApi,
	messageToApi,
	messageToDocument,
} from './data';
import type {
	BusinessUnit,
	Conversation,
	MessageRecord,
	MonotonicClock,
	Principal,
	SandboxStore,
} from './data';
import {
	FilterError,
	SortError,
	createFilter,
	describeJson,
	parseSort,
	relevance,
	splitWords,
} from './filter';
import type { FilterPredicate, SortRule } from './filter';
import { multipartBoundary, parseMultipart } from './multipart';
import type { MultipartPart } from './multipart';

export interface ApiRequest {
	method: string;
	/** The path without the query string, as sent (not decoded). */
	path: string;
	query: Record<string, string>;
	/** The query as sent (no `?`), for parameters that repeat; absent means none. */
	queryString?: string;
	/** Lower-cased names. */
	headers: Record<string, string>;
	body: Buffer;
}

export interface ApiResponse {
	status: number;
	contentType: string;
	body: string | Buffer;
	headers?: Record<string, string>;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Which route families the gateway serves (imbrace-api.md, "Two route families"). */
export const ROUTE_MODES = ['documented', 'current', 'both'] as const;
export type RoutesMode = (typeof ROUTE_MODES)[number];
/** The Meilisearch generation behind search and fetch ("Index generations and limits"). */
export const MEILI_GENERATIONS = ['1.14', '1.15'] as const;
export type MeiliGeneration = (typeof MEILI_GENERATIONS)[number];

export interface SandboxMode {
	routes: RoutesMode;
	meili: MeiliGeneration;
	/** Whether the gateway routes the inbox's `/platform/…` and `/channel-service/…` paths (§9–§21). */
	inbox: boolean;
	/** Whether a free-form send to a WhatsApp contact silent for 24 h is refused (§21). */
	whatsappWindow: boolean;
}

/** Meilisearch's default `maxTotalHits`: search never ranks past it (fetch is not capped). */
export const MAX_TOTAL_HITS = 1000;
/** The stream that the API-key gate's `request_id`s come from; it restarts at reset. */
const REQUEST_ID_SEED = 4242;
/** The paths that the API-key gate names when it refuses an inbox path. */
const KEY_PATHS = '/conversation_message, /board, /channels, /touchpoints, /campaign';

export function jsonResponse(status: number, value: unknown): ApiResponse {
	return { status, contentType: JSON_CONTENT_TYPE, body: JSON.stringify(value) };
}

/** The contract's error answers, by name. */
const errors = {
	unauthorizedMissing: () =>
		jsonResponse(401, { message: 'Unauthorized - API key or Access Token required' }),
	unauthorizedInvalid: () => jsonResponse(401, { message: 'Unauthorized - Invalid token' }),
	forbidden: () => jsonResponse(403, { message: 'Forbidden' }),
	notFound: () => jsonResponse(404, { message: 'Not Found' }),
	conversationNotFound: () => jsonResponse(404, { message: 'Conversation not found' }),
	invalidParameters: () =>
		jsonResponse(400, { code: 40000, message: 'Invalid request parameters' }),
	invalidRequest: () => jsonResponse(400, { code: 40000, message: 'Invalid request' }),
	invalidMessage: () =>
		jsonResponse(400, { code: 40000, message: 'Invalid message type or content' }),
};

function meilisearchError(code: string, message: string): ApiResponse {
	return jsonResponse(400, {
		message,
		code,
		type: 'invalid_request',
		link: `https://docs.meilisearch.com/errors#${code}`,
	});
}

export const GATEWAY_INFO = {
	name: 'App Gateway Public Server',
	version: 'sandbox-1.0.0',
	env: 'sandbox',
};

export type Handler = (
	principal: Principal,
	request: ApiRequest,
	parameters: string[],
) => ApiResponse;

/**
 * `documented` and `current` are the two families; search and fetch are `shared` (one path);
 * `inbox` is §9–§21 (one family, served unless the mode's `inbox` is off).
 */
type RouteFamily = 'documented' | 'current' | 'shared' | 'inbox';

interface Route {
	family: RouteFamily;
	/** The prefix the gateway strips: its key check and the service see the rest of the path. */
	mount: string;
	/** Put back in front by the gateway's proxy (the legacy backend's `/v1/`). */
	servicePrefix: string;
	handler: Handler;
}

/** The path below a mount, as Express hands it on: `/` when nothing is left. */
function belowMount(path: string, mount: string): string {
	return path.slice(mount.length) || '/';
}

/** Tells a handler's early answer from the value it was after. */
export function isResponse(value: object): value is ApiResponse {
	return 'contentType' in value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type JsonBody = { ok: true; value: unknown } | { ok: false };

/** An empty body reads as undefined; a body that is not JSON fails. */
function readJson(request: ApiRequest): JsonBody {
	if (request.body.length === 0) return { ok: true, value: undefined };
	try {
		return { ok: true, value: JSON.parse(request.body.toString('utf8')) };
	} catch {
		return { ok: false };
	}
}

/** A JSON object body ({} when empty); undefined for invalid JSON or a non-object. */
export function readJsonObject(request: ApiRequest): Record<string, unknown> | undefined {
	const body = readJson(request);
	if (!body.ok) return undefined;
	if (body.value === undefined) return {};
	return isRecord(body.value) ? body.value : undefined;
}

/** A query integer: digits only, within [min, max]; undefined when invalid. */
function queryInteger(
	value: string | undefined,
	fallback: number,
	min: number,
	max: number,
): number | undefined {
	if (value === undefined) return fallback;
	if (!/^\d+$/.test(value)) return undefined;
	const number = Number(value);
	return number >= min && number <= max ? number : undefined;
}

/** A JSON integer within [min, max] (null or absent: the fallback); undefined when invalid. */
function bodyInteger(
	value: unknown,
	fallback: number,
	min: number,
	max: number,
): number | undefined {
	if (value === undefined || value === null) return fallback;
	return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
		? value
		: undefined;
}

/** `limit` and `offset` of a Meilisearch request body, or its error (codes `invalid_<kind>_…`). */
function readPage(
	body: Record<string, unknown>,
	defaultLimit: number,
	kind: 'search' | 'document',
): { limit: number; offset: number } | ApiResponse {
	const limit = bodyInteger(body.limit, defaultLimit, 1, 1000);
	if (limit === undefined) {
		return meilisearchError(
			`invalid_${kind}_limit`,
			'Invalid value for limit: must be between 1 and 1000',
		);
	}
	const offset = bodyInteger(body.offset, 0, 0, Number.MAX_SAFE_INTEGER);
	if (offset === undefined) {
		return meilisearchError(
			`invalid_${kind}_offset`,
			'Invalid value for offset: must be a non-negative integer',
		);
	}
	return { limit, offset };
}

function isHttpUrl(value: unknown): value is string {
	if (typeof value !== 'string') return false;
	try {
		const url = new URL(value);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
	} catch {
		return false;
	}
}

/** Text the `q` search looks at (§7). */
const SEARCHABLE_FIELDS = ['text', 'title', 'payload', 'caption', 'description'];

function searchableWords(record: MessageRecord): readonly string[] {
	if (!record.words) {
		const texts: string[] = [];
		for (const field of SEARCHABLE_FIELDS) {
			const value = record.content[field];
			if (typeof value === 'string') texts.push(value);
		}
		record.words = splitWords(texts.join(' '));
	}
	return record.words;
}

export interface MultipartSummary {
	fields: Record<string, string>;
	files: Array<{
		field: string;
		filename: string;
		contentType: string;
		size: number;
		sha256: string;
	}>;
}

export function summariseMultipart(parts: readonly MultipartPart[]): MultipartSummary {
	const summary: MultipartSummary = { fields: {}, files: [] };
	for (const part of parts) {
		if (part.filename === undefined) {
			summary.fields[part.name] = part.data.toString('utf8');
		} else {
			summary.files.push({
				field: part.name,
				filename: part.filename,
				contentType: part.contentType ?? 'application/octet-stream',
				size: part.data.length,
				sha256: createHash('sha256').update(part.data).digest('hex'),
			});
		}
	}
	return summary;
}

export class ConversationsApi {
	/** Routes with a fixed path, by `METHOD path`: one lookup per request. */
	private readonly exactRoutes = new Map<string, Route>();
	/** Routes with a parameter in the path, tried in order. */
	private readonly patternRoutes: Array<{ method: string; pattern: RegExp; route: Route }> = [];
	/**
	 * The inbox's part of a §6 send (template types, the 24-hour window): a stored type and
	 * content, an answer instead, or undefined to leave the body to §6's own types.
	 */
	sendExtension?: (
		principal: Principal,
		conversation: Conversation,
		fields: Record<string, unknown>,
	) => { type: string; content: Record<string, unknown> } | ApiResponse | undefined;
	/** The `request_id`s of the API-key gate's answers: seeded, so runs repeat. */
	private requestIds = new Random(REQUEST_ID_SEED);

	constructor(
		public store: SandboxStore,
		private readonly clock: MonotonicClock,
		/** The sandbox's own URL, for upload links. */
		private readonly baseUrl: () => string,
		/** Read on every request: setMode changes it at run time. */
		public mode: SandboxMode,
	) {
		const add = (method: string, path: string, route: Route) =>
			this.exactRoutes.set(`${method} ${path}`, { ...route, handler: route.handler.bind(this) });
		// The documented paths are the gateway's aliases of channel-service, mounted two router
		// levels deep (the service sees what is left below the mount), except §4, which goes to
		// the legacy backend (mounted at /v1/backend; its proxy puts /v1 back in front).
		const documented = (method: string, path: string, mount: string, handler: Handler) =>
			add(method, path, { family: 'documented', mount, servicePrefix: '', handler });
		const current = (method: string, path: string, handler: Handler) =>
			add(method, path, {
				family: 'current',
				mount: '/channel-service',
				servicePrefix: '',
				handler,
			});
		const views = '/team_conversations/_views_count';
		documented('GET', `/v2/backend${views}`, '/v2/backend/team_conversations', this.viewsCount);
		documented(
			'GET',
			'/v2/backend/channels/_conv_count',
			'/v2/backend/channels',
			this.channelCounts,
		);
		documented(
			'GET',
			'/v1/backend/channels/_conv_count',
			'/v1/backend/channels',
			this.teamChannelCounts,
		);
		add('POST', '/v1/backend/conversation', {
			family: 'documented',
			mount: '/v1/backend',
			servicePrefix: '/v1',
			handler: this.createConversation,
		});
		const messages = '/v1/backend/conversation_messages';
		documented('GET', messages, messages, this.listMessages);
		documented('POST', messages, messages, this.sendMessage);
		documented('POST', `${messages}/_fileupload`, messages, this.uploadFile);

		current('GET', `/channel-service/v2${views}`, this.viewsCount);
		current('GET', '/channel-service/v1/channels/_conv_count', this.currentChannelCounts);
		current('POST', '/channel-service/v1/conversations', this.createConversation);
		current('GET', '/channel-service/v1/conversation_messages', this.listMessages);
		current('POST', '/channel-service/v1/conversation_messages', this.sendMessage);
		current('POST', '/channel-service/v1/conversation_messages/_fileupload', this.uploadFile);

		for (const [action, handler] of [
			['search', this.search],
			['fetch', this.fetchDocuments],
		] as const) {
			this.patternRoutes.push({
				method: 'POST',
				pattern: new RegExp(`^/v1/backend/meilisearch/([^/]+)/${action}$`),
				route: {
					family: 'shared',
					mount: '/v1/backend',
					servicePrefix: '',
					handler: handler.bind(this),
				},
			});
		}
	}

	/**
	 * An inbox route: `path` exact, or a pattern whose groups are the handler's parameters;
	 * `mount` is what the gateway strips before its key check.
	 */
	addInboxRoute(method: string, path: string | RegExp, mount: string, handler: Handler): void {
		const route: Route = { family: 'inbox', mount, servicePrefix: '', handler };
		if (typeof path === 'string') this.exactRoutes.set(`${method} ${path}`, route);
		else this.patternRoutes.push({ method, pattern: path, route });
	}

	/** Back to the first `request_id` (reset). */
	restartRequestIds(): void {
		this.requestIds = new Random(REQUEST_ID_SEED);
	}

	handle(request: ApiRequest): ApiResponse {
		const { method, path } = request;
		if (path === '/') return method === 'GET' ? jsonResponse(200, GATEWAY_INFO) : errors.notFound();
		const file = /^\/files\/([^/]+)\/([^/]+)$/.exec(path);
		if (file) return method === 'GET' ? this.serveFile(file[1], file[2]) : errors.notFound();
		// A known path with another method is as unknown as any other path.
		let route = this.exactRoutes.get(`${method} ${path}`);
		let parameters: string[] = [];
		if (!route) {
			for (const candidate of this.patternRoutes) {
				if (candidate.method !== method) continue;
				const match = candidate.pattern.exec(path);
				if (!match) continue;
				route = candidate.route;
				parameters = match.slice(1);
				break;
			}
		}
		if (!route) return errors.notFound();
		// The gateway authenticates before it proxies: a bad token is 401 even where nothing serves.
		const principal = this.authenticate(
			request.headers,
			belowMount(path, route.mount),
			route.family === 'inbox',
		);
		if (isResponse(principal)) return principal;
		if (!this.serves(route.family)) {
			// Not iMBRACE's body but the service's (NestJS) own. A documented alias reaches the
			// service below its mount; a current or inbox path, on a gateway without its mount,
			// reaches the legacy backend whole.
			const seenPath =
				route.family === 'documented' ? route.servicePrefix + belowMount(path, route.mount) : path;
			return jsonResponse(404, {
				statusCode: 404,
				message: `Cannot ${method} ${seenPath}`,
				error: 'Not Found',
			});
		}
		return route.handler(principal, request, parameters);
	}

	private serves(family: RouteFamily): boolean {
		const { routes } = this.mode;
		if (family === 'inbox') return this.mode.inbox;
		return family === 'shared' || routes === 'both' || routes === family;
	}

	/**
	 * x-access-token (acc_ tokens) wins over x-api-key (api_ keys) when both are sent. An API key
	 * goes through the gateway's key gate, with its own bodies; `gatePath` is the path that the
	 * gate checks a scoped key's permissions against. On the inbox's paths the gate's refusal
	 * also lists the paths a key may be given.
	 */
	private authenticate(
		headers: Record<string, string>,
		gatePath: string,
		inbox: boolean,
	): Principal | ApiResponse {
		const accessToken = headers['x-access-token'];
		const apiKey = headers['x-api-key'];
		if (accessToken) {
			const principal = this.store.tokens.get(accessToken);
			return principal && principal.kind !== 'apiKey' ? principal : errors.unauthorizedInvalid();
		}
		if (apiKey !== undefined) {
			const principal = apiKey ? this.store.tokens.get(apiKey) : undefined;
			if (!principal || principal.kind !== 'apiKey') {
				return jsonResponse(401, {
					error: 'Unauthorized',
					message: 'Invalid API key',
					request_id: this.requestIds.uuid(),
				});
			}
			const { allowedPaths } = principal;
			if (allowedPaths && !allowedPaths.some((prefix) => gatePath.startsWith(prefix))) {
				return jsonResponse(403, {
					error: 'Forbidden',
					message: inbox
						? `Invalid API path: ${gatePath}, the path should be one of the following: ${KEY_PATHS}`
						: `Invalid API path: ${gatePath}`,
					request_id: this.requestIds.uuid(),
				});
			}
			return principal;
		}
		return errors.unauthorizedMissing();
	}

	// --- §1 -------------------------------------------------------------------------------------

	private viewsCount(principal: Principal, request: ApiRequest): ApiResponse {
		if (principal.kind === 'contact') return errors.forbidden();
		const { type, q } = request.query;
		if (type !== 'business_unit_id' || !q) return errors.invalidParameters();
		const unit = this.store.businessUnits.get(q);
		if (!unit || unit.organizationId !== principal.organizationId) return errors.notFound();
		return jsonResponse(200, this.computeViewsCount(unit, principal.userId));
	}

	/**
	 * `all` = the unit's conversations that are not spam; every team key and `"null"` split
	 * exactly that set, so `all` is their sum.
	 */
	private computeViewsCount(unit: BusinessUnit, userId: string): Record<string, number> {
		const counts: Record<string, number> = {
			all: 0,
			yours: 0,
			closed: 0,
			spam: 0,
			online: 0,
			rep_needed: 0,
			pending: 0,
			soon_to_be: 0,
			overdue: 0,
		};
		const teams = new Map<string, number>();
		for (const team of this.store.requireOrganization(unit.organizationId).teams) {
			if (team.businessUnitId === unit.id) teams.set(team.id, 0);
		}
		let withoutTeam = 0;
		for (const conversation of this.store.requireOrganization(unit.organizationId).conversations) {
			if (conversation.businessUnitId !== unit.id) continue;
			if (conversation.status === 'spam') {
				counts.spam++;
				continue;
			}
			counts.all++;
			if (conversation.status === 'closed') counts.closed++;
			if (conversation.status === 'pending') counts.pending++;
			if (conversation.assigneeId === userId) counts.yours++;
			const waiting = waitingSince(conversation);
			if (waiting !== undefined) {
				counts.rep_needed++;
				const age = this.store.seedNowMs - waiting;
				if (age >= OVERDUE_AFTER_MS) counts.overdue++;
				else if (age >= SOON_TO_BE_AFTER_MS) counts.soon_to_be++;
			}
			if (conversation.teamId === null) withoutTeam++;
			else teams.set(conversation.teamId, (teams.get(conversation.teamId) ?? 0) + 1);
		}
		return { ...counts, ...Object.fromEntries(teams), null: withoutTeam };
	}

	// --- §2 and §3 ------------------------------------------------------------------------------

	/** Documented §2: `view` is all (the default), joined or yours. */
	private channelCounts(principal: Principal, request: ApiRequest): ApiResponse {
		if (principal.kind === 'contact') return errors.forbidden();
		const view = request.query.view ?? 'all';
		if (view !== 'all' && view !== 'joined' && view !== 'yours') return errors.invalidParameters();
		return this.countChannels(principal, view);
	}

	/**
	 * The current family's one path for §2 and §3: with `team_id` it is §3; without, §2 with
	 * `view` joined or yours, or absent for all (`all` itself is not accepted).
	 */
	private currentChannelCounts(principal: Principal, request: ApiRequest): ApiResponse {
		if ('team_id' in request.query) return this.teamChannelCounts(principal, request);
		if (principal.kind === 'contact') return errors.forbidden();
		const { view } = request.query;
		if (view !== undefined && view !== 'joined' && view !== 'yours') {
			return errors.invalidParameters();
		}
		return this.countChannels(principal, view ?? 'all');
	}

	private countChannels(principal: Principal, view: 'all' | 'joined' | 'yours'): ApiResponse {
		const { userId } = principal;
		let include: (conversation: Conversation) => boolean;
		if (view === 'joined') include = (conversation) => conversation.userIds.includes(userId);
		else if (view === 'yours') include = (conversation) => conversation.assigneeId === userId;
		else include = () => true;
		return jsonResponse(200, this.countByChannelType(principal.organizationId, include));
	}

	private teamChannelCounts(principal: Principal, request: ApiRequest): ApiResponse {
		if (principal.kind === 'contact') return errors.forbidden();
		const teamId = request.query.team_id;
		if (!teamId) return errors.invalidParameters();
		const team = this.store.teams.get(teamId);
		if (!team || team.organizationId !== principal.organizationId) return errors.notFound();
		return jsonResponse(
			200,
			this.countByChannelType(
				principal.organizationId,
				(conversation) => conversation.teamId === teamId,
			),
		);
	}

	/** Non-spam conversations per channel type (every type present), plus `all` = their sum. */
	private countByChannelType(
		organizationId: string,
		include: (conversation: Conversation) => boolean,
	): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const type of CHANNEL_TYPES) counts[type] = 0;
		let all = 0;
		for (const conversation of this.store.requireOrganization(organizationId).conversations) {
			if (conversation.status === 'spam' || !include(conversation)) continue;
			counts[conversation.channelType]++;
			all++;
		}
		counts.all = all;
		return counts;
	}

	// --- §4 -------------------------------------------------------------------------------------

	private createConversation(principal: Principal, request: ApiRequest): ApiResponse {
		const body = readJson(request);
		if (!body.ok) return errors.invalidParameters();
		if (body.value !== undefined && !isRecord(body.value)) return errors.invalidRequest();
		const fields = body.value ?? {};
		let contactId: string;
		let channelId: string;
		if (principal.kind === 'contact') {
			// A contact creates for itself, in its own channel; contact_id/channel_id are ignored.
			contactId = principal.contactId ?? '';
			channelId = this.store.requireContact(contactId).channelId;
		} else {
			const { contact_id: requestedContact, channel_id: requestedChannel } = fields;
			if (typeof requestedContact !== 'string' || requestedContact === '')
				return errors.invalidRequest();
			if (
				requestedChannel !== undefined &&
				(typeof requestedChannel !== 'string' || requestedChannel === '')
			) {
				return errors.invalidRequest();
			}
			const contact = this.store.contacts.get(requestedContact);
			if (!contact || contact.organizationId !== principal.organizationId) return errors.notFound();
			contactId = contact.id;
			channelId = requestedChannel ?? contact.channelId;
			const channel = this.store.channels.get(channelId);
			if (!channel || channel.organizationId !== principal.organizationId) return errors.notFound();
		}
		const conversation = this.store.addConversation({
			contactId,
			channelId,
			status: 'active',
			teamId: null,
			timestampMs: this.clock.now(),
		});
		return jsonResponse(200, conversationToApi(this.store, conversation));
	}

	// --- §5 and §6 ------------------------------------------------------------------------------

	/** The conversation a request means (§5): named, or the contact token's current one. */
	private resolveConversation(
		principal: Principal,
		conversationId: unknown,
	): Conversation | ApiResponse {
		if (
			conversationId !== undefined &&
			conversationId !== null &&
			typeof conversationId !== 'string'
		) {
			return errors.invalidParameters();
		}
		if (!conversationId) {
			if (principal.kind !== 'contact') return errors.invalidParameters();
			const current = this.store.contacts.get(principal.contactId ?? '')?.conversationIds.at(-1);
			const conversation = current ? this.store.conversations.get(current) : undefined;
			return conversation ?? errors.conversationNotFound();
		}
		const conversation = this.store.conversations.get(conversationId);
		if (!conversation || conversation.organizationId !== principal.organizationId) {
			return errors.conversationNotFound();
		}
		if (principal.kind === 'contact' && conversation.contactId !== principal.contactId) {
			return errors.forbidden();
		}
		return conversation;
	}

	private listMessages(principal: Principal, request: ApiRequest): ApiResponse {
		const limit = queryInteger(request.query.limit, 10, 1, 100);
		const skip = queryInteger(request.query.skip, 0, 0, Number.MAX_SAFE_INTEGER);
		if (limit === undefined || skip === undefined) return errors.invalidParameters();
		const conversation = this.resolveConversation(principal, request.query.conversation_id);
		if (isResponse(conversation)) return conversation;
		const { messages } = conversation;
		const data = [];
		for (let index = messages.length - 1 - skip; index >= 0 && data.length < limit; index--) {
			data.push(messageToApi(messages[index]));
		}
		return jsonResponse(200, {
			object_name: 'list',
			data,
			nested: {},
			has_more: skip + data.length < messages.length,
			count: messages.length,
			total: data.length,
		});
	}

	private sendMessage(principal: Principal, request: ApiRequest): ApiResponse {
		const body = readJson(request);
		if (!body.ok) return errors.invalidParameters();
		const fields = isRecord(body.value) ? body.value : {};
		const conversation = this.resolveConversation(principal, fields.conversation_id);
		if (isResponse(conversation)) return conversation;
		if (!isRecord(body.value)) return errors.invalidMessage();
		const extended = this.sendExtension?.(principal, conversation, fields);
		if (extended && isResponse(extended)) return extended;
		const content = extended ?? messageContent(fields);
		if (!content) return errors.invalidMessage();
		const record = this.store.addMessage(conversation, {
			from: principal.userId,
			type: content.type,
			content: content.content,
			ms: this.clock.now(),
		});
		const { object_name, id, organization_id, business_unit_id, conversation_id, ...rest } =
			messageToApi(record);
		return jsonResponse(200, {
			object_name,
			id,
			organization_id,
			business_unit_id,
			conversation_id,
			channel_id: conversation.channelId,
			channel_type: conversation.channelType,
			...rest,
		});
	}

	private uploadFile(_principal: Principal, request: ApiRequest): ApiResponse {
		const boundary = multipartBoundary(request.headers['content-type']);
		const parts = boundary ? parseMultipart(request.body, boundary) : undefined;
		const file = parts?.find((part) => part.name === 'file' && part.filename);
		if (!file || !file.filename) return errors.invalidParameters();
		const id = this.store.addFile(
			file.filename,
			file.contentType ?? 'application/octet-stream',
			Buffer.from(file.data),
		);
		return jsonResponse(200, {
			url: `${this.baseUrl()}/files/${id}/${encodeURIComponent(file.filename)}`,
		});
	}

	private serveFile(id: string, encodedName: string): ApiResponse {
		const file = this.store.files.get(id);
		let name: string;
		try {
			name = decodeURIComponent(encodedName);
		} catch {
			return errors.notFound();
		}
		if (!file || file.filename !== name) return errors.notFound();
		return { status: 200, contentType: file.contentType, body: file.data };
	}

	// --- §7 and §8 ------------------------------------------------------------------------------

	private search(
		principal: Principal,
		request: ApiRequest,
		[organizationId]: string[],
	): ApiResponse {
		if (principal.kind === 'contact' || organizationId !== principal.organizationId) {
			return errors.forbidden();
		}
		const body = readJsonObject(request);
		if (!body) return errors.invalidParameters();
		const q = body.q ?? '';
		if (typeof q !== 'string') {
			return meilisearchError(
				'invalid_search_q',
				`Invalid value type at \`.q\`: expected a string, but found ${describeJson(q)}: \`${JSON.stringify(q)}\``,
			);
		}
		const page = readPage(body, 100, 'search');
		if (isResponse(page)) return page;
		const { limit, offset } = page;
		const filter = this.readFilter(body.filter, 'invalid_search_filter');
		if (isResponse(filter)) return filter;
		let rules: SortRule[];
		try {
			rules = parseSort(body.sort);
		} catch (error) {
			if (error instanceof SortError) return meilisearchError('invalid_search_sort', error.message);
			throw error;
		}
		const queryWords = splitWords(q);
		if (rules.length === 0 && queryWords.length > 0) {
			return this.searchByRelevance(organizationId, q, queryWords, filter.predicate, limit, offset);
		}
		const matches: MessageRecord[] = [];
		this.scan(organizationId, rules[0]?.order === 'asc', (record) => {
			if (filter.predicate && !filter.predicate(record)) return;
			if (queryWords.length > 0 && relevance(queryWords, searchableWords(record)) < 0) return;
			matches.push(record);
		});
		return this.searchAnswer(q, matches, limit, offset);
	}

	/** No sort and some words: best relevance first, then newest first. */
	private searchByRelevance(
		organizationId: string,
		q: string,
		queryWords: readonly string[],
		predicate: FilterPredicate | undefined,
		limit: number,
		offset: number,
	): ApiResponse {
		const scored: Array<{ record: MessageRecord; score: number }> = [];
		this.scan(organizationId, false, (record) => {
			if (predicate && !predicate(record)) return;
			const score = relevance(queryWords, searchableWords(record));
			if (score >= 0) scored.push({ record, score });
		});
		// Array.prototype.sort is stable: equal scores keep newest-first order.
		scored.sort((a, b) => b.score - a.score);
		return this.searchAnswer(
			q,
			scored.map((entry) => entry.record),
			limit,
			offset,
		);
	}

	/** Meilisearch's `maxTotalHits`: no hit past the 1,000th of the ranking, nor a higher total. */
	private searchAnswer(
		q: string,
		matches: MessageRecord[],
		limit: number,
		offset: number,
	): ApiResponse {
		const end = Math.min(offset + limit, MAX_TOTAL_HITS);
		return jsonResponse(200, {
			success: true,
			message: {
				hits: offset < end ? matches.slice(offset, end).map(messageToDocument) : [],
				query: q,
				// Always 0: answers stay byte-for-byte reproducible.
				processingTimeMs: 0,
				limit,
				offset,
				estimatedTotalHits: Math.min(matches.length, MAX_TOTAL_HITS),
			},
		});
	}

	private fetchDocuments(
		principal: Principal,
		request: ApiRequest,
		[organizationId]: string[],
	): ApiResponse {
		if (principal.kind === 'contact' || organizationId !== principal.organizationId) {
			return errors.forbidden();
		}
		const body = readJsonObject(request);
		if (!body) return errors.invalidParameters();
		const rawFilter = body.filter;
		if (
			rawFilter === undefined ||
			rawFilter === null ||
			(typeof rawFilter === 'string' && rawFilter.trim() === '')
		) {
			return jsonResponse(400, {
				message: 'filter is required',
				code: 'missing_filter',
				type: 'invalid_request',
			});
		}
		const page = readPage(body, 20, 'document');
		if (isResponse(page)) return page;
		const { limit, offset } = page;
		const filter = this.readFilter(rawFilter, 'invalid_document_filter');
		if (isResponse(filter)) return filter;
		const matches: MessageRecord[] = [];
		this.scan(organizationId, false, (record) => {
			if (!filter.predicate || filter.predicate(record)) matches.push(record);
		});
		return jsonResponse(200, {
			success: true,
			message: {
				results: matches.slice(offset, offset + limit).map(messageToDocument),
				offset,
				limit,
				total: matches.length,
			},
		});
	}

	/** A filter string (blank: none) or the Meilisearch error for it. */
	private readFilter(value: unknown, code: string): { predicate?: FilterPredicate } | ApiResponse {
		if (value === undefined || value === null) return {};
		if (typeof value !== 'string') {
			return meilisearchError(
				code,
				`Invalid value type for filter: expected a string, but found ${describeJson(value)}: \`${JSON.stringify(value)}\``,
			);
		}
		if (value.trim() === '') return {};
		try {
			return {
				predicate: createFilter(value, undefined, { stringRanges: this.mode.meili !== '1.14' }),
			};
		} catch (error) {
			if (error instanceof FilterError) return meilisearchError(code, error.message);
			throw error;
		}
	}

	/** Visits the organization's messages newest first (ties: later insert first), or oldest first. */
	private scan(
		organizationId: string,
		ascending: boolean,
		visit: (record: MessageRecord) => void,
	): void {
		const { messages } = this.store.requireOrganization(organizationId);
		if (ascending) for (const record of messages) visit(record);
		else for (let index = messages.length - 1; index >= 0; index--) visit(messages[index]);
	}
}

/** When the conversation waits for a reply: the time of its last message if a contact sent it. */
function waitingSince(conversation: Conversation): number | undefined {
	if (conversation.status !== 'active' && conversation.status !== 'pending') return undefined;
	const last = conversation.messages.at(-1);
	return last && last.from === conversation.contactId ? last.ms : undefined;
}

/** The stored type and nested content for a flat §6 body; undefined when invalid. */
export function messageContent(
	body: Record<string, unknown>,
): { type: string; content: Record<string, unknown> } | undefined {
	const { type } = body;
	const optionalString = (value: unknown): value is string | undefined =>
		value === undefined || typeof value === 'string';
	switch (type) {
		case 'text':
			return typeof body.text === 'string' && body.text.length > 0
				? { type, content: { text: body.text, is_mail: false } }
				: undefined;
		case 'image':
		case 'file':
		case 'pdf':
			return isHttpUrl(body.url) && optionalString(body.caption)
				? { type, content: { url: body.url, caption: body.caption ?? '' } }
				: undefined;
		case 'quick_reply': {
			const { title, payload } = body;
			if (!optionalString(title) || !optionalString(payload) || (!title && !payload))
				return undefined;
			return { type, content: { title: title ?? '', payload: payload ?? '', description: '' } };
		}
		default:
			return undefined;
	}
}
