// The benchmark's floor inside n8n: the least a node can do to send iMBRACE messages or read a
// conversation in n8n's engine. It is part of the benchmark only (never of the published package,
// which is dist/ alone); run.ts loads it into the same n8n as the iMBRACE node through
// N8N_CUSTOM_EXTENSIONS, where its type is `CUSTOM.imbraceFloor`.
//
// For each item in turn it evaluates each parameter once, makes one request with n8n's own helper
// and the iMBRACE credential, awaits it and outputs the answer: no retries, no pacing, no checks,
// nothing run ahead. Its imports are types only, so n8n loads it without this clone's packages.
import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

/** The messages path (§5) in the route family the benchmark's sandbox serves. */
export const MESSAGES_PATH = '/channel-service/v1/conversation_messages';
const CREDENTIAL = 'imbraceApi';
const PAGE = 100;

export class ImbraceFloor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'iMBRACE Floor (benchmark)',
		name: 'imbraceFloor',
		group: ['transform'],
		version: 1,
		description: 'The least a node does per item: the benchmark floor inside n8n',
		defaults: { name: 'iMBRACE Floor' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: CREDENTIAL, required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				options: [
					{ name: 'Send', value: 'send' },
					{ name: 'Read All', value: 'read' },
				],
				default: 'send',
			},
			{
				displayName: 'Conversation ID',
				name: 'conversationId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Text',
				name: 'text',
				type: 'string',
				default: '',
				displayOptions: { show: { operation: ['send'] } },
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		// The credential is read once and handed to every request, as the iMBRACE node does; the
		// helper still runs the credential's preAuthentication and authenticate for each request.
		const reference = this.getNode().credentials?.[CREDENTIAL];
		const data = await this.getCredentials(CREDENTIAL);
		const credentialsDecrypted: ICredentialsDecrypted = {
			id: reference?.id ?? '',
			name: reference?.name ?? '',
			type: CREDENTIAL,
			data,
		};
		const request = async (options: IHttpRequestOptions) =>
			(await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL, options, {
				credentialsDecrypted,
			})) as IDataObject;
		const output: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const conversationId = this.getNodeParameter('conversationId', i) as string;
			if (operation === 'send') {
				const text = this.getNodeParameter('text', i) as string;
				const answer = await request({
					method: 'POST',
					url: MESSAGES_PATH,
					body: { conversation_id: conversationId, type: 'text', text },
					json: true,
				});
				output.push({ json: answer, pairedItem: { item: i } });
				continue;
			}
			for (let skip = 0, more = true; more; skip += PAGE) {
				const page = (await request({
					method: 'GET',
					url: MESSAGES_PATH,
					qs: { conversation_id: conversationId, limit: PAGE, skip },
					json: true,
				})) as { data: IDataObject[]; has_more: boolean };
				for (const message of page.data) output.push({ json: message, pairedItem: { item: i } });
				more = page.has_more;
			}
		}
		return [output];
	}
}
