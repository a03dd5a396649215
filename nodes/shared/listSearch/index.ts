import { searchAgents } from './agents';
import { searchBusinessUnits } from './businessUnits';
import { searchChannels } from './channels';
import { searchContacts } from './contacts';
import { searchConversations } from './conversations';
import { searchTeams } from './teams';
import { searchTemplates } from './templates';

/** The "From list" pickers of the node and the trigger, by the name their parameters use. */
export const listSearch = {
	searchAgents,
	searchBusinessUnits,
	searchChannels,
	searchContacts,
	searchConversations,
	searchTeams,
	searchTemplates,
};
