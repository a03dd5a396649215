/** §7 search and §8 fetch over HTTP: envelopes, q, filter, sort, limits and errors. */
import type { StoredMessage } from '../../api/data';
import { DOCUMENT_KEYS, call } from '../helpers';
import type { CallOptions, FetchEnvelope, SearchEnvelope } from '../helpers';
import { startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

const SEARCH = '/v1/backend/meilisearch/org_imbrace/search';
const FETCH = '/v1/backend/meilisearch/org_imbrace/fetch';
const SEED_MESSAGES = 2967;
/** Meilisearch's maxTotalHits: what estimatedTotalHits says for anything larger. */
const CAPPED = 1000;
const search = (body: unknown, options: CallOptions = {}) =>
	api<SearchEnvelope>('POST', SEARCH, { token: sandbox.tokens.agent, ...options, body });
const fetchDocuments = (body: unknown, options: CallOptions = {}) =>
	api<FetchEnvelope>('POST', FETCH, { token: sandbox.tokens.agent, ...options, body });
const meilisearchError = (code: string, message: string) => ({
	message,
	code,
	type: 'invalid_request',
	link: `https://docs.meilisearch.com/errors#${code}`,
});
const ids = (documents: Array<{ _id: string }>) => documents.map((document) => document._id);

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

describe('§7 search: envelope and documents', () => {
	test('defaults: q "", limit 100, offset 0, newest first, every message of the organization', async () => {
		const answer = await search({});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(Object.keys(answer.json)).toEqual(['success', 'message']);
		expect(Object.keys(answer.json.message)).toEqual([
			'hits',
			'query',
			'processingTimeMs',
			'limit',
			'offset',
			'estimatedTotalHits',
		]);
		const { hits, ...rest } = answer.json.message;
		expect(answer.json.success).toBe(true);
		expect(rest).toEqual({
			query: '',
			processingTimeMs: 0,
			limit: 100,
			offset: 0,
			estimatedTotalHits: CAPPED,
		});
		expect(hits).toHaveLength(100);
		expect(hits[0].created_at).toBe('2025-06-30T11:34:06.589Z');
		const times = hits.map((hit) => hit.created_at);
		expect([...times].sort().reverse()).toEqual(times);
	});

	test('hits are index documents: _id = public_id, doc_name, no object_name or id', async () => {
		const answer = await search({ limit: 1, sort: ['created_at:asc'] });
		const [hit] = answer.json.message.hits;
		expect(Object.keys(hit)).toEqual(DOCUMENT_KEYS);
		expect(hit).toEqual({
			_id: 'msg_6a88758e-eda3-4c28-8106-488ee4b1876c',
			doc_name: 'message',
			public_id: 'msg_6a88758e-eda3-4c28-8106-488ee4b1876c',
			organization_id: 'org_imbrace',
			business_unit_id: sandbox.ids.businessUnitIds[1],
			conversation_id: 'conv_c811191f-ec50-47c4-9f1b-05bce9392433',
			from: 'con_431202b9-5dcc-40d4-9b57-9258312a8265',
			type: 'text',
			content: { text: 'I would like to check my order status', is_mail: false },
			created_at: '2024-01-08T14:10:32.240Z',
			updated_at: '2024-01-08T14:10:32.240Z',
		});
	});

	test('offset and limit page through the same order', async () => {
		const whole = await search({ limit: 10 });
		const page = await search({ limit: 5, offset: 5 });
		expect(ids(page.json.message.hits)).toEqual(ids(whole.json.message.hits).slice(5));
		expect(page.json.message).toMatchObject({
			limit: 5,
			offset: 5,
			estimatedTotalHits: CAPPED,
		});
	});

	test('limit 1000 and an offset past the end', async () => {
		const big = await search({ limit: 1000 });
		const past = await search({ offset: 5000 });
		expect(big.json.message.hits).toHaveLength(1000);
		expect(past.json.message).toEqual({
			hits: [],
			query: '',
			processingTimeMs: 0,
			limit: 100,
			offset: 5000,
			estimatedTotalHits: CAPPED,
		});
	});

	test('null limit and offset mean the defaults', async () => {
		const answer = await search({ limit: null, offset: null, q: null, filter: null, sort: null });
		expect(answer.json.message).toMatchObject({
			limit: 100,
			offset: 0,
			query: '',
			estimatedTotalHits: CAPPED,
		});
	});

	test('an empty body is an empty search', async () => {
		const answer = await api<SearchEnvelope>('POST', SEARCH, { token: sandbox.tokens.agent });
		expect(answer.json.message.estimatedTotalHits).toBe(CAPPED);
	});

	test('the second organization searches only its own messages', async () => {
		const answer = await api<SearchEnvelope>('POST', '/v1/backend/meilisearch/org_other/search', {
			token: sandbox.tokens.otherOrgAgent,
			body: {},
		});
		expect(answer.json.message.estimatedTotalHits).toBe(62);
		expect(new Set(answer.json.message.hits.map((hit) => hit.organization_id))).toEqual(
			new Set(['org_other']),
		);
	});

	test('the API key searches its organization', async () => {
		const answer = await search({ limit: 1 }, { token: undefined, apiKey: sandbox.tokens.apiKey });
		expect(answer.json.message.estimatedTotalHits).toBe(CAPPED);
	});
});

describe('§7 search: q', () => {
	let added: StoredMessage[];
	const texts = (answer: { json: SearchEnvelope }) => ids(answer.json.message.hits);

	beforeEach(() => {
		const conversationId = sandbox.addConversation();
		added = sandbox.addMessages({
			conversationId,
			messages: [
				{ content: { text: 'zorblax alpha', is_mail: false } },
				{ content: { text: 'Zorblax zorblax beta', is_mail: false } },
				{ content: { text: 'zorblaxes are great', is_mail: false } },
				{ content: { text: 'alphabet soup quizzle', is_mail: false } },
				{
					type: 'quick_reply',
					content: {
						title: 'Quizzle title',
						payload: 'quizzle_payload',
						description: 'quizzle description',
					},
				},
				{
					type: 'image',
					content: { url: 'https://example.com/zorblax.png', caption: 'A quizzle photo' },
				},
			],
		});
	});

	test('best relevance first, then newest first', async () => {
		const answer = await search({ q: 'zorblax' });
		expect(answer.json.message).toMatchObject({ query: 'zorblax', estimatedTotalHits: 3 });
		expect(texts(answer)).toEqual([added[1].id, added[2].id, added[0].id]);
	});

	test('case-insensitive; the query is echoed as given', async () => {
		const answer = await search({ q: 'ZORBLAX' });
		expect(answer.json.message.query).toBe('ZORBLAX');
		expect(texts(answer)).toEqual([added[1].id, added[2].id, added[0].id]);
	});

	test('every word must prefix some word of the document', async () => {
		expect(texts(await search({ q: 'zorb alph' }))).toEqual([added[0].id]);
		expect(texts(await search({ q: 'orblax' }))).toEqual([]);
		expect(texts(await search({ q: 'zorblax quizzle' }))).toEqual([]);
	});

	test('title, payload, description and caption are searchable; urls are not', async () => {
		expect(texts(await search({ q: 'quizzle' }))).toEqual([added[4].id, added[5].id, added[3].id]);
		expect(texts(await search({ q: 'zorblax', filter: 'type = image' }))).toEqual([]);
	});

	test('q with a filter', async () => {
		const answer = await search({ q: 'quizzle', filter: 'type != text' });
		expect(texts(answer)).toEqual([added[4].id, added[5].id]);
	});

	test('with sort, created_at decides the order', async () => {
		expect(texts(await search({ q: 'zorblax', sort: ['created_at:asc'] }))).toEqual([
			added[0].id,
			added[1].id,
			added[2].id,
		]);
		expect(texts(await search({ q: 'zorblax', sort: ['created_at:desc'] }))).toEqual([
			added[2].id,
			added[1].id,
			added[0].id,
		]);
	});

	test('a query of no words matches everything', async () => {
		for (const q of ['', '   ', '!!!']) {
			const answer = await search({ q, limit: 1 });
			expect(answer.json.message.estimatedTotalHits).toBe(CAPPED);
			expect(texts(answer)).toEqual([added[5].id]);
		}
	});

	test('seeded text is searchable too', async () => {
		const answer = await search({ q: 'refund', limit: 2 });
		expect(answer.json.message.estimatedTotalHits).toBe(123);
		expect(answer.json.message.hits.map((hit) => hit.content.text)).toEqual([
			'Your refund has been processed and should arrive in 3 to 5 working days.',
			'I have not received my refund yet',
		]);
	});
});

describe('§7 search: filter and sort on the seed', () => {
	const conversation = () => `conversation_id = ${sandbox.ids.contactConversationId}`;
	const total = async (filter: string) =>
		(await search({ filter, limit: 1 })).json.message.estimatedTotalHits;
	/** Fetch's exact total, for filters that match more than search's cap of 1,000. */
	const exactTotal = async (filter: string) =>
		(await fetchDocuments({ filter, limit: 1 })).json.message.total;

	test.each([
		['', 15],
		[' AND created_at >= 2025-06-27T08:00:00.000Z', 7],
		[' AND created_at > "2025-06-27T12:00:00.000Z"', 0],
		[' AND created_at >= 2025-06-27T12:00:00.000Z', 2],
		[' AND type IN [pdf, file]', 2],
		[' AND NOT type = text', 6],
		[' AND type = quick_reply AND from = u_imbrace_bot', 4],
		[' AND (type = pdf OR type = file) AND from != u_imbrace_bot', 2],
		[' AND from NOT EXISTS', 0],
	])('the contact conversation%s: %i', async (extra, expected) => {
		expect(await total(`${conversation()}${extra}`)).toBe(expected);
	});

	test('the contact sent 8 of its messages', async () => {
		expect(await total(`${conversation()} AND from = ${sandbox.ids.contactId}`)).toBe(8);
	});

	test('business units split the organization', async () => {
		const [testing, sales, support] = sandbox.ids.businessUnitIds;
		const counts = [
			await exactTotal(`business_unit_id = ${testing}`),
			await exactTotal(`business_unit_id = ${sales}`),
			await exactTotal(`business_unit_id = ${support}`),
		];
		expect(counts[0] + counts[1] + counts[2]).toBe(SEED_MESSAGES);
		expect(await exactTotal(`business_unit_id IN [${testing}, ${sales}, ${support}]`)).toBe(
			SEED_MESSAGES,
		);
		expect(await exactTotal(`NOT business_unit_id = ${testing}`)).toBe(counts[1] + counts[2]);
		expect(await exactTotal(`business_unit_id = ${testing} OR business_unit_id = ${sales}`)).toBe(
			counts[0] + counts[1],
		);
	});

	test('every message type, from contacts, agents and the bot', async () => {
		expect([
			await exactTotal('type = text'),
			await exactTotal('type = image'),
			await exactTotal('type = file'),
			await exactTotal('type = pdf'),
			await exactTotal('type = quick_reply'),
		]).toEqual([2323, 173, 114, 122, 235]);
		// String comparison selects by id prefix: every contact id sorts between "con_" and "con~".
		const fromContacts = await exactTotal('from >= con_ AND from < con~');
		const fromBot = await exactTotal('from = u_imbrace_bot');
		const fromAgents = await exactTotal('from >= u_ AND from < u~ AND from != u_imbrace_bot');
		expect(fromContacts + fromBot + fromAgents).toBe(SEED_MESSAGES);
		for (const count of [fromContacts, fromBot, fromAgents]) expect(count).toBeGreaterThan(0);
		expect(await exactTotal('from = u_imbrace_bot AND type = quick_reply')).toBeGreaterThan(0);
		expect(
			await exactTotal('from >= con_ AND from < con~ AND type IN [image, file, pdf]'),
		).toBeGreaterThan(0);
	});

	test('ties on created_at: later insert first when descending, earlier first when ascending', async () => {
		const descending = await search({
			filter: conversation(),
			sort: ['created_at:desc'],
			limit: 2,
		});
		const ascending = await search({ filter: conversation(), sort: ['created_at:asc'] });
		expect(descending.json.message.hits.map((hit) => hit.content.title)).toEqual([
			'Talk to an agent',
			'Order status',
		]);
		expect(ascending.json.message.hits.slice(-2).map((hit) => hit.content.title)).toEqual([
			'Order status',
			'Talk to an agent',
		]);
		expect(ids(ascending.json.message.hits)).toEqual(
			ids(
				(await search({ filter: conversation(), sort: ['created_at:desc'] })).json.message.hits,
			).reverse(),
		);
	});

	test('ascending sort starts at the oldest message', async () => {
		const answer = await search({ sort: ['created_at:asc'], limit: 3 });
		expect(answer.json.message.hits.map((hit) => hit.created_at)).toEqual([
			'2024-01-08T14:10:32.240Z',
			'2024-01-08T14:55:37.527Z',
			'2024-01-08T16:52:27.420Z',
		]);
	});

	test('a message sent through the API is found at once', async () => {
		const sent = await api<StoredMessage>('POST', '/v1/backend/conversation_messages', {
			token: sandbox.tokens.agent,
			body: {
				type: 'text',
				text: 'Fresh wombat news',
				conversation_id: sandbox.ids.contactConversationId,
			},
		});
		const byWord = await search({ q: 'wombat' });
		const byFilter = await search({
			filter: `${conversation()} AND created_at >= ${sent.json.created_at}`,
		});
		expect(ids(byWord.json.message.hits)).toEqual([sent.json.id]);
		expect(ids(byFilter.json.message.hits)).toEqual([sent.json.id]);
		expect(byWord.json.message.hits[0]).toEqual({
			_id: sent.json.id,
			doc_name: 'message',
			public_id: sent.json.id,
			organization_id: 'org_imbrace',
			business_unit_id: 'bu_imbrace_testing',
			conversation_id: sandbox.ids.contactConversationId,
			from: sandbox.ids.agentUserId,
			type: 'text',
			content: { text: 'Fresh wombat news', is_mail: false },
			created_at: sent.json.created_at,
			updated_at: sent.json.created_at,
		});
	});
});

describe('§7 search: errors', () => {
	const LIMIT_ERROR = meilisearchError(
		'invalid_search_limit',
		'Invalid value for limit: must be between 1 and 1000',
	);
	const OFFSET_ERROR = meilisearchError(
		'invalid_search_offset',
		'Invalid value for offset: must be a non-negative integer',
	);

	test.each([0, 1001, -1, 1.5, '10', true])('limit %j', async (limit) => {
		const answer = await search({ limit });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(LIMIT_ERROR);
	});

	test.each([-1, 0.5, '1'])('offset %j', async (offset) => {
		const answer = await search({ offset });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(OFFSET_ERROR);
	});

	test('q that is not a string', async () => {
		const answer = await search({ q: 5 });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_search_q',
				'Invalid value type at `.q`: expected a string, but found a number: `5`',
			),
		);
	});

	test('a filter that does not parse', async () => {
		const answer = await search({ filter: 'type = text AND (from = x' });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_search_filter',
				'Expression `(from = x` is missing the following closing delimiter: `)`.\n17:26 type = text AND (from = x',
			),
		);
	});

	test('a filter on an attribute that is not filterable', async () => {
		const answer = await search({ filter: 'content.text = hello' });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_search_filter',
				'Attribute `content.text` is not filterable. Available filterable attributes are: `business_unit_id, conversation_id, created_at, from, type`.\n1:13 content.text = hello',
			),
		);
	});

	test('a filter that is not a string', async () => {
		const answer = await search({ filter: ['type = text'] });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_search_filter',
				'Invalid value type for filter: expected a string, but found an array: `["type = text"]`',
			),
		);
	});

	test('a blank filter is no filter', async () => {
		const answer = await search({ filter: '  ', limit: 1 });
		expect(answer.json.message.estimatedTotalHits).toBe(CAPPED);
	});

	test.each([
		[
			['from:asc'],
			'Attribute `from` is not sortable. Available sortable attributes are: `created_at`.',
		],
		[
			'created_at:desc',
			'Invalid value type for sort: expected an array, but found a string: `"created_at:desc"`',
		],
		[
			['created_at:newest'],
			'Invalid syntax for the sort parameter: expected expression ending by `:asc` or `:desc`, found `created_at:newest`.',
		],
	])('sort %j', async (sort, message) => {
		const answer = await search({ sort });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(meilisearchError('invalid_search_sort', message));
	});

	test('a contact token, another organization or an unknown one: 403 Forbidden', async () => {
		const answers = [
			await search({}, { token: sandbox.tokens.contact }),
			await search({}, { token: sandbox.tokens.otherOrgAgent }),
			await api('POST', '/v1/backend/meilisearch/org_other/search', {
				token: sandbox.tokens.agent,
				body: {},
			}),
			await api('POST', '/v1/backend/meilisearch/org_nope/search', {
				token: sandbox.tokens.agent,
				body: {},
			}),
		];
		expect(answers.map((answer) => [answer.status, answer.json])).toEqual(
			Array.from({ length: 4 }, () => [403, { message: 'Forbidden' }]),
		);
	});

	test('a body that is not JSON, or not an object: 400 Invalid request parameters', async () => {
		const notJson = await api('POST', SEARCH, { token: sandbox.tokens.agent, rawBody: '{"q":' });
		const array = await search([]);
		for (const answer of [notJson, array]) {
			expect(answer.status).toBe(400);
			expect(answer.json).toEqual({ code: 40000, message: 'Invalid request parameters' });
		}
	});

	test('no token: 401', async () => {
		const answer = await api('POST', SEARCH, { body: {} });
		expect(answer.status).toBe(401);
	});
});

