import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../harness/engine';
import { sandboxCredentials } from '../../../harness/sandbox';
import { startSandbox } from '../../../sandbox';
import type { Fault, RoutesMode, Sandbox } from '../../../sandbox';

/**
 * The route families (imbrace-api.md, "Two route families"): every operation works against a
 * gateway that serves the current family, the documented one or both, with Routes on Auto, and
 * finding out costs at most two requests, once.
 */

const PDF = Buffer.from('%PDF-1.4\n% a test file\n');
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

interface Operation {
	name: string;
	parameters: (sandbox: Sandbox) => INodeParameters;
	items?: INodeExecutionData[];
	/** The operation's requests in the current family and in the documented one. */
	paths: { current: string[]; documented: string[] };
}

const binaryItem = (data: Buffer, fileName: string, mimeType: string): INodeExecutionData => ({
	json: {},
	binary: { data: { data: data.toString('base64'), fileName, mimeType } },
});

const OPERATIONS: Operation[] = [
	{
		name: 'Get View Counts',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'getViewCounts',
			businessUnitId: sandbox.ids.businessUnitId,
		}),
		paths: {
			current: ['/channel-service/v2/team_conversations/_views_count'],
			documented: ['/v2/backend/team_conversations/_views_count'],
		},
	},
	{
		name: 'Get Channel Counts',
		parameters: () => ({ resource: 'conversation', operation: 'getChannelCounts', view: 'joined' }),
		paths: {
			current: ['/channel-service/v1/channels/_conv_count'],
			documented: ['/v2/backend/channels/_conv_count'],
		},
	},
	{
		name: 'Get Team Channel Counts',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'getTeamChannelCounts',
			teamId: sandbox.ids.teamId,
		}),
		paths: {
			current: ['/channel-service/v1/channels/_conv_count'],
			documented: ['/v1/backend/channels/_conv_count'],
		},
	},
	{
		name: 'Create',
		parameters: (sandbox) => ({
			resource: 'conversation',
			operation: 'create',
			additionalFields: { contactId: sandbox.ids.contactId },
		}),
		paths: {
			current: ['/channel-service/v1/conversations'],
			documented: ['/v1/backend/conversation'],
		},
	},
	{
		name: 'Get Many',
		parameters: (sandbox) => ({
			resource: 'message',
			operation: 'getMany',
			conversationId: sandbox.ids.contactConversationId,
			limit: 2,
		}),
		paths: {
			current: ['/channel-service/v1/conversation_messages'],
			documented: ['/v1/backend/conversation_messages'],
		},
	},
	{
		name: 'Send with an uploaded file',
		parameters: (sandbox) => ({
			resource: 'message',
			operation: 'send',
			conversationId: sandbox.ids.contactConversationId,
			messageType: 'pdf',
			fileSource: 'binary',
		}),
		items: [binaryItem(PDF, 'brochure.pdf', 'application/pdf')],
		paths: {
			current: [
				'/channel-service/v1/conversation_messages/_fileupload',
				'/channel-service/v1/conversation_messages',
			],
			documented: [
				'/v1/backend/conversation_messages/_fileupload',
				'/v1/backend/conversation_messages',
			],
		},
	},
	{
		name: 'Search',
		parameters: () => ({ resource: 'message', operation: 'search', query: 'refund', limit: 2 }),
		paths: {
			current: ['/v1/backend/meilisearch/org_imbrace/search'],
			documented: ['/v1/backend/meilisearch/org_imbrace/search'],
		},
	},
	{
		name: 'Fetch by Filter',
		parameters: () => ({ resource: 'message', operation: 'fetch', filter: 'type = pdf', limit: 2 }),
		paths: {
			current: ['/v1/backend/meilisearch/org_imbrace/fetch'],
			documented: ['/v1/backend/meilisearch/org_imbrace/fetch'],
		},
	},
];

const PROBE = {
	current: '/channel-service/v1/channels/_conv_count',
	documented: '/v2/backend/channels/_conv_count',
};

