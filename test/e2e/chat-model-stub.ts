// A stand-in for OpenAI's Chat Completions API on 127.0.0.1, for n8n's AI Agent in the
// end-to-end tests: no network, and always the same moves. Asked with tools, it calls the first
// tool offered, with arguments made from the tool's schema; once a tool's result (or n8n's word
// that the call was denied) is in the conversation, it answers with a final text that quotes it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface JsonSchema {
	type?: string | string[];
	properties?: Record<string, JsonSchema>;
	items?: JsonSchema;
	anyOf?: JsonSchema[];
}

interface ChatRequest {
	model?: string;
	stream?: boolean;
	messages: Array<{ role: string; content?: unknown }>;
	tools?: Array<{ function: { name: string; parameters?: JsonSchema } }>;
}

export interface ChatModelStub {
	/** The base URL an OpenAI credential takes, ending in /v1. */
	url: string;
	/** Every request body received, in order. */
	requests: ChatRequest[];
	close(): Promise<void>;
}

/** A value that fits a JSON schema: strings say what the stub wants the tool to do. */
function sample(schema: JsonSchema | undefined, text: string): unknown {
	const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
	if (schema?.anyOf?.length) return sample(schema.anyOf[0], text);
	if (type === 'object' || schema?.properties) {
		return Object.fromEntries(
			Object.entries(schema?.properties ?? {}).map(([key, value]) => [key, sample(value, text)]),
		);
	}
	if (type === 'array') return [sample(schema?.items, text)];
	if (type === 'number' || type === 'integer') return 1;
	if (type === 'boolean') return true;
	return text;
}

function completion(request: ChatRequest, argumentText: string) {
	const last = request.messages.at(-1);
	const tool = request.tools?.[0];
	const message =
		last?.role === 'tool' || !tool
			? { role: 'assistant', content: `Final answer. Tool said: ${String(last?.content ?? '')}` }
			: {
					role: 'assistant',
					content: null,
					tool_calls: [
						{
							id: `call_${Date.now()}`,
							type: 'function',
							function: {
								name: tool.function.name,
								arguments: JSON.stringify(sample(tool.function.parameters, argumentText)),
							},
						},
					],
				};
	return {
		id: `chatcmpl-${Date.now()}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: request.model ?? 'gpt-4o-mini',
		choices: [
			{
				index: 0,
				message,
				finish_reason: 'tool_calls' in message ? 'tool_calls' : 'stop',
			},
		],
		usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
	};
}

/** The same answer as server-sent chunks, for a client that asks for a stream. */
function streamed(answer: ReturnType<typeof completion>): string {
	const { message, finish_reason } = answer.choices[0];
	const delta =
		'tool_calls' in message
			? {
					role: 'assistant',
					tool_calls: (message.tool_calls ?? []).map((call, index) => ({ index, ...call })),
				}
			: { role: 'assistant', content: message.content };
	const chunk = (choice: object, usage?: object) =>
		`data: ${JSON.stringify({ ...answer, object: 'chat.completion.chunk', choices: [choice], ...(usage ? { usage } : {}) })}\n\n`;
	return [
		chunk({ index: 0, delta, finish_reason: null }),
		chunk({ index: 0, delta: {}, finish_reason }, answer.usage),
		'data: [DONE]\n\n',
	].join('');
}

export async function startChatModelStub(argumentText: string): Promise<ChatModelStub> {
	const requests: ChatRequest[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: `No ${req.method} ${req.url} here` } }));
				return;
			}
			const request = JSON.parse(body) as ChatRequest;
			requests.push(request);
			const answer = completion(request, argumentText);
			if (request.stream) {
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				res.end(streamed(answer));
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(answer));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