describe('§7 search: the 1,000-hit cap (maxTotalHits)', () => {
	/** The whole organization newest first, from fetch (not capped): the search's ranking too. */
	const newestFirst = async (offset: number, limit: number) =>
		ids((await fetchDocuments({ filter: 'from EXISTS', offset, limit })).json.message.results);

	test('offset 990, limit 20: the 10 hits up to the 1,000th, limit echoed as asked', async () => {
		const answer = await search({ offset: 990, limit: 20, sort: ['created_at:desc'] });
		expect(answer.status).toBe(200);
		const { hits, ...rest } = answer.json.message;
		expect(rest).toEqual({
			query: '',
			processingTimeMs: 0,
			limit: 20,
			offset: 990,
			estimatedTotalHits: CAPPED,
		});
		expect(ids(hits)).toEqual(await newestFirst(990, 10));
	});

	test('offset 999 answers the 1,000th hit alone; offset 1000 and beyond answer none', async () => {
		const last = await search({ offset: 999, limit: 5 });
		const at = await search({ offset: 1000, limit: 1 });
		const beyond = await search({ offset: 1500, limit: 1000 });
		expect(ids(last.json.message.hits)).toEqual(await newestFirst(999, 1));
		for (const answer of [at, beyond]) {
			expect(answer.status).toBe(200);
			expect(answer.json.message.hits).toEqual([]);
			expect(answer.json.message.estimatedTotalHits).toBe(CAPPED);
		}
	});

	test('pages of 1000 stop at the first page', async () => {
		const first = await search({ limit: 1000 });
		const second = await search({ limit: 1000, offset: 1000 });
		expect(ids(first.json.message.hits)).toEqual(await newestFirst(0, 1000));
		expect(second.json.message.hits).toEqual([]);
	});

	test('the cap cuts the ranking: ascending, relevance and filtered searches too', async () => {
		const ascending = await search({ sort: ['created_at:asc'], offset: 995, limit: 10 });
		expect(ids(ascending.json.message.hits)).toEqual(
			ids((await search({ sort: ['created_at:asc'], limit: 1000 })).json.message.hits).slice(995),
		);
		// "i" prefixes a word of well over 1,000 messages (I, is, in, invoice…).
		const words = await search({ q: 'i', offset: 990, limit: 100 });
		expect(ids(words.json.message.hits)).toEqual(
			ids((await search({ q: 'i', limit: 1000 })).json.message.hits).slice(990),
		);
		expect(words.json.message.hits).toHaveLength(10);
		expect(words.json.message.estimatedTotalHits).toBe(CAPPED);
		const texts = await search({ filter: 'type = text', offset: 900, limit: 200 });
		expect(texts.json.message.hits).toHaveLength(100);
		expect(texts.json.message.estimatedTotalHits).toBe(CAPPED);
	});

	test('estimatedTotalHits is exact up to 1,000, then stays 1,000', async () => {
		const conversationId = sandbox.addConversation();
		const filter = `conversation_id = ${conversationId}`;
		sandbox.addMessages({ conversationId, count: 999 });
		const below = await search({ filter, limit: 1 });
		sandbox.addMessages({ conversationId, count: 1 });
		const at = await search({ filter, limit: 1 });
		sandbox.addMessages({ conversationId, count: 1 });
		const above = await search({ filter, limit: 1 });
		const fetched = await fetchDocuments({ filter, limit: 1 });
		expect([
			below.json.message.estimatedTotalHits,
			at.json.message.estimatedTotalHits,
			above.json.message.estimatedTotalHits,
			fetched.json.message.total,
		]).toEqual([999, 1000, 1000, 1001]);
	});

	test('fetch is not capped: exact total, and every offset works', async () => {
		const tail = await fetchDocuments({ filter: 'from EXISTS', offset: 2960, limit: 20 });
		expect(tail.json.message).toMatchObject({ offset: 2960, limit: 20, total: SEED_MESSAGES });
		expect(tail.json.message.results).toHaveLength(SEED_MESSAGES - 2960);
		const pages = [
			...(await newestFirst(0, 1000)),
			...(await newestFirst(1000, 1000)),
			...(await newestFirst(2000, 1000)),
		];
		expect(new Set(pages).size).toBe(SEED_MESSAGES);
		expect(pages.slice(2960)).toEqual(ids(tail.json.message.results));
	});
});

