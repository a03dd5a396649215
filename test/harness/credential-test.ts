import { ExecuteContext, RoutingNode } from 'n8n-core';
import type { INode, INodeCredentialTestResult, INodeType, INodeTypes } from 'n8n-workflow';
import { NodeConnectionTypes, Workflow, createRunExecutionData } from 'n8n-workflow';

import type { CredentialData } from './engine';
import { createAdditionalData, createCredentialsHelper } from './engine';
import { CREDENTIAL_TYPE, loadPackage } from './package';

/**
 * The credential's "Test" button, done the way n8n's CredentialsTester does it: the test request
 * becomes the routing of a temporary node run by n8n-core's RoutingNode, a thrown error becomes
 * its status text or code, and the rules are checked in order.
 */
export async function testCredential(data: CredentialData): Promise<INodeCredentialTestResult> {
	const loader = await loadPackage();
	const { test } = loader.credentialTypes[CREDENTIAL_TYPE].type;
	if (!test) throw new Error('The credential has no test');
	const helper = await createCredentialsHelper(data);
	const credentialsDecrypted = {
		id: 'imbrace-credential',
		name: 'iMBRACE account',
		type: CREDENTIAL_TYPE,
		data: helper.withDefaults(CREDENTIAL_TYPE, data),
	};

	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'n8n-nodes-base.noOp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Temp' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: {
			[CREDENTIAL_TYPE]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name },
		},
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const context = new ExecuteContext(
		workflow,
		node,
		createAdditionalData(helper),
		'internal',
		createRunExecutionData({ executionData: null }),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);

	let response;
	try {
		response = await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
	} catch (error) {
		const status = error.cause?.response?.status;
		if (status) {
			return {
				status: 'Error',
				message: error.cause.response.statusText || `Received HTTP status code: ${status}`,
			};
		}
		if (error.cause?.code) return { status: 'Error', message: error.cause.code };
		return { status: 'Error', message: String(error.message) };
	}
	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const body: unknown = response?.[0]?.[0]?.json;
		const value = rule.properties.key
			.split('.')
			.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], body);
		if (value === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
