import { runNode } from '../../../harness/engine';
import { byId, callApi, useSandbox } from '../../../harness/sandbox';

type Envelope = { message: { hits: Record<string, unknown>[]; estimatedTotalHits: number } };

describe('iMBRACE node: message Search', () => {
	const fixture = useSandbox();
	const SEARCH = '/v1/backend/meilisearch/org_imbrace/search';

	function search(parameters: Record<string, unknown>, credentials = fixture.credentials()) {
		return runNode({
			parameters: { resource: 'message', operation: 'search', simplify: false, ...parameters },
			credentials,
		});
	}

	function searchBodies() {
		return fixture.sandbox.requests().map(({ method, path, body }) => ({ method, path, body }));
	}

	it('walks every hit with Return All in pages of 1000 and stops at the total', async () => {
		const { sandbox } = fixture;
		const everything = (await callApi(sandbox, SEARCH, {
			method: 'POST',
			body: { q: '', limit: 1, sort: ['created_at:desc'] },
		})) as unknown as Envelope;
		const total = everything.message.estimatedTotalHits;
		expect(total).toBeGreaterThan(2000);

		const run = await search({ returnAll: true, options: { sort: 'newestFirst' } });

		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(total);
		const ids = run.output.map((item) => item.json._id);
		expect(new Set(ids).size).toBe(total);
		const pages = Math.ceil(total / 1000);
		expect(searchBodies()).toEqual(
			Array.from({ length: pages }, (_, page) => ({
				method: 'POST',
				path: SEARCH,
				body: { q: '', sort: ['created_at:desc'], limit: 1000, offset: page * 1000 },
			})),
		);
		const createdAt = run.output.map((item) => String(item.json.created_at));
		expect(createdAt).toEqual([...createdAt].sort().reverse());
	});

	it('asks for no more than Limit, and splits a Limit above 1000', async () => {
		const small = await search({ query: '', limit: 5 });
		expect(small.output).toHaveLength(5);
		expect(searchBodies()).toEqual([
			{ method: 'POST', path: SEARCH, body: { q: '', limit: 5, offset: 0 } },
		]);
		fixture.sandbox.clearRequests();

		const large = await search({ limit: 1500 });
		expect(large.output).toHaveLength(1500);
		expect(searchBodies().map((request) => request.body)).toEqual([
			{ q: '', limit: 1000, offset: 0 },
			{ q: '', limit: 500, offset: 1000 },
		]);
	});

	it('sends the query, the filter and the sort, and answers the hits as iMBRACE orders them', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.addConversation();
		sandbox.addMessages({ conversationId, count: 3, text: 'Please refund my order' });
		sandbox.addMessages({ conversationId, count: 2, text: 'Thanks' });
		const filter = `conversation_id = ${conversationId}`;
		const expected = (await callApi(sandbox, SEARCH, {
			method: 'POST',
			body: { q: 'refund', filter, sort: ['created_at:asc'], limit: 50, offset: 0 },
		})) as unknown as Envelope;

		const run = await search({
			query: 'refund',
			limit: 50,
			options: { filter, sort: 'oldestFirst' },
		});

		expect(run.output.map((item) => item.json)).toEqual(expected.message.hits);
		expect(run.output).toHaveLength(3);
		expect(searchBodies()[0].body).toEqual({
			q: 'refund',
			filter,
			sort: ['created_at:asc'],
			limit: 50,
			offset: 0,
		});
	});

	it('sends a Query mapped from a number as text', async () => {
		await runNode({
			parameters: {
				resource: 'message',
				operation: 'search',
				query: '={{ $json.order }}',
				limit: 1,
			},
			items: [{ json: { order: 1042 } }],
			credentials: fixture.credentials(),
		});

		expect(searchBodies()[0].body).toEqual({ q: '1042', limit: 1, offset: 0 });
		expect(fixture.sandbox.requests()[0].status).toBe(200);
	});

	it('sends no sort for Relevance', async () => {
		await search({ query: 'refund', limit: 1, options: { sort: 'relevance' } });

		expect(searchBodies()[0].body).toEqual({ q: 'refund', limit: 1, offset: 0 });
	});

	it("uses the credential's organization when the Organization ID is empty, and the given one otherwise", async () => {
		await search({ limit: 1 });
		await search({ limit: 1, organizationId: byId('org_imbrace') });

		expect(searchBodies().map((request) => request.path)).toEqual([SEARCH, SEARCH]);
	});

	it('refuses an empty Organization ID when the credential has none either, before any request', async () => {
		const run = await search({ limit: 1 }, fixture.credentials({ organizationId: '' }));

		expect(run.error?.message).toBe(
			'The Organization ID is empty here and in the credential [item 0]',
		);
		expect(run.error?.description).toBe(
			'Enter the organization ID, e.g. org_imbrace, or set a default Organization ID in the iMBRACE credential.',
		);
		expect(fixture.sandbox.requests()).toEqual([]);
	});

	it("passes on iMBRACE's explanation of a bad filter and shows the syntax", async () => {
		const run = await search({ limit: 1, options: { filter: 'type = text AND' } });

		expect(run.error?.message).toMatch(/ \(HTTP 400\)$/);
		expect(run.error?.message).not.toBe('Bad Request (HTTP 400)');
		expect(run.error?.description).toBe(
			'Check the Filter: it uses Meilisearch syntax over conversation_id, business_unit_id, from, type and created_at, e.g. type = text AND created_at >= "2025-01-01".',
		);
	});

	it("refuses another organization's index with iMBRACE's answer", async () => {
		const run = await search({ limit: 1, organizationId: fixture.sandbox.ids.otherOrganizationId });

		expect(run.error?.message).toBe('Forbidden (HTTP 403)');
	});
});
