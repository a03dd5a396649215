import { runNode } from '../../../harness/engine';
import { byId, callApi, useSandbox } from '../../../harness/sandbox';

type Envelope = { message: { hits: Record<string, unknown>[]; estimatedTotalHits: number } };

describe('iMBRACE node: message Search', () => {
	const fixture = useSandbox();
	const SEARCH = '/v1/backend/meilisearch/org_imbrace/search';
	const FETCH = '/v1/backend/meilisearch/org_imbrace/fetch';

	function search(parameters: Record<string, unknown>, credentials = fixture.credentials()) {
		return runNode({
			parameters: { resource: 'message', operation: 'search', simplify: false, ...parameters },
			credentials,
		});
	}

	function searchBodies() {
		return fixture.sandbox.requests().map(({ method, path, body }) => ({ method, path, body }));
	}

	/** Every message of the organization, newest first, from the uncapped documents route. */
	async function everyMessage(): Promise<Array<{ _id: string; created_at: string }>> {
		const body = (await callApi(fixture.sandbox, FETCH, {
			method: 'POST',
			body: { filter: 'created_at EXISTS', limit: 1000, offset: 0 },
		})) as unknown as { message: { total: number } };
		const all = [];
		for (let offset = 0; offset < body.message.total; offset += 1000) {
			const page = (await callApi(fixture.sandbox, FETCH, {
				method: 'POST',
				body: { filter: 'created_at EXISTS', limit: 1000, offset },
			})) as unknown as { message: { results: Array<{ _id: string; created_at: string }> } };
			all.push(...page.message.results);
		}
		return all;
	}

	/**
	 * The requests a newest-first search for `limit` hits makes past the cap, given every message
	 * newest first: pages up to the 1,000th hit, then windows from the last hit's millisecond
	 * (`created_at <= …`), each read from offset 0, until a window brings nothing new.
	 */
	function windowsNewestFirst(all: Array<{ _id: string; created_at: string }>, limit: number) {
		const bodies: Record<string, unknown>[] = [];
		const taken = new Set<string>();
		let bound: string | undefined;
		let offset = 0;
		for (;;) {
			const filter = bound === undefined ? undefined : `created_at <= ${JSON.stringify(bound)}`;
			const matching = bound === undefined ? all : all.filter((doc) => doc.created_at <= bound!);
			const size = Math.min(1000, limit - taken.size);
			bodies.push({
				q: '',
				...(filter ? { filter } : {}),
				sort: ['created_at:desc'],
				limit: size,
				offset,
			});
			const hits = matching.slice(offset, Math.min(offset + size, 1000));
			const before = taken.size;
			for (const hit of hits) taken.add(hit._id);
			const total = Math.min(matching.length, 1000);
			if (taken.size >= limit) return bodies;
			if (offset + hits.length < total && hits.length > 0) {
				offset += hits.length;
				continue;
			}
			if (total < 1000 || offset + hits.length < 1000 || (filter && taken.size === before)) {
				return bodies;
			}
			bound = all.find((doc) => doc._id === [...taken].at(-1))!.created_at;
			offset = 0;
		}
	}

	it('walks every hit with Return All past the 1,000-hit cap, in windows of time (Meilisearch 1.15)', async () => {
		const all = await everyMessage();
		expect(all.length).toBeGreaterThan(2000);

		const run = await search({ returnAll: true, options: { sort: 'newestFirst' } });

		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.json._id)).toEqual(all.map((doc) => doc._id));
		expect(searchBodies()).toEqual(
			windowsNewestFirst(all, Infinity).map((body) => ({
				method: 'POST',
				path: SEARCH,
				body,
			})),
		);
	});

	it('asks for no more than Limit, and reads a Limit above 1,000 past the cap', async () => {
		const small = await search({ query: '', limit: 5 });
		expect(small.output).toHaveLength(5);
		expect(searchBodies()).toEqual([
			{ method: 'POST', path: SEARCH, body: { q: '', limit: 5, offset: 0 } },
		]);
		fixture.sandbox.clearRequests();

		const all = await everyMessage();
		const large = await search({ limit: 1500, options: { sort: 'newestFirst' } });
		expect(large.output.map((item) => item.json._id)).toEqual(
			all.slice(0, 1500).map((doc) => doc._id),
		);
		expect(searchBodies().map((request) => request.body)).toEqual(windowsNewestFirst(all, 1500));
	});

	it('reads oldest first past the cap as well', async () => {
		const all = (await everyMessage()).reverse();
		const run = await search({ returnAll: true, options: { sort: 'oldestFirst' } });

		expect(run.output.map((item) => item.json.created_at)).toEqual(
			all.map((doc) => doc.created_at),
		);
		expect(new Set(run.output.map((item) => item.json._id)).size).toBe(all.length);
		expect(searchBodies()[1].body).toEqual({
			q: '',
			filter: `created_at >= ${JSON.stringify(run.output[999].json.created_at)}`,
			sort: ['created_at:asc'],
			limit: 1000,
			offset: 0,
		});
	});

	it('stops at the cap in Relevance order, and says so under the output', async () => {
		const run = await search({ returnAll: true, options: { sort: 'relevance' } });

		expect(run.output).toHaveLength(1000);
		expect(searchBodies()).toEqual([
			{ method: 'POST', path: SEARCH, body: { q: '', limit: 1000, offset: 0 } },
		]);
		expect(run.hints).toEqual([
			{
				message:
					"Search stopped at iMBRACE's 1,000-hit cap: 1,000 messages came back, and more match. To get every match, sort by Newest First or Oldest First (which reads on past the cap where the index compares text, Meilisearch 1.15 or later), or use Fetch by Filter, which has no cap.",
				location: 'outputPane',
			},
		]);
	});

	it('says nothing of the cap when the answer was not cut', async () => {
		const conversationId = fixture.sandbox.addConversation();
		fixture.sandbox.addMessages({ conversationId, count: 3, text: 'A xylophone for the party' });
		const all = await search({ returnAll: true, options: { sort: 'newestFirst' } });
		const few = await search({
			query: 'xylophone',
			returnAll: true,
			options: { sort: 'relevance' },
		});
		const exactly = await search({ limit: 1000, options: { sort: 'relevance' } });

		expect(all.hints).toEqual([]);
		expect(few.output).toHaveLength(3);
		expect(few.hints).toEqual([]);
		expect(exactly.output).toHaveLength(1000);
		expect(exactly.hints).toEqual([]);
	});

	describe('on an index before Meilisearch 1.15', () => {
		const older = useSandbox({ meili: '1.14' });

		it('stops at the first 1,000 hits when the index cannot compare times: one window finds nothing', async () => {
			const run = await runNode({
				parameters: {
					resource: 'message',
					operation: 'search',
					returnAll: true,
					simplify: false,
					options: { sort: 'newestFirst' },
				},
				credentials: older.credentials(),
			});

			expect(run.error).toBeUndefined();
			expect(run.output).toHaveLength(1000);
			expect(run.hints).toEqual([
				{
					message:
						"Search stopped at iMBRACE's 1,000-hit cap: 1,000 messages came back, and more match. This index cannot read on past the cap by time (it compares text from Meilisearch 1.15 on). To get every match, use Fetch by Filter, which has no cap.",
					location: 'outputPane',
				},
			]);
			const bodies = older.sandbox.requests().map((request) => request.body);
			expect(bodies).toEqual([
				{ q: '', sort: ['created_at:desc'], limit: 1000, offset: 0 },
				{
					q: '',
					filter: `created_at <= ${JSON.stringify(run.output[999].json.created_at)}`,
					sort: ['created_at:desc'],
					limit: 1000,
					offset: 0,
				},
			]);
		});
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

	it('fails only its item with Continue On Fail, paired with it, and goes on with the others', async () => {
		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'search',
				organizationId: '={{ $json.organization }}',
				limit: 1,
			},
			items: [
				{ json: { organization: 'org_imbrace' } },
				{ json: { organization: 'imbrace' } },
				{ json: { organization: 'org_imbrace' } },
			],
			credentials: fixture.credentials(),
			settings: { onError: 'continueRegularOutput' },
		});

		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(run.output[1].json).toEqual({
			error: 'The Organization ID "imbrace" is not an organization ID [item 1]',
		});
		expect(searchBodies().map((request) => request.path)).toEqual([SEARCH, SEARCH]);
	});

	it('applies the Timeout under Request Options', async () => {
		fixture.sandbox.injectFault({ kind: 'delay', ms: 1500, match: { path: SEARCH }, times: 4 });

		const run = await search({ limit: 1, requestOptions: { timeout: 200 } });

		expect(run.error?.message).toBe(`${fixture.sandbox.url} did not answer in time`);
	});
});
