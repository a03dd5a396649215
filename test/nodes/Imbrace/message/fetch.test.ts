import { runNode } from '../../../harness/engine';
import { callApi, useSandbox } from '../../../harness/sandbox';

type Envelope = { message: { results: Record<string, unknown>[]; total: number } };

describe('iMBRACE node: message Fetch by Filter', () => {
	const fixture = useSandbox();
	const FETCH = '/v1/backend/meilisearch/org_imbrace/fetch';

	function fetchMessages(parameters: Record<string, unknown>) {
		return runNode({
			parameters: { resource: 'message', operation: 'fetch', simplify: false, ...parameters },
			credentials: fixture.credentials(),
		});
	}

	function fetchBodies() {
		return fixture.sandbox.requests().map((request) => request.body);
	}

	it('walks every matching document with Return All in pages of 1000, newest first', async () => {
		const { sandbox } = fixture;
		const filter = `business_unit_id = ${sandbox.ids.businessUnitId}`;
		const first = (await callApi(sandbox, FETCH, {
			method: 'POST',
			body: { filter, limit: 1000, offset: 0 },
		})) as unknown as Envelope;
		const { total } = first.message;
		expect(total).toBeGreaterThan(1000);

		const run = await fetchMessages({ filter, returnAll: true });

		expect(run.output).toHaveLength(total);
		expect(run.output.slice(0, 1000).map((item) => item.json)).toEqual(first.message.results);
		expect(fetchBodies()).toEqual(
			Array.from({ length: Math.ceil(total / 1000) }, (_, page) => ({
				filter,
				limit: 1000,
				offset: page * 1000,
			})),
		);
	});

	it('asks for no more than Limit', async () => {
		const run = await fetchMessages({ filter: 'type = image', limit: 7 });

		expect(run.output).toHaveLength(7);
		expect(run.output.every((item) => item.json.type === 'image')).toBe(true);
		expect(fetchBodies()).toEqual([{ filter: 'type = image', limit: 7, offset: 0 }]);
	});

	it('refuses an empty filter before any request', async () => {
		const run = await fetchMessages({ filter: '={{ "  " }}' });

		expect(run.error?.message).toBe('The Filter is empty [item 0]');
		expect(fixture.sandbox.requests()).toEqual([]);
	});

	it("passes on iMBRACE's explanation of a filter on an attribute that cannot be filtered", async () => {
		const run = await fetchMessages({ filter: 'content = hello' });

		expect(run.error?.message).toMatch(/content.* \(HTTP 400\)$/);
		expect((run.error as { httpCode?: string } | undefined)?.httpCode).toBe('400');
	});
});
