import type { INodePropertyOptions } from 'n8n-workflow';

import { statusOperation } from './status';

export const reopenOperation: INodePropertyOptions = {
	name: 'Reopen',
	value: 'reopen',
	action: 'Reopen a conversation',
	description:
		"Open a closed conversation again in its team's inbox (every team's copy the credential sees, or one team's)",
	routing: statusOperation('active'),
};