describe.each<RoutesMode>(['current', 'documented', 'both'])(
	'a gateway that serves %s routes, with Routes on Auto',
	(routes) => {
		let sandbox: Sandbox;
		beforeEach(async () => {
			// A gateway this process has not met: Auto has to find out.
			sandbox = await startSandbox({ routes });
		});
		afterEach(async () => await sandbox.close());

		const served = routes === 'documented' ? 'documented' : 'current';

		it.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
			'runs %s on the family it serves, after at most two probes, and none the second time',
			async (_name, operation) => {
				const run = () =>
					runNode({
						parameters: operation.parameters(sandbox),
						items: operation.items,
						credentials: sandboxCredentials(sandbox),
					});
				const first = await run();
				expect(first.error).toBeUndefined();
				expect(sandbox.requests().map((request) => request.path)).toEqual([
					// Finding out: the current family first, then the documented one only if need be.
					...(served === 'current' ? [PROBE.current] : [PROBE.current, PROBE.documented]),
					...operation.paths[served],
				]);
				expect(sandbox.requests().map((request) => request.status)).toEqual([
					...(served === 'current' ? [200] : [404, 200]),
					...operation.paths[served].map(() => 200),
				]);
				sandbox.clearRequests();

				const second = await run();
				expect(second.error).toBeUndefined();
				expect(second.output).toHaveLength(first.output.length);
				expect(sandbox.requests().map((request) => request.path)).toEqual(operation.paths[served]);
			},
		);

		it('finds out once for many items at once: at most two probes', async () => {
			const run = await runNode({
				parameters: {
					resource: 'message',
					operation: 'getMany',
					conversationId: sandbox.ids.contactConversationId,
					limit: 1,
				},
				items: Array.from({ length: 8 }, () => ({ json: {} })),
				credentials: sandboxCredentials(sandbox),
			});

			expect(run.error).toBeUndefined();
			const probes = sandbox
				.requests()
				.filter((request) => Object.values(PROBE).includes(request.path));
			expect(probes).toHaveLength(served === 'current' ? 1 : 2);
		});

		it.each(['current', 'documented'] as const)(
			'with Routes forced to %s, talks only to that family, or says which to choose',
			async (forced) => {
				const run = await runNode({
					parameters: { resource: 'conversation', operation: 'getChannelCounts' },
					credentials: sandboxCredentials(sandbox, { routes: forced }),
				});

				const paths = sandbox.requests().map((request) => request.path);
				if (routes === 'both' || routes === forced) {
					expect(run.error).toBeUndefined();
					expect(paths).toEqual([PROBE[forced], PROBE[forced]]);
				} else {
					const [name, other] =
						forced === 'current' ? ['Current', 'Documented'] : ['Documented', 'Current'];
					expect(run.error?.message).toContain(
						`does not serve the ${name} routes: choose ${other} (or Auto) under Routes in the iMBRACE credential.`,
					);
					// The forced family, then the other one only to name it.
					expect(paths).toEqual([
						PROBE[forced],
						PROBE[forced === 'current' ? 'documented' : 'current'],
					]);
				}
			},
		);
	},
);

describe('the current family’s own details', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ routes: 'current' });
	});
	beforeEach(() => sandbox.reset());
	afterAll(async () => await sandbox.close());

	const run = (parameters: INodeParameters, items?: INodeExecutionData[]) =>
		runNode({ parameters, items, credentials: sandboxCredentials(sandbox) });

	it('counts All channels with no view, and Joined and Yours by their view', async () => {
		for (const view of ['all', 'joined', 'yours']) {
			const counts = await run({ resource: 'conversation', operation: 'getChannelCounts', view });
			expect(counts.error).toBeUndefined();
		}
		const counted = sandbox
			.requests()
			.filter((request) => request.path === PROBE.current)
			.map((request) => request.query);
		expect(counted.slice(-3)).toEqual([{}, { view: 'joined' }, { view: 'yours' }]);
	});

	it('asks for a thumbnail when it uploads an image, and not for other files', async () => {
		const parameters = {
			resource: 'message',
			operation: 'send',
			conversationId: sandbox.ids.contactConversationId,
			fileSource: 'binary',
		};
		await run({ ...parameters, messageType: 'image' }, [binaryItem(PNG, 'photo.png', 'image/png')]);
		await run({ ...parameters, messageType: 'pdf' }, [
			binaryItem(PDF, 'brochure.pdf', 'application/pdf'),
		]);

		const uploads = sandbox
			.requests()
			.filter((request) => request.path.endsWith('/_fileupload'))
			.map((request) => (request.body as { fields: Record<string, string> }).fields);
		expect(uploads).toEqual([
			{ destination: 'image/png', create_thumbnail: 'true' },
			{ destination: 'application/pdf' },
		]);
	});

	it('finds out again when the gateway stops serving the family it served', async () => {
		const counts = { resource: 'conversation', operation: 'getChannelCounts' };
		expect((await run(counts)).error).toBeUndefined();
		sandbox.setMode({ routes: 'documented' });
		sandbox.clearRequests();

		const after = await run(counts);

		expect(after.error).toBeUndefined();
		expect(sandbox.requests().map((request) => [request.path, request.status])).toEqual([
			[PROBE.current, 404],
			[PROBE.current, 404],
			[PROBE.documented, 200],
			[PROBE.documented, 200],
		]);
	});
});

