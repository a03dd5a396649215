import { join } from 'node:path';
import { rmSync } from 'node:fs';

import { CREDENTIAL_ID, writeSandboxCredential } from '../../scripts/n8n/examples';
import type { RunningN8n } from '../../scripts/n8n/instance';
import {
	createInstance,
	importFiles,
	importWorkflows,
	mustRun,
	startN8n,
} from '../../scripts/n8n/instance';
import { STATE_DIR, ensureRuntime } from '../../scripts/n8n/runtime';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { McpClient } from './mcp-client';

const WORKFLOW_ID = 'imbraceMcpServer1';
const MCP_PATH = 'imbrace-tools';
const TOOL_NODE = 'Get messages';
const CREDENTIALS = { imbraceApi: { id: CREDENTIAL_ID, name: 'iMBRACE sandbox' } };

/** n8n's MCP Server Trigger with the iMBRACE node attached as a tool: Get Many messages. */
function mcpWorkflow() {
	return {
		id: WORKFLOW_ID,
		name: 'iMBRACE tools over MCP',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'a1f0c2d6-0000-4000-8000-000000000001',
				name: 'MCP Server Trigger',
				type: '@n8n/n8n-nodes-langchain.mcpTrigger',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'b7e0f3a1-2c4d-4e5f-8a9b-0c1d2e3f4a5b',
				parameters: { path: MCP_PATH },
			},
			{
				id: 'a1f0c2d6-0000-4000-8000-000000000002',
				name: TOOL_NODE,
				type: 'n8n-nodes-imbrace.imbraceTool',
				typeVersion: 1,
				position: [0, 200],
				parameters: {
					resource: 'message',
					operation: 'getMany',
					conversationId: {
						__rl: true,
						mode: 'id',
						value:
							"={{ $fromAI('conversationId', 'The conv_ ID of the conversation to read', 'string') }}",
					},
				},
				credentials: CREDENTIALS,
			},
		],
		connections: {
			[TOOL_NODE]: {
				ai_tool: [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]],
			},
		},
	};
}

/**
 * Opens an MCP session once n8n serves the trigger's webhook: n8n answers its readiness check
 * before it has activated the published workflows.
 */
async function connectWhenActive(n8n: RunningN8n): Promise<McpClient> {
	const deadline = Date.now() + 120_000;
	for (;;) {
		try {
			return await McpClient.connect(`${n8n.url}/mcp/${MCP_PATH}`);
		} catch (error) {
			if (Date.now() > deadline || !/: 404 /.test((error as Error).message)) {
				throw new Error(`${(error as Error).message}\nn8n said:\n${n8n.output().slice(-3000)}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}

describe("the iMBRACE node as a tool of n8n's MCP Server Trigger, in a running n8n 2.x", () => {
	let sandbox: Sandbox;
	let n8n: RunningN8n | undefined;
	let client: McpClient;

	beforeAll(async () => {
		sandbox = await startSandbox();
		const runtime = ensureRuntime(2);
		const userFolder = join(STATE_DIR, 'e2e', `mcp-n8n-${runtime.version}`);
		rmSync(userFolder, { recursive: true, force: true });
		const instance = createInstance(runtime, userFolder);
		await importFiles(instance, {
			credentials: [writeSandboxCredential(join(userFolder, 'import'), sandbox)],
		});
		await importWorkflows(instance, [mcpWorkflow()]);
		await mustRun(instance, ['publish:workflow', `--id=${WORKFLOW_ID}`]);
		n8n = await startN8n(instance);
		client = await connectWhenActive(n8n);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sandbox?.close();
	});

	it('lists the iMBRACE tool with its argument', async () => {
		const tools = await client.listTools();

		// n8n's automatic tool description (the default): the operation's action and the node.
		expect(tools).toEqual([
			{
				name: 'Get_messages',
				description: 'Get many messages in iMBRACE',
				inputSchema: expect.objectContaining({
					type: 'object',
					properties: {
						conversationId: {
							type: 'string',
							description: 'The conv_ ID of the conversation to read',
						},
					},
					required: ['conversationId'],
				}),
			},
		]);
	});

	it('answers a call with 10 simplified messages, a cut long text and a note, not a raw page', async () => {
		const conversationId = sandbox.addConversation();
		sandbox.addMessages({ conversationId, count: 29 });
		const [long] = sandbox.addMessages({ conversationId, text: 'x'.repeat(1500) });

		const result = await client.callTool('Get_messages', { conversationId });

		expect(result.isError).toBeUndefined();
		const answer = JSON.parse(result.content[0].text) as Array<Record<string, unknown>>;
		expect(answer).toHaveLength(11);
		expect(answer[0]).toEqual({
			id: long.id,
			conversation_id: conversationId,
			business_unit_id: expect.any(String),
			organization_id: sandbox.ids.organizationId,
			from: expect.stringMatching(/^con_/),
			sender_type: 'contact',
			type: 'text',
			text: `${'x'.repeat(1000)}… [cut: 500 more characters]`,
			url: null,
			caption: null,
			title: null,
			payload: null,
			created_at: long.created_at,
		});
		expect(answer[10]).toEqual({
			note: 'Only the first 10 messages are shown; more were left out (this tool answers at most 10 items).',
		});
	});

	it('answers a failed call with the fix in the text the model reads', async () => {
		const result = await client.callTool('Get_messages', {
			conversationId: 'conv_00000000-0000-4000-8000-000000000000',
		});

		expect(result.isError).toBe(true);
		expect(result.content[0].text).toMatch(/\(HTTP 404\)\. Check the Conversation ID: /);
	});
});
