import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../harness/engine';
import { byId, callApi, useSandbox } from '../../../harness/sandbox';

const INBOX = '/channel-service/v2/team_conversations';
const SEARCH = '/channel-service/v1/team_conversations/_search';

describe('iMBRACE node: conversation Get Many (the inbox)', () => {
	const fixture = useSandbox();

	function getMany(parameters: INodeParameters) {
		return runNode({
			parameters: {
				resource: 'conversation',
				operation: 'getMany',
				businessUnitId: byId(fixture.sandbox.ids.businessUnitId),
				...parameters,
			},
			credentials: fixture.credentials(),
		});
	}

	const queries = () => fixture.sandbox.requests().map(({ path, query }) => ({ path, query }));

	it('asks one page of Limit items of the view, with the wire’s view name, and simplifies them', async () => {
		const { sandbox } = fixture;
		const bu = sandbox.ids.businessUnitId;
		const expected = (await callApi(
			sandbox,
			`${INBOX}?type=business_unit_id&q=${bu}&view=rep%20needed&skip=0&limit=5`,
		)) as { data: Array<{ conversation_id: string; id: string }> };

		const run = await getMany({ view: 'repNeeded', limit: 5 });

		expect(run.error).toBeUndefined();
		expect(queries()).toEqual([
			{
				path: INBOX,
				query: { type: 'business_unit_id', q: bu, view: 'rep needed', skip: '0', limit: '5' },
			},
		]);
		expect(run.output.map((item) => [item.json.id, item.json.team_conversation_id])).toEqual(
			expected.data.map((row) => [row.conversation_id, row.id]),
		);
		expect(run.output[0].json).toMatchObject({ agents: null, status: expect.any(String) });
	});

	it('walks every page of 100 with Return All, as many requests as the total needs, no repeats', async () => {
		const { sandbox } = fixture;
		const bu = sandbox.ids.businessUnitId;
		const first = (await callApi(
			sandbox,
			`${INBOX}?type=business_unit_id&q=${bu}&view=all&skip=0&limit=1`,
		)) as { count: number };

		const run = await getMany({ returnAll: true, simplify: false });

		expect(run.error).toBeUndefined();
		expect(first.count).toBeGreaterThan(100);
		expect(run.output).toHaveLength(first.count);
		expect(new Set(run.output.map((item) => item.json.id)).size).toBe(first.count);
		expect(queries().map((request) => [request.query.skip, request.query.limit])).toEqual(
			Array.from({ length: Math.ceil(first.count / 100) }, (_, page) => [
				String(page * 100),
				'100',
			]),
		);
		expect(run.output[0].json).toMatchObject({ object_name: 'team_conversation' });
	});

	it('reads one team’s conversations, of the chosen channel types', async () => {
		const { sandbox } = fixture;
		const run = await getMany({
			view: 'team',
			teamId: sandbox.ids.teamId,
			returnAll: true,
			options: { channelTypes: ['web', 'whatsapp'] },
		});

		expect(run.error).toBeUndefined();
		expect(queries()[0].query).toMatchObject({
			view: 'team',
			team_id: sandbox.ids.teamId,
			channel_types: 'web',
		});
		const types = new Set(run.output.map((item) => item.json.channel_type));
		// Both repeated `channel_types` reached the service.
		expect([...types].sort()).toEqual(['web', 'whatsapp']);
		expect(new Set(run.output.map((item) => item.json.team_id))).toEqual(
			new Set([sandbox.ids.teamId]),
		);
	});

	it('searches with §15’s search, any status, and no view', async () => {
		const { sandbox } = fixture;
		const bu = sandbox.ids.businessUnitId;
		const run = await getMany({ view: 'closed', limit: 3, options: { search: 'guest' } });

		expect(run.error).toBeUndefined();
		expect(queries()).toEqual([
			{
				path: SEARCH,
				query: { business_unit_id: bu, type: 'text', q: 'guest', skip: '0', limit: '3' },
			},
		]);
		expect(run.output).toHaveLength(3);
		for (const item of run.output) expect(String(item.json.name).toLowerCase()).toContain('guest');
	});

	it('refuses a Team view without a team, before any request', async () => {
		const run = await getMany({ view: 'team', teamId: '={{ "" }}' });

		expect(run.error?.message).toBe('The Team ID is empty [item 0]');
		expect(fixture.sandbox.requests()).toEqual([]);
	});
});
