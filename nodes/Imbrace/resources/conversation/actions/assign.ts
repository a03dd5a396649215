import type { INodePropertyOptions } from 'n8n-workflow';

import { assignmentRouting } from './assignment';

export const assignOperation: INodePropertyOptions = {
	name: 'Assign',
	value: 'assign',
	action: 'Assign a conversation',
	description: 'Route a conversation to a team, and optionally have one of its agents join it',
	routing: assignmentRouting(true),
};
