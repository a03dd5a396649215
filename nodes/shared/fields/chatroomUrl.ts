/**
 * The dashboard's link to a conversation (its chatroom) names the `conv_` ID: the "By URL" mode
 * of Conversation ID takes the ID out of it.
 */
export const CHATROOM_URL = {
	placeholder: 'e.g. https://app.imbrace.co/chatroom?conversation_id=conv_9308aa1f-…',
	regex: '^https?://\\S*conv_[A-Za-z0-9_-]+',
	errorMessage: 'The link must be an http(s) address that names a conv_ conversation ID',
};
