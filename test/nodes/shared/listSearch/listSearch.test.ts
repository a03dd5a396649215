import { allPages, listSearch } from '../../../harness/listSearch';
import { TRIGGER_TYPE } from '../../../harness/package';
import { byId, callApi, useSandbox } from '../../../harness/sandbox';

/** The "From list" pickers, run through n8n-core's LoadOptionsContext against the sandbox. */
describe('From list pickers', () => {
	const fixture = useSandbox();
	const paths = () => fixture.sandbox.requests().map(({ path, query }) => ({ path, query }));

	it('pages a business unit’s 105 teams in pages of 100, without repeats, two requests', async () => {
		const { sandbox } = fixture;
		const bu = sandbox.inboxIds.manyTeamsBusinessUnitId;

		const { values, pages } = await allPages({
			method: 'searchTeams',
			parameters: { resource: 'conversation', operation: 'getMany', businessUnitId: byId(bu) },
			credentials: fixture.credentials(),
		});

		expect(values).toHaveLength(sandbox.inboxIds.manyTeamsIds.length);
		expect(new Set(values)).toEqual(new Set(sandbox.inboxIds.manyTeamsIds));
		expect(pages).toBe(2);
		expect(paths()).toEqual([
			{
				path: '/platform/v1/teams',
				query: { type: 'business_unit_id', q: bu, skip: '0', limit: '100' },
			},
			{
				path: '/platform/v1/teams',
				query: { type: 'business_unit_id', q: bu, skip: '100', limit: '100' },
			},
		]);
	});

	it('sends a team search to iMBRACE', async () => {
		const { sandbox } = fixture;
		const result = await listSearch({
			method: 'searchTeams',
			parameters: { resource: 'conversation', operation: 'getTeamChannelCounts' },
			credentials: fixture.credentials(),
			filter: 'vip',
		});

		expect(result.results.map((team) => team.value)).toEqual([sandbox.ids.teamIds[1]]);
		expect(
			paths().filter((request) => request.path === '/platform/v1/teams')[0].query,
		).toMatchObject({
			search: 'vip',
		});
	});

	it('leaves bots out of the agents, and asks only active ones', async () => {
		const { sandbox } = fixture;
		const { values } = await allPages({
			method: 'searchAgents',
			parameters: { resource: 'conversation', operation: 'assign' },
			credentials: fixture.credentials(),
		});

		expect(values).toContain(sandbox.ids.agentUserId);
		expect(values).not.toContain('u_imbrace_bot');
		expect(values).not.toContain(sandbox.inboxIds.orderBotUserId);
		expect(values).not.toContain(sandbox.inboxIds.inactiveUserId);
		expect(paths()[0].query).toMatchObject({ status: 'active' });
	});

	it('leaves inactive and deleted channels out', async () => {
		const { sandbox } = fixture;
		const result = await listSearch({
			method: 'searchChannels',
			parameters: {},
			credentials: fixture.credentials(),
		});

		const values = result.results.map((channel) => channel.value);
		expect(values).toContain(sandbox.ids.channelId);
		expect(values).not.toContain(sandbox.inboxIds.inactiveChannelId);
		expect(values).not.toContain(sandbox.inboxIds.deletedChannelId);
	});

	it('offers only approved WhatsApp templates of the conversation’s channel', async () => {
		const { sandbox } = fixture;
		const { whatsappTemplateIds: ids } = sandbox.inboxIds;
		const result = await listSearch({
			method: 'searchTemplates',
			parameters: {
				resource: 'message',
				operation: 'send',
				messageType: 'whatsappTemplate',
				conversationId: byId(sandbox.inboxIds.whatsappInsideWindowConversationId),
			},
			credentials: fixture.credentials(),
		});

		const values = result.results.map((template) => template.value);
		expect(values).toEqual(expect.arrayContaining([ids.welcome, ids.orderUpdate]));
		expect(values).not.toContain(ids.promoSummer);
		expect(values).not.toContain(ids.salesFollowUp);
	});

	it('lists the inbox’s conversations for the trigger too, and searches them with §15’s search', async () => {
		const { sandbox } = fixture;
		const first = await listSearch({
			method: 'searchConversations',
			parameters: { scope: 'conversation' },
			credentials: fixture.credentials(),
			nodeType: TRIGGER_TYPE,
		});
		expect(first.results).toHaveLength(new Set(first.results.map((r) => r.value)).size);
		expect(first.results.every((result) => String(result.value).startsWith('conv_'))).toBe(true);
		expect(first.paginationToken).toBeDefined();

		sandbox.clearRequests();
		const found = await listSearch({
			method: 'searchConversations',
			parameters: {},
			credentials: fixture.credentials(),
			filter: 'guest',
		});
		expect(found.results.length).toBeGreaterThan(0);
		expect(
			paths().some((request) => request.path === '/channel-service/v1/team_conversations/_search'),
		).toBe(true);
	});

	it('throws the error of a failed call instead of answering an empty list', async () => {
		const { sandbox } = fixture;
		await expect(
			listSearch({
				method: 'searchBusinessUnits',
				parameters: {},
				credentials: fixture.credentials({ accessToken: sandbox.tokens.contact }),
			}),
		).rejects.toThrow(/^This credential may not use the inbox endpoints/);
	});

	it('searches contacts with iMBRACE’s contact search', async () => {
		const { sandbox } = fixture;
		const direct = (await callApi(
			sandbox,
			'/channel-service/v1/contacts/_search?type=text&q=guest&skip=0&limit=100',
		)) as {
			data: Array<{ id: string }>;
		};
		const result = await listSearch({
			method: 'searchContacts',
			parameters: {},
			credentials: fixture.credentials(),
			filter: 'guest',
		});

		expect(result.results.map((contact) => contact.value)).toEqual(
			direct.data.map((row) => row.id),
		);
	});
});
