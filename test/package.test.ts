import type { INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { createNode, getNodeTypes } from './harness/engine';
import { NODE_TYPE, loadPackage } from './harness/package';

/** Every value an options parameter of this name offers, over all its display variants. */
function optionValues(properties: INodeProperties[], name: string): unknown[] {
	return properties
		.filter((property) => property.name === name)
		.flatMap((property) =>
			(property.options ?? []).map((option) => ('value' in option ? option.value : option.name)),
		);
}

function names(properties: INodeProperties[]): string[] {
	return properties.flatMap((property) => [
		property.name,
		...(property.type === 'collection'
			? (property.options as INodeProperties[]).map((o) => `${property.name}.${o.name}`)
			: []),
	]);
}

describe('the package, as n8n loads it', () => {
	let node: INodeTypeDescription;
	let trigger: INodeTypeDescription;

	beforeAll(async () => {
		const loader = await loadPackage();
		node = loader.nodeTypes.imbrace.type.description as INodeTypeDescription;
		trigger = loader.nodeTypes.imbraceTrigger.type.description as INodeTypeDescription;
	});

	it('holds both nodes and the credential, with icons and codex resolved', async () => {
		const loader = await loadPackage();

		expect(loader.packageName).toBe('n8n-nodes-imbrace');
		expect(Object.keys(loader.nodeTypes).sort()).toEqual(['imbrace', 'imbraceTrigger']);
		expect(Object.keys(loader.credentialTypes)).toEqual(['imbraceApi']);
		expect(loader.known.credentials.imbraceApi.supportedNodes).toEqual([
			'imbrace',
			'imbraceTrigger',
		]);
		for (const description of [node, trigger]) {
			expect(description.iconUrl).toEqual({
				light: 'icons/n8n-nodes-imbrace/dist/icons/imbrace.svg',
				dark: 'icons/n8n-nodes-imbrace/dist/icons/imbrace.dark.svg',
			});
			expect(description.codex?.categories).toEqual(['Communication', 'Sales']);
			expect(description.codex?.resources?.primaryDocumentation?.[0].url).toBe(
				'https://imbrace.gitbook.io/imbrace-documentation/api-documents/app-gateway/conversations-apis',
			);
		}
		expect(loader.credentialTypes.imbraceApi.type.displayName).toBe('iMBRACE API');
	});

	it('offers the node as a tool for AI agents, and the trigger as a poller', () => {
		// As a tool the editor offers a description written for the model: each operation and its ID.
		const { description } = (node.usableAsTool as { replacements: { description: string } })
			.replacements;
		for (const words of ['Get Many', 'Search', 'Fetch by Filter', 'Send', 'Counts', 'Create']) {
			expect(description).toContain(`${words}: `);
		}
		for (const prefix of ['conv_', 'bu_', 't_', 'con_', 'ch_']) {
			expect(description).toContain(`${prefix}…`);
		}
		expect(trigger.usableAsTool).toBeUndefined();
		expect(trigger.polling).toBe(true);
		expect(trigger.properties[0].name).toBe('pollTimes');
		expect(node.properties.map((property) => property.name)).toContain('requestOptions');
	});

	it('keeps the parameter names and option values that saved workflows store', () => {
		expect(optionValues(node.properties, 'resource')).toEqual(['conversation', 'message']);
		expect(optionValues(node.properties, 'operation').sort()).toEqual(
			[
				'getViewCounts',
				'getChannelCounts',
				'getTeamChannelCounts',
				'create',
				'getMany',
				'send',
				'search',
				'fetch',
				'sendAndWait',
				// The inbox (inbox contract): conversations' own Get Many shares the name with messages'.
				'get',
				'getMany',
				'close',
				'reopen',
				'assign',
				'unassign',
			].sort(),
		);
		expect(optionValues(node.properties, 'view').sort()).toEqual(
			[
				'all',
				'joined',
				'yours',
				'all',
				'yours',
				'team',
				'repNeeded',
				'pending',
				'soonToBe',
				'overdue',
				'closed',
				'spam',
			].sort(),
		);
		expect(optionValues(node.properties, 'messageType').sort()).toEqual([
			'file',
			'image',
			'pdf',
			'quickReply',
			'template',
			'text',
			'whatsappTemplate',
		]);
		expect(optionValues(node.properties, 'fileSource').sort()).toEqual(['binary', 'url']);
		expect(
			node.properties
				.filter((p) => p.name === 'options')
				.flatMap((p) => p.options ?? [])
				.find((o) => o.name === 'sort'),
		).toMatchObject({
			options: [{ value: 'newestFirst' }, { value: 'oldestFirst' }, { value: 'relevance' }],
		});
		expect(new Set(names(node.properties))).toEqual(
			new Set([
				'resource',
				'operation',
				'businessUnitId',
				'view',
				'teamId',
				'additionalFields',
				'additionalFields.channelId',
				'additionalFields.contactId',
				'conversationId',
				'returnAll',
				'limit',
				// Shown only in tool mode: the most items a tool answers.
				'answerLimit',
				'simplify',
				'messageType',
				'text',
				'fileSource',
				'url',
				'binaryPropertyName',
				'caption',
				'title',
				'payload',
				'organizationId',
				'query',
				'options',
				'options.filter',
				'options.sort',
				'options.teamId',
				'options.channelTypes',
				'options.search',
				'agentId',
				'templateId',
				'variables',
				'filter',
				'sendAndWaitNotice',
				'message',
				'responseType',
				'approvalOptions',
				'options.limitWaitTime',
				'options.messageButtonLabel',
				'requestOptions',
				'requestOptions.allowUnauthorizedCerts',
				'requestOptions.batching',
				'requestOptions.proxy',
				'requestOptions.timeout',
			]),
		);
		expect(node.properties.find((p) => p.name === 'limit')?.default).toBe(50);
		expect(node.properties.find((p) => p.name === 'binaryPropertyName')?.default).toBe('data');

		expect(optionValues(trigger.properties, 'scope').sort()).toEqual([
			'conversation',
			'organization',
		]);
		expect(new Set(names(trigger.properties))).toEqual(
			new Set([
				'pollTimes',
				'notice',
				'ownMessagesNotice',
				'scope',
				'conversationId',
				'organizationId',
				'query',
				'filter',
				'simplify',
				'options',
				'options.includeOwnMessages',
				'options.messageTypes',
				'options.senderTypes',
			]),
		);
		expect(trigger.properties.find((p) => p.name === 'simplify')?.default).toBe(true);
		const options = trigger.properties.find((p) => p.name === 'options')
			?.options as INodeProperties[];
		expect(optionValues(options, 'messageTypes').sort()).toEqual([
			'file',
			'image',
			'pdf',
			'quick_reply',
			'text',
		]);
		expect(optionValues(options, 'senderTypes').sort()).toEqual(['agent', 'bot', 'contact']);
	});

	it('describes every operation well enough for an agent to choose by', () => {
		const operations = node.properties
			.filter((property) => property.name === 'operation')
			.flatMap((property) => property.options ?? []);
		for (const operation of operations) {
			expect(operation).toEqual(
				expect.objectContaining({ action: expect.any(String), description: expect.any(String) }),
			);
			expect((operation as { description: string }).description.length).toBeGreaterThan(30);
		}
	});

	it('shows the chosen operation’s action under the node on the canvas', async () => {
		const nodeTypes = await getNodeTypes();
		const operations = node.properties.filter((property) => property.name === 'operation');
		const shown: string[] = [];
		const actions: string[] = [];
		for (const property of operations) {
			const resource = String(property.displayOptions?.show?.resource?.[0]);
			for (const option of property.options as INodePropertyOptions[]) {
				const parameters = { resource, operation: option.value };
				const canvasNode = createNode(NODE_TYPE, parameters);
				const workflow = new Workflow({
					nodes: [canvasNode],
					connections: {},
					active: false,
					nodeTypes,
				});
				shown.push(
					String(
						workflow.expression.getSimpleParameterValue(canvasNode, node.subtitle!, 'internal', {}),
					),
				);
				actions.push(String(option.action));
			}
		}
		expect(shown).toEqual(actions);
	});

	it('keeps the credential parameters and their values', async () => {
		const { properties } = (await loadPackage()).credentialTypes.imbraceApi.type;

		expect(properties.map((property) => property.name)).toEqual([
			'environment',
			'baseUrl',
			'authType',
			'accessToken',
			'organizationId',
			'routes',
			'routeFamily',
		]);
		expect(optionValues(properties, 'routes')).toEqual(['auto', 'current', 'documented']);
		expect(properties.find((property) => property.name === 'routes')?.default).toBe('auto');
		// Hidden and always empty: see the credential's preAuthentication.
		expect(properties.find((property) => property.name === 'routeFamily')).toMatchObject({
			type: 'hidden',
			typeOptions: { expirable: true },
			default: '',
		});
		expect(optionValues(properties, 'environment')).toEqual([
			'production',
			'demo',
			'development',
			'custom',
		]);
		expect(optionValues(properties, 'authType')).toEqual(['accessToken', 'apiKey']);
		expect(properties.find((property) => property.name === 'accessToken')?.typeOptions).toEqual({
			password: true,
		});
	});
});
