import type {
	IExecuteFunctions,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { RoutingNode } from 'n8n-core';

/**
 * The `<type>Tool` node type that n8n 2.41 builds at run time for a node with `usableAsTool`, as
 * its CLI does (n8n's `NodeTypes.getByNameAndVersion` and `convertNodeToAiTool`, in the n8n
 * package, which the tests cannot load): the same node on a description whose name ends in
 * `Tool`, with no main input, an AI tool output and n8n's Tool Description parameters; a
 * declarative node gets an `execute` that runs n8n's RoutingNode.
 */
export function asTool(type: INodeType | IVersionedNodeType): INodeType {
	const base = type as INodeType;
	const description = Object.create(base.description) as INodeTypeDescription;
	description.name = `${base.description.name}Tool`;
	description.displayName = `${base.description.displayName} Tool`;
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	const toolDescription: INodeProperties[] = [
		{
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Set Automatically', value: 'auto' },
				{ name: 'Set Manually', value: 'manual' },
			],
			default: 'auto',
		},
		{
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: base.description.description,
			required: true,
			displayOptions: { show: { descriptionType: ['manual'] } },
		},
	];
	description.properties = [...toolDescription, ...base.description.properties];
	const tool = Object.create(base, { description: { value: description } }) as INodeType;
	if (!base.execute && base.description.requestDefaults) {
		tool.execute = async function (this: IExecuteFunctions) {
			return (await new RoutingNode(this as never, tool).runNode()) ?? [];
		};
	}
	return tool;
}
