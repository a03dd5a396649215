import { runNode } from '../../harness/engine';
import { byId, callApi, useSandbox } from '../../harness/sandbox';

describe('iMBRACE node: conversation', () => {
	const fixture = useSandbox();

	function apiRequests() {
		return fixture.sandbox
			.requests()
			.map(({ method, path, query, body }) => ({ method, path, query, body }));
	}

	describe('Get View Counts', () => {
		it("answers one item: the business unit's counts", async () => {
			const { sandbox } = fixture;
			const bu = sandbox.ids.businessUnitId;
			const expected = await callApi(
				sandbox,
				`/v2/backend/team_conversations/_views_count?type=business_unit_id&q=${bu}`,
			);

			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'getViewCounts',
					businessUnitId: byId(bu),
				},
				credentials: fixture.credentials(),
			});

			expect(run.error).toBeUndefined();
			expect(run.output).toEqual([{ json: expected, pairedItem: { item: 0 } }]);
			expect(Object.keys(expected)).toEqual(
				expect.arrayContaining(['all', 'yours', 'closed', 'overdue', 'null', sandbox.ids.teamId]),
			);
			expect(apiRequests()).toEqual([
				{
					method: 'GET',
					path: '/channel-service/v2/team_conversations/_views_count',
					query: { type: 'business_unit_id', q: bu },
					body: undefined,
				},
			]);
		});

		it('takes the ID as a plain string, an expression or a locator, trimmed', async () => {
			const { sandbox } = fixture;
			const bu = sandbox.ids.businessUnitId;
			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'getViewCounts',
					businessUnitId: '={{ $json.unit }}',
				},
				items: [{ json: { unit: bu } }, { json: { unit: ` ${bu} ` } }],
				credentials: fixture.credentials(),
			});
			const plain = await runNode({
				parameters: { resource: 'conversation', operation: 'getViewCounts', businessUnitId: bu },
				credentials: fixture.credentials(),
			});

			expect(run.error).toBeUndefined();
			expect(plain.error).toBeUndefined();
			expect(run.output).toHaveLength(2);
			expect(fixture.sandbox.requests().map((r) => r.query.q)).toEqual([bu, bu, bu]);
		});

		it('fails before any request for an empty or foreign ID, naming the parameter and item', async () => {
			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'getViewCounts',
					businessUnitId: '={{ $json.unit }}',
				},
				items: [{ json: { unit: '  ' } }, { json: { unit: 't_imbrace_default_team' } }],
				credentials: fixture.credentials(),
				settings: { onError: 'continueRegularOutput' },
			});

			expect(run.output.map((item) => item.json)).toEqual([
				{ error: 'The Business Unit ID is empty [item 0]' },
				{
					error: 'The Business Unit ID "t_imbrace_default_team" is not a business unit ID [item 1]',
				},
			]);
			expect(run.output.map((item) => item.error?.description)).toEqual([
				"Enter the business unit's ID, e.g. bu_3f2a9c1e-…, or map it from the input.",
				'Business unit IDs start with bu_, e.g. bu_3f2a9c1e-….',
			]);
			expect(fixture.sandbox.requests()).toEqual([]);
		});
	});

	describe('Get Channel Counts', () => {
		it.each(['all', 'joined', 'yours'])('answers the counts of the %s view', async (view) => {
			const { sandbox } = fixture;
			const expected = await callApi(sandbox, `/v2/backend/channels/_conv_count?view=${view}`);

			const run = await runNode({
				parameters: { resource: 'conversation', operation: 'getChannelCounts', view },
				credentials: fixture.credentials(),
			});

			expect(run.output).toEqual([{ json: expected, pairedItem: { item: 0 } }]);
			expect(apiRequests()).toEqual([
				{
					method: 'GET',
					path: '/channel-service/v1/channels/_conv_count',
					// The current family counts All without a view (it refuses `all`).
					query: view === 'all' ? {} : { view },
					body: undefined,
				},
			]);
		});

		it('refuses a mapped View that is not one of its three values, before any request', async () => {
			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'getChannelCounts',
					view: '={{ $json.view }}',
				},
				items: [{ json: { view: 'everything' } }],
				credentials: fixture.credentials(),
			});

			expect(run.error?.message).toBe(
				'The View "everything" is not one of all, joined, yours [item 0]',
			);
			expect(run.error?.description).toBe(
				'Choose All, Joined or Yours, or map one of those values.',
			);
			expect(fixture.sandbox.requests()).toEqual([]);
		});

		it('counts all conversations when the view is left at its default', async () => {
			const run = await runNode({
				parameters: { resource: 'conversation', operation: 'getChannelCounts' },
				credentials: fixture.credentials(),
			});

			expect(run.error).toBeUndefined();
			expect(fixture.sandbox.requests()[0].query).toEqual({});
		});
	});

	describe('Get Team Channel Counts', () => {
		it("answers one item: the team's counts", async () => {
			const { sandbox } = fixture;
			const team = sandbox.ids.teamId;
			const expected = await callApi(sandbox, `/v1/backend/channels/_conv_count?team_id=${team}`);

			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'getTeamChannelCounts',
					teamId: byId(team),
				},
				credentials: fixture.credentials(),
			});

			expect(run.output).toEqual([{ json: expected, pairedItem: { item: 0 } }]);
			expect(apiRequests()).toEqual([
				{
					method: 'GET',
					path: '/channel-service/v1/channels/_conv_count',
					query: { team_id: team },
					body: undefined,
				},
			]);
		});

		it('names the Team ID when iMBRACE does not know the team', async () => {
			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'getTeamChannelCounts',
					teamId: 't_unknown',
				},
				credentials: fixture.credentials(),
			});

			expect(run.error?.message).toBe('Not Found (HTTP 404)');
			expect(run.error?.description).toBe(
				'Check the Team ID: iMBRACE has nothing with that ID that this token can see.',
			);
			expect(fixture.sandbox.requests()).toHaveLength(1);
		});
	});

	describe('Create', () => {
		it('opens a conversation for the contact a contact token belongs to, with an empty body', async () => {
			const { sandbox } = fixture;
			const run = await runNode({
				parameters: { resource: 'conversation', operation: 'create' },
				credentials: fixture.credentials({ accessToken: sandbox.tokens.contact }),
			});

			expect(run.error).toBeUndefined();
			expect(run.output).toHaveLength(1);
			expect(run.output[0].json).toMatchObject({
				object_name: 'conversation',
				contact_id: sandbox.ids.contactId,
				organization_id: sandbox.ids.organizationId,
				status: 'active',
			});
			expect(String(run.output[0].json.id)).toMatch(/^conv_/);
			expect(apiRequests()).toEqual([
				{ method: 'POST', path: '/channel-service/v1/conversations', query: {}, body: undefined },
			]);
		});

		it('opens a conversation for a named contact and channel with an agent token', async () => {
			const { sandbox } = fixture;
			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'create',
					additionalFields: { contactId: sandbox.ids.contactId, channelId: sandbox.ids.channelId },
				},
				credentials: fixture.credentials(),
			});

			expect(run.error).toBeUndefined();
			expect(run.output[0].json).toMatchObject({
				contact_id: sandbox.ids.contactId,
				channel_id: sandbox.ids.channelId,
			});
			expect(apiRequests()).toEqual([
				{
					method: 'POST',
					path: '/channel-service/v1/conversations',
					query: {},
					body: { contact_id: sandbox.ids.contactId, channel_id: sandbox.ids.channelId },
				},
			]);
		});

		it('leaves out a Channel ID that is mapped to nothing, so the contact’s channel is used', async () => {
			const { sandbox } = fixture;
			const run = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'create',
					additionalFields: {
						contactId: '={{ $json.contact }}',
						channelId: '={{ $json.channel }}',
					},
				},
				items: [
					{ json: { contact: ` ${sandbox.ids.contactId} `, channel: '' } },
					{ json: { contact: sandbox.ids.contactId } },
				],
				credentials: fixture.credentials(),
			});

			expect(run.error).toBeUndefined();
			expect(apiRequests().map((request) => request.body)).toEqual([
				{ contact_id: sandbox.ids.contactId },
				{ contact_id: sandbox.ids.contactId },
			]);
		});

		it("passes on iMBRACE's answer when an agent token names no contact, and says what to add", async () => {
			const run = await runNode({
				parameters: { resource: 'conversation', operation: 'create' },
				credentials: fixture.credentials(),
			});

			expect(run.error?.message).toBe('Invalid request (HTTP 400)');
			expect(run.error?.description).toBe(
				'An agent token or API key must name the contact: add Contact ID under Additional Fields.',
			);
		});
	});
});
