import type { INodePropertyOptions } from 'n8n-workflow';

import { assignmentRouting } from './assignment';

export const unassignOperation: INodePropertyOptions = {
	name: 'Unassign',
	value: 'unassign',
	action: 'Unassign a conversation',
	description: 'Take an agent out of a conversation of their team',
	routing: assignmentRouting(false),
};