describe('a gateway that serves the documented routes only, at the first contact with Routes on Auto', () => {
	let sandbox: Sandbox;
	beforeEach(async () => {
		// A gateway this process has not met, so the first request finds out.
		sandbox = await startSandbox({ routes: 'documented' });
	});
	afterEach(async () => await sandbox.close());

	const counts = { resource: 'conversation', operation: 'getChannelCounts' };
	/** Every request to the documented family fails once, the way `fault` says, from now on. */
	const failDocumented = (fault: Fault, times: number) =>
		sandbox.injectFault({ ...fault, match: { path: '/v2/backend/*' }, times } as Fault);

	it('reports a wrong token with iMBRACE’s own message, not as a routes problem', async () => {
		const run = await runNode({
			parameters: counts,
			credentials: sandboxCredentials(sandbox, { accessToken: 'acc_wrong' }),
		});

		expect(run.error?.message).toBe('Unauthorized - Invalid token (HTTP 401)');
		expect(run.error?.description).toMatch(/^Check the Access Token or API Key/);
		// The gateway checks the token before the route: the probe learns nothing, and the request
		// itself reports the refusal.
		expect(sandbox.requests().map((request) => [request.path, request.status])).toEqual([
			[PROBE.current, 401],
			[PROBE.current, 401],
		]);
	});

	it('reports a wrong token on the documented routes with iMBRACE’s own message', async () => {
		failDocumented(
			{ kind: 'status', status: 401, body: { message: 'Unauthorized - Invalid token' } },
			2,
		);

		const run = await runNode({ parameters: counts, credentials: sandboxCredentials(sandbox) });

		expect(run.error?.message).toBe('Unauthorized - Invalid token (HTTP 401)');
		expect(sandbox.requests().map((request) => [request.path, request.status])).toEqual([
			[PROBE.current, 404],
			[PROBE.documented, 401],
			[PROBE.documented, 401],
		]);
	});

	it('reports a 429 that outlasts the node’s wait as a rate limit', async () => {
		failDocumented({ kind: 'rateLimit', retryAfter: 120 }, 2);

		const run = await runNode({ parameters: counts, credentials: sandboxCredentials(sandbox) });

		expect(run.error?.message).toBe('Too many requests. Please try again later. (HTTP 429)');
		expect(run.error?.description).toBe(
			'iMBRACE asks to wait 120 seconds before the next request (HTTP 429): longer than the one minute the node waits by itself, so it did not wait. Run the workflow again later.',
		);
	});

	it('reports an outage as an outage, and the next run finds the documented routes', async () => {
		failDocumented({ kind: 'html', status: 502 }, 5);

		const run = await runNode({ parameters: counts, credentials: sandboxCredentials(sandbox) });

		expect(run.error?.message).toBe('Bad Gateway (HTTP 502)');
		expect(run.error?.description).toMatch(/^The iMBRACE gateway answered with a web page/);
		sandbox.clearRequests();
		const next = await runNode({ parameters: counts, credentials: sandboxCredentials(sandbox) });
		expect(next.error).toBeUndefined();
		expect(sandbox.requests().map((request) => request.path)).toEqual([PROBE.documented]);
	});
});
