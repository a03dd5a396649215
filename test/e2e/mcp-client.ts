/**
 * A minimal MCP client over Streamable HTTP (JSON-RPC 2.0 in POST requests; the answer comes as
 * JSON or as a Server-Sent Events stream), enough to list and call tools. Written here rather
 * than taken from the MCP SDK, which would be one more dependency for a few requests.
 */

export interface McpTool {
	name: string;
	description: string;
	inputSchema: Record<string, unknown>;
}

export interface McpToolResult {
	content: Array<{ type: string; text: string }>;
	isError?: boolean;
}

interface JsonRpcAnswer {
	id?: number;
	result?: unknown;
	error?: { code: number; message: string };
}

const PROTOCOL_VERSION = '2025-03-26';

/** The JSON-RPC answers in a Server-Sent Events body: the `data:` lines of each event. */
function eventsOf(body: string): JsonRpcAnswer[] {
	return body
		.split(/\r?\n\r?\n/)
		.map((event) =>
			event
				.split(/\r?\n/)
				.filter((line) => line.startsWith('data:'))
				.map((line) => line.slice(5).trimStart())
				.join('\n'),
		)
		.filter((data) => data)
		.map((data) => JSON.parse(data) as JsonRpcAnswer);
}

export class McpClient {
	private nextId = 1;

	private constructor(
		private readonly url: string,
		private sessionId?: string,
	) {}

	/** Opens a session: `initialize`, then the `notifications/initialized` notice. */
	static async connect(url: string): Promise<McpClient> {
		const client = new McpClient(url);
		await client.request('initialize', {
			protocolVersion: PROTOCOL_VERSION,
			capabilities: {},
			clientInfo: { name: 'n8n-nodes-imbrace-e2e', version: '1.0.0' },
		});
		await client.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
		return client;
	}

	async listTools(): Promise<McpTool[]> {
		const { tools } = (await this.request('tools/list', {})) as { tools: McpTool[] };
		return tools;
	}

	async callTool(name: string, args: Record<string, unknown>): Promise<McpToolResult> {
		return (await this.request('tools/call', { name, arguments: args })) as McpToolResult;
	}

	private async request(method: string, params: Record<string, unknown>): Promise<unknown> {
		const id = this.nextId++;
		const answers = await this.post({ jsonrpc: '2.0', id, method, params });
		const answer = answers.find((candidate) => candidate.id === id);
		if (!answer) throw new Error(`No answer to ${method}`);
		if (answer.error) throw new Error(`${method} failed: ${answer.error.message}`);
		return answer.result;
	}

	private async post(message: Record<string, unknown>): Promise<JsonRpcAnswer[]> {
		const response = await fetch(this.url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				accept: 'application/json, text/event-stream',
				...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
			},
			body: JSON.stringify(message),
		});
		this.sessionId ??= response.headers.get('mcp-session-id') ?? undefined;
		const body = await response.text();
		if (!response.ok) throw new Error(`MCP ${String(message.method)}: ${response.status} ${body}`);
		if (!body.trim()) return [];
		return (response.headers.get('content-type') ?? '').includes('text/event-stream')
			? eventsOf(body)
			: [JSON.parse(body) as JsonRpcAnswer];
	}
}