describe('§8 fetch', () => {
	const conversation = () => `conversation_id = ${sandbox.ids.contactConversationId}`;

	test('defaults: limit 20, offset 0, newest first, exact envelope', async () => {
		const answer = await fetchDocuments({ filter: conversation() });
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(Object.keys(answer.json)).toEqual(['success', 'message']);
		expect(Object.keys(answer.json.message)).toEqual(['results', 'offset', 'limit', 'total']);
		const { results, ...rest } = answer.json.message;
		expect(answer.json.success).toBe(true);
		expect(rest).toEqual({ offset: 0, limit: 20, total: 15 });
		expect(results).toHaveLength(15);
		for (const result of results) expect(Object.keys(result)).toEqual(DOCUMENT_KEYS);
		expect(
			results
				.slice(0, 3)
				.map((result) => [result.content.title ?? result.content.text, result.created_at]),
		).toEqual([
			['Talk to an agent', '2025-06-27T12:00:00.000Z'],
			['Order status', '2025-06-27T12:00:00.000Z'],
			['Hi, is anyone there?', '2025-06-27T11:52:07.156Z'],
		]);
	});

	test('the same order as the message list', async () => {
		const fetched = await fetchDocuments({ filter: conversation() });
		const listed = await api<{ data: StoredMessage[] }>(
			'GET',
			`/v1/backend/conversation_messages?conversation_id=${sandbox.ids.contactConversationId}&limit=100`,
			{ token: sandbox.tokens.agent },
		);
		expect(ids(fetched.json.message.results)).toEqual(
			listed.json.data.map((message) => message.id),
		);
	});

	test('limit and offset', async () => {
		const whole = await fetchDocuments({ filter: conversation() });
		const page = await fetchDocuments({ filter: conversation(), limit: 5, offset: 10 });
		expect(page.json.message).toMatchObject({ offset: 10, limit: 5, total: 15 });
		expect(ids(page.json.message.results)).toEqual(ids(whole.json.message.results).slice(10));
	});

	test('a broad filter over the whole organization', async () => {
		const answer = await fetchDocuments({ filter: 'created_at >= 2024-01-01', limit: 1000 });
		expect(answer.json.message.total).toBe(SEED_MESSAGES);
		expect(answer.json.message.results).toHaveLength(1000);
		expect(answer.json.message.results[0].created_at).toBe('2025-06-30T11:34:06.589Z');
	});

	test('the second organization fetches its own', async () => {
		const answer = await api<FetchEnvelope>('POST', '/v1/backend/meilisearch/org_other/fetch', {
			token: sandbox.tokens.otherOrgAgent,
			body: { filter: `conversation_id = ${sandbox.ids.otherConversationIds[0]}` },
		});
		expect(answer.status).toBe(200);
		expect(answer.json.message.total).toBeGreaterThan(0);
		expect(new Set(answer.json.message.results.map((result) => result.conversation_id))).toEqual(
			new Set([sandbox.ids.otherConversationIds[0]]),
		);
	});

	test('messages added by the hook are fetched at once', async () => {
		const [message] = sandbox.addMessages({
			conversationId: sandbox.ids.contactConversationId,
			text: 'Hooked',
		});
		const answer = await fetchDocuments({ filter: conversation(), limit: 1 });
		expect(answer.json.message.total).toBe(16);
		expect(ids(answer.json.message.results)).toEqual([message.id]);
	});

	test.each([
		['no body', undefined],
		['no filter', {}],
		['an empty filter', { filter: '' }],
		['a blank filter', { filter: '   ' }],
		['a null filter', { filter: null }],
	])('%s: 400 missing_filter', async (_name, body) => {
		const answer = await fetchDocuments(body);
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({
			message: 'filter is required',
			code: 'missing_filter',
			type: 'invalid_request',
		});
	});

	test.each([0, 1001, 2.5, '20'])('limit %j: 400 invalid_document_limit', async (limit) => {
		const answer = await fetchDocuments({ filter: conversation(), limit });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_document_limit',
				'Invalid value for limit: must be between 1 and 1000',
			),
		);
	});

	test.each([-5, '0'])('offset %j: 400 invalid_document_offset', async (offset) => {
		const answer = await fetchDocuments({ filter: conversation(), offset });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_document_offset',
				'Invalid value for offset: must be a non-negative integer',
			),
		);
	});

	test('a filter that does not parse: 400 invalid_document_filter', async () => {
		const answer = await fetchDocuments({ filter: 'type = ' });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_document_filter',
				'Was expecting a value but instead got nothing.\n8:8 type = ',
			),
		);
	});

	test('a filter that is not a string: 400 invalid_document_filter', async () => {
		const answer = await fetchDocuments({ filter: 7 });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(
			meilisearchError(
				'invalid_document_filter',
				'Invalid value type for filter: expected a string, but found a number: `7`',
			),
		);
	});

	test('a contact token or another organization: 403 Forbidden', async () => {
		const answers = [
			await fetchDocuments({ filter: conversation() }, { token: sandbox.tokens.contact }),
			await fetchDocuments({ filter: conversation() }, { token: sandbox.tokens.otherOrgAgent }),
		];
		expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
			[403, { message: 'Forbidden' }],
			[403, { message: 'Forbidden' }],
		]);
	});

	test('a body that is not JSON: 400 Invalid request parameters', async () => {
		const answer = await api('POST', FETCH, {
			token: sandbox.tokens.agent,
			rawBody: 'filter=type',
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ code: 40000, message: 'Invalid request parameters' });
	});
});
