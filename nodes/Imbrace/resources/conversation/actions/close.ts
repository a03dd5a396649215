import type { INodePropertyOptions } from 'n8n-workflow';

import { statusOperation } from './status';

export const closeOperation: INodePropertyOptions = {
	name: 'Close',
	value: 'close',
	action: 'Close a conversation',
	description:
		"Close a conversation in its team's inbox (every team's copy the credential sees, or one team's); a contact's next message opens it again",
	routing: statusOperation('closed'),
};
