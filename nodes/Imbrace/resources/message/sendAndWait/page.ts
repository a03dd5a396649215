/**
 * The pages the contact sees after opening a link of Send and Wait for Response. Plain HTML with
 * its styles inline and no script: they must work in any browser a chat app opens, and n8n serves
 * them under a sandboxing Content-Security-Policy.
 */

export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

const STYLE = `
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1f2329}
main{max-width:32rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.25rem;margin:0 0 1rem}
p.message{white-space:pre-wrap;line-height:1.5}
p.problem{color:#b42318}
textarea{width:100%;box-sizing:border-box;min-height:8rem;padding:.75rem;font:inherit;border:1px solid #c9ccd1;border-radius:8px}
button{margin-top:1rem;padding:.75rem 1.5rem;font:inherit;font-weight:600;color:#fff;background:#1f6feb;border:0;border-radius:8px;cursor:pointer}
`;

function page(title: string, body: string): string {
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

function messageBlock(message: string): string {
	return message.trim() ? `<p class="message">${escapeHtml(message)}</p>` : '';
}

/**
 * The page a link opens: the question and one button. Only the button's POST (to the same signed
 * address: an empty `action` keeps the link's path and query) answers; opening the link does not.
 */
export function approvalPage(message: string, label: string): string {
	return page(
		label,
		`<h1>Please confirm</h1>${messageBlock(message)}
<form method="post" action=""><input type="hidden" name="confirm" value="1"><button type="submit">${escapeHtml(label)}</button></form>`,
	);
}

/** The free-text form; `problem` says why the last answer was not taken. */
export function freeTextPage(message: string, buttonLabel: string, problem?: string): string {
	return page(
		'Your answer',
		`<h1>Your answer</h1>${messageBlock(message)}${problem ? `<p class="problem">${escapeHtml(problem)}</p>` : ''}
<form method="post" action=""><textarea name="text" required aria-label="Your answer"></textarea><button type="submit">${escapeHtml(buttonLabel)}</button></form>`,
	);
}

export function answeredPage(): string {
	return page(
		'Thank you',
		'<h1>Thank you</h1><p>Your answer has been recorded. You can close this page now.</p>',
	);
}

/** For a link preview or another automated request: it answers nothing. */
export function automatedRequestPage(): string {
	return page(
		'Open in a browser',
		'<h1>Open this link in a browser</h1><p>The answer is given on the page that opens there.</p>',
	);
}

export function failurePage(): string {
	return page(
		'Something went wrong',
		'<h1>Something went wrong</h1><p>Your answer was not recorded. Please open the link again.</p>',
	);
}
